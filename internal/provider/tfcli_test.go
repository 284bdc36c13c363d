package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// tfWorkdir runs the real terraform CLI in a directory of its own against
// this provider, served in-process as plugin-testing does (reattach, so no
// registry and no build). Tests use it for what plugin-testing does not
// expose: the raw output of `terraform show -json`, refresh-only plans and
// destroy plans.
type tfWorkdir struct {
	t   *testing.T
	dir string
	bin string
	env []string
}

// providerSource is the address the working directory's configuration and
// the reattach information agree on. The configuration names the provider
// without a host, "iisguard/iis", which each client completes with its
// own registry: registry.terraform.io for Terraform, registry.opentofu.org
// for OpenTofu. TF_ACC_PROVIDER_HOST names it as it does for
// plugin-testing (make testacc-tofu sets it).
func providerSource() string {
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	return host + "/iisguard/iis"
}

// newTFWorkdir serves a fresh provider until the test ends and prepares an
// empty working directory. Like resource.Test, it needs TF_ACC.
func newTFWorkdir(t *testing.T) *tfWorkdir {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Fatalf("no terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	reattach := serveProvider(t)
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+reattach,
		"TF_CLI_CONFIG_FILE="+cliConfig, // nothing from the user's CLI configuration
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0",
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"),
	)
	return &tfWorkdir{t: t, dir: dir, bin: bin, env: env}
}

// functionsOnlyProvider gives the provider the credentials it needs to be
// configured, for a configuration that only calls provider functions.
// OpenTofu configures a provider before it calls the provider's functions
// (Terraform calls them unconfigured), and this provider refuses a
// configuration without a username and password. Nothing connects with
// them: functions never reach a host. (The provider serves from this test
// process, so IIS_* variables given to the CLI would not reach it.)
const functionsOnlyProvider = `
provider "iis" {
  username = "functions-only"
  password = "never-sent"
}
`

// serveProvider starts the provider's gRPC server in this process and
// returns the TF_REATTACH_PROVIDERS value that points terraform at it.
func serveProvider(t *testing.T) string {
	t.Helper()
	server, err := testAccProviders()["iis"]()
	if err != nil {
		t.Fatalf("provider server: %v", err)
	}
	return serveProviderServer(t, server)
}

// serveProviderServer serves server over go-plugin in debug mode until the
// test ends, and returns the TF_REATTACH_PROVIDERS value that finds it.
func serveProviderServer(t *testing.T, server tfprotov6.ProviderServer) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve(providerSource(), func() tfprotov6.ProviderServer { return server },
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off})),
			tf6server.WithoutLogStderrOverride(),
			tf6server.WithLoggingSink(t))
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattachCh:
	case err := <-serveErr:
		cancel()
		t.Fatalf("serve the provider: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() {
		cancel()
		<-closeCh
	})
	type addr struct{ Network, String string }
	type config struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	out, err := json.Marshal(map[string]config{providerSource(): {
		Protocol: string(rc.Protocol), ProtocolVersion: rc.ProtocolVersion, Pid: rc.Pid, Test: true,
		Addr: addr{Network: rc.Addr.Network(), String: rc.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// configure writes main.tf: the required_providers block, unless body has
// its own, then body.
func (w *tfWorkdir) configure(body string) {
	w.t.Helper()
	src := body
	if !strings.Contains(body, "required_providers") {
		src = "terraform {\n  required_providers {\n    iis = { source = \"iisguard/iis\" }\n  }\n}\n\n" + body
	}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(src), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs one terraform command and returns its stdout; stderr is in the
// error.
func (w *tfWorkdir) run(args ...string) (string, error) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("terraform %s: %w\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

func (w *tfWorkdir) mustRun(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// planJSON saves a plan (with extra plan options such as -refresh-only or
// -destroy) and returns `terraform show -json` of it, byte for byte.
func (w *tfWorkdir) planJSON(opts ...string) []byte {
	w.t.Helper()
	w.mustRun(append([]string{"plan", "-no-color", "-out=plan.out"}, opts...)...)
	return []byte(w.mustRun("show", "-json", "plan.out"))
}

// apply applies the saved plan.
func (w *tfWorkdir) apply() {
	w.t.Helper()
	w.mustRun("apply", "-no-color", "-auto-approve", "plan.out")
}

// skipWithoutWriteOnly skips the test, saying why, when the client is
// older than 1.11, as writeOnlyNeedsTF111 does for resource.Test.
func (w *tfWorkdir) skipWithoutWriteOnly() {
	w.t.Helper()
	out, err := exec.Command(w.bin, "version", "-json").Output()
	if err != nil {
		w.t.Fatalf("%s version -json: %v", w.bin, err)
	}
	var v struct {
		Version string `json:"terraform_version"` // OpenTofu uses the same key
	}
	if err := json.Unmarshal(out, &v); err != nil {
		w.t.Fatalf("%s version -json: %v", w.bin, err)
	}
	parsed, err := goversion.NewVersion(v.Version)
	if err != nil {
		w.t.Fatalf("%s version %q: %v", w.bin, v.Version, err)
	}
	var resp tfversion.CheckTerraformVersionResponse
	writeOnlyCheck{}.CheckTerraformVersion(context.Background(), tfversion.CheckTerraformVersionRequest{TerraformVersion: parsed}, &resp)
	if resp.Skip != "" {
		w.t.Skip(resp.Skip)
	}
}
