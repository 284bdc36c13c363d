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

	p := provider.NewProvider(version)
	// provider.NewProtocol6Server is providerserver.NewProtocol6 with a
	// repair for OpenTofu's null function arguments; served as
	// providerserver.Serve would.
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

func usage() {
	fmt.Fprint(os.Stderr, `Usage:
  terraform-provider-iis [-debug]      serve the provider (Terraform runs this)
  terraform-provider-iis review ...    report a plan's privilege and exposure changes (see review --help)
  terraform-provider-iis simulate ...  run a simulated Windows host with IIS (see simulate --help)
  terraform-provider-iis version       print the version

`)
	flag.PrintDefaults()
}
