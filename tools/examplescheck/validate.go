package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// devOverridesSummary is the warning Terraform and OpenTofu print on every
// command while dev_overrides is set. It says nothing about the example.
const devOverridesSummary = "Provider development overrides are in effect"

type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
}

type validateOutput struct {
	Valid       bool         `json:"valid"`
	Diagnostics []diagnostic `json:"diagnostics"`
}

// problems reads `terraform validate -json` output and returns every error
// and every warning but the dev_overrides notice: an example that only
// validates with a deprecation warning would teach readers the deprecated
// form.
func problems(out []byte) ([]string, error) {
	var v validateOutput
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("reading validate -json output: %w (output: %q)", err, truncate(string(out), 400))
	}
	var found []string
	for _, d := range v.Diagnostics {
		if d.Severity == "warning" && d.Summary == devOverridesSummary {
			continue
		}
		where := ""
		if d.Range != nil {
			where = fmt.Sprintf("%s:%d: ", d.Range.Filename, d.Range.Start.Line)
		}
		found = append(found, fmt.Sprintf("%s%s: %s: %s", where, d.Severity, d.Summary, oneLine(d.Detail)))
	}
	if !v.Valid && len(found) == 0 {
		found = append(found, "terraform reports the configuration invalid without a diagnostic")
	}
	return found, nil
}

// validate stages u in a fresh directory under work and runs validate
// there. No init: dev_overrides serves the provider straight from its
// directory, and the examples use no other provider.
func validate(ctx context.Context, terraform, cliConfig, work string, u unit) ([]string, error) {
	dir, err := os.MkdirTemp(work, "unit-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for %s: %w", u.name, err)
	}
	if err := stage(u, dir); err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"),
	)
	cmd := exec.CommandContext(ctx, terraform, "-chdir="+dir, "validate", "-json", "-no-color")
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("validating %s: %w", u.name, ctx.Err())
	}
	found, err := problems(stdout.Bytes())
	if err != nil {
		return nil, fmt.Errorf("validating %s: %w; stderr: %s", u.name, err, truncate(stderr.String(), 400))
	}
	// validate exits 1 exactly when the configuration is invalid, which
	// problems has already described.
	var exit *exec.ExitError
	if runErr != nil && (!errors.As(runErr, &exit) || len(found) == 0) {
		return nil, fmt.Errorf("validating %s: %w; stderr: %s", u.name, runErr, truncate(stderr.String(), 400))
	}
	if len(u.inline) > 0 {
		// Code taken from a page escapes `terraform fmt -recursive
		// examples`; readers copy it as it is shown.
		found = append(found, unformatted(ctx, terraform, env, dir, u)...)
	}
	return found, nil
}

func unformatted(ctx context.Context, terraform string, env []string, dir string, u unit) []string {
	var found []string
	for name := range u.inline {
		cmd := exec.CommandContext(ctx, terraform, "-chdir="+dir, "fmt", "-check", "-diff", "-no-color", name)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			found = append(found, fmt.Sprintf("not formatted as terraform fmt writes it:\n%s", out))
		}
	}
	return found
}

// cliConfig writes a CLI configuration that serves iisguard/iis from
// providerDir, as scripts/demo.sh does.
func cliConfig(work, providerDir string) (string, error) {
	path := filepath.Join(work, "terraformrc")
	body := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/iisguard/iis" = %q
    "registry.opentofu.org/iisguard/iis" = %q
  }
  direct {}
}
`, providerDir, providerDir)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return "", fmt.Errorf("writing the CLI configuration: %w", err)
	}
	return path, nil
}

func oneLine(s string) string {
	return truncate(strings.Join(strings.Fields(s), " "), 300)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
