package review

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `Usage: terraform-provider-iis review [options] [PLAN_JSON]

Reports how the iis_* changes in a Terraform plan move privilege and
exposure, for code review and CI. Reads the JSON of
'terraform show -json <planfile>' from PLAN_JSON, or from stdin when it is
absent or "-":

  terraform plan -out=plan.out
  terraform show -json plan.out | terraform-provider-iis review

Exit status: 0 when the plan passes --fail-on, 1 when it meets it,
2 for a usage error or input that is not a plan's JSON.

Options:
`

// Main runs the review subcommand and returns its exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "markdown", "output format: markdown (for a pull-request comment) or json (versioned, see docs/guides/review.md)")
	failOnFlag := fs.String("fail-on", string(FailOnEscalation),
		"exit 1 when met: escalation (any rise, or a level not known until apply), high (a rise to high or above), critical, or never")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "terraform-provider-iis review: %v\n", err)
		return 2
	}
	failOn, err := ParseFailOn(*failOnFlag)
	if err != nil {
		return fail(err)
	}
	if *format != "markdown" && *format != "json" {
		return fail(fmt.Errorf("unknown --format %q: want markdown or json", *format))
	}
	if fs.NArg() > 1 {
		return fail(fmt.Errorf("one plan at a time: got %d arguments", fs.NArg()))
	}

	in := stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fail(fmt.Errorf("open plan JSON: %w", err))
		}
		defer f.Close()
		in = f
	}
	rep, err := Build(contextReader{ctx, in}, failOn)
	if err != nil {
		return fail(err)
	}
	if *format == "json" {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteMarkdown(stdout)
	}
	if err != nil {
		return fail(fmt.Errorf("write report: %w", err))
	}
	if rep.Failed() {
		return 1
	}
	return 0
}

// contextReader stops at the next read once ctx is done, so an interrupted
// review of a large or slow input ends without reading the rest.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
