// Command examplescheck validates every example under examples/ with the
// real terraform CLI against a built provider, so an example that no
// longer matches the schema fails `make test` instead of a reader. It is
// run by `make examples-check`.
//
// Files of the registry directories (provider, resources, data-sources,
// functions) are validated one by one, each in a module that declares
// iisguard/iis unless the file does; any other directory with .tf files is
// one root module. With -guides, the terraform code blocks of each guide
// form one module too. Errors fail the check, and so do warnings other
// than the dev_overrides notice.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "examplescheck:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("examplescheck", flag.ContinueOnError)
	terraform := fs.String("terraform", "terraform", "terraform (or tofu) binary")
	provider := fs.String("provider", "bin/terraform-provider-iis", "built provider binary")
	examples := fs.String("examples", "examples", "examples directory")
	guides := fs.String("guides", "", "directory of guide templates whose terraform code blocks are validated too")
	parallel := fs.Int("parallel", 4, "validations at a time")
	timeout := fs.Duration("timeout", 5*time.Minute, "bound on the whole check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *parallel < 1 {
		return errors.New("-parallel must be at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	units, err := findUnits(*examples)
	if err != nil {
		return err
	}
	if *guides != "" {
		g, err := guideUnits(*guides)
		if err != nil {
			return err
		}
		units = append(units, g...)
	}
	if len(units) == 0 {
		return fmt.Errorf("no .tf files under %s", *examples)
	}
	work, err := os.MkdirTemp("", "examplescheck-")
	if err != nil {
		return fmt.Errorf("creating a work directory: %w", err)
	}
	defer os.RemoveAll(work)
	providerDir, err := privateProvider(*provider, work)
	if err != nil {
		return err
	}
	rc, err := cliConfig(work, providerDir)
	if err != nil {
		return err
	}

	results := validateAll(ctx, *terraform, rc, work, units, *parallel)
	failed := 0
	for i, u := range units {
		r := results[i]
		switch {
		case r.err != nil:
			failed++
			fmt.Fprintf(stdout, "FAIL %s\n    %v\n", u.name, r.err)
		case len(r.problems) > 0:
			failed++
			fmt.Fprintf(stdout, "FAIL %s\n", u.name)
			for _, p := range r.problems {
				fmt.Fprintf(stdout, "    %s\n", p)
			}
		default:
			fmt.Fprintf(stdout, "ok   %s\n", u.name)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d examples do not validate", failed, len(units))
	}
	fmt.Fprintf(stdout, "%d examples valid\n", len(units))
	return nil
}

type result struct {
	problems []string
	err      error
}

func validateAll(ctx context.Context, terraform, rc, work string, units []unit, parallel int) []result {
	results := make([]result, len(units))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p, err := validate(ctx, terraform, rc, work, u)
			results[i] = result{problems: p, err: err}
		}()
	}
	wg.Wait()
	return results
}

// privateProvider copies the provider binary into work, so a rebuild of
// bin/ during the check cannot swap it out halfway.
func privateProvider(src, work string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("opening the provider binary (run make build): %w", err)
	}
	defer in.Close()
	dir := filepath.Join(work, "bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the provider directory: %w", err)
	}
	out, err := os.OpenFile(filepath.Join(dir, "terraform-provider-iis"), os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		return "", fmt.Errorf("copying the provider binary: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", fmt.Errorf("copying the provider binary: %w", err)
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("copying the provider binary: %w", err)
	}
	return dir, nil
}
