// Command terraform-provider-iis is the iis Terraform provider. Run by
// Terraform it serves the provider; run by hand it also offers:
//
//	terraform-provider-iis review ...     the privilege and exposure report of a plan
//	terraform-provider-iis simulate ...   a simulated Windows host with IIS
//	terraform-provider-iis version        the provider version
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/iisguard/terraform-provider-iis/internal/provider"
	"github.com/iisguard/terraform-provider-iis/internal/review"
	"github.com/iisguard/terraform-provider-iis/internal/simulate"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const address = "registry.terraform.io/iisguard/iis"

func main() {
	// Terraform starts providers without arguments (or with -debug), so a
	// first argument that names a subcommand can only come from a person.
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "review":
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := review.Main(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		case "simulate":
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := simulate.Main(ctx, os.Args[2:], os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		case "version", "--version":
			fmt.Println(version)
			return
		}
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider for a debugger (prints TF_REATTACH_PROVIDERS)")
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "terraform-provider-iis: unknown command %q\n\n", flag.Arg(0))
		usage()
		os.Exit(2)
	}

	if !debug {
		quietUnreadLogs(os.Getenv, os.Setenv)
	}
	collectGarbageLessOften(os.Getenv)
	p := provider.NewProvider(version)
	// provider.NewProtocol6Server is providerserver.NewProtocol6 with a
	// few repairs (see there); served as providerserver.Serve would.
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve(address, provider.NewProtocol6Server(p), opts...)
	if cerr := p.Close(); cerr != nil {
		log.Print(cerr)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// Log levels of the plugin SDK's loggers (terraform-plugin-framework,
// terraform-plugin-go) and of the provider's own (tflog), each read from
// the environment when the logger is made.
var pluginLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO", "TF_LOG_PROVIDER_IIS"}

// quietUnreadLogs turns the provider's logs off when Terraform will throw
// them away. The plugin SDK logs every request at TRACE unless told
// otherwise and leaves the filtering to Terraform, which parses each line
// from the provider's stderr and drops it unless TF_LOG_PROVIDER or TF_LOG
// asks for provider logs. At 500 resources a no-change plan spent about a
// quarter of the provider's CPU writing those lines (pprof, `make bench`),
// and Terraform more reading them. When either variable is set, or a level
// of the SDK's own is, nothing changes.
func quietUnreadLogs(getenv func(string) string, setenv func(string, string) error) {
	if getenv("TF_LOG_PROVIDER") != "" || getenv("TF_LOG") != "" {
		return
	}
	for _, v := range pluginLogLevels {
		if getenv(v) == "" {
			_ = setenv(v, "OFF")
		}
	}
}

// collectGarbageLessOften sets the garbage collector's target to 200
// unless GOGC says otherwise. The provider's live heap is small (about
// 15 MiB at 500 resources) but every request allocates several times its
// size while the framework converts values, so at Go's default of 100 a
// 500-resource no-change plan spent about a sixth of the provider's CPU
// collecting. At 200 it spent 17% less CPU in all (6.7 -> 5.6 s) and peaked
// at 49 MiB instead of 41; 300 saved a little more but peaked at up to
// 70 MiB, too close to the 100 MiB the provider should stay under.
func collectGarbageLessOften(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `Usage:
  terraform-provider-iis [-debug]      serve the provider (Terraform runs this)
  terraform-provider-iis review ...    report a plan's privilege and exposure changes (see review --help)
  terraform-provider-iis simulate ...  run a simulated Windows host with IIS (see simulate --help)
  terraform-provider-iis version       print the version

`)
	flag.PrintDefaults()
}
