// Package simulate is the `terraform-provider-iis simulate` command: it runs
// the simulated Windows host (internal/winsim over internal/winsim/host) as
// a standalone WinRM endpoint for trying configurations without Windows, as
// `vault server -dev` does for Vault, and changes that host out of band with
// `simulate admin` so drift can be shown and tested.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Main runs the simulate command with args (those after "simulate") and
// returns the process exit code: 0 on success or help, 1 when the run
// failed, 2 for a usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "admin" {
		o, err := parseAdmin(args[1:], stdout)
		if code, done := usageResult(err, stderr); done {
			return code
		}
		if err := admin(o, stdout); err != nil {
			fmt.Fprintf(stderr, "simulate admin: %v\n", err)
			return 1
		}
		return 0
	}
	o, err := parseServe(args, os.Getenv, stdout)
	if code, done := usageResult(err, stderr); done {
		return code
	}
	if err := serve(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return 1
	}
	return 0
}

// usageResult maps a parse result to an exit code; done is false when the
// command should go on.
func usageResult(err error, stderr io.Writer) (code int, done bool) {
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, errHelp):
		return 0, true
	default:
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return 2, true
	}
}
