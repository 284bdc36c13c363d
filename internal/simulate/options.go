package simulate

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// PasswordEnv names the environment variable the simulator reads the
// administrator password from, so it need not appear on a command line.
const PasswordEnv = "IIS_SIM_PASSWORD"

const serveUsage = `Usage: terraform-provider-iis simulate [options]
       terraform-provider-iis simulate admin --state FILE <command...>

Runs a simulated Windows Server with IIS that the iis provider can manage: a
WS-Management (WinRM) server with NTLM authentication in front of a host
model (IIS configuration, Windows Firewall, local accounts) kept in a state
file. It prints its endpoint, then a line "ready: <url>", and runs until
interrupted (Ctrl-C, SIGTERM).

Options:
  --listen ADDR          address to listen on (default 127.0.0.1:5985, or
                         127.0.0.1:5986 with --tls; port 0 picks a free port)
  --tls                  serve HTTPS with a certificate from a CA generated at
                         start; the CA certificate is written to --ca-out
  --ca-out FILE          where to write the CA certificate (PEM) with --tls
                         (default: ca.pem next to the state file)
  --user NAME            the administrator account (default administrator)
  --password PASSWORD    its password (default: $IIS_SIM_PASSWORD; without
                         either a random one is generated and printed once).
                         Prefer the variable: command lines are visible to
                         every user of the machine
  --state FILE           host state (JSON), kept across runs and shared with
                         "simulate admin" (default: a temporary file removed
                         on exit)
  --computer-name NAME   the host's computer name (default WIN-IIS01; only
                         used when the state file is new)
  --allow-unencrypted    accept unencrypted messages over plain HTTP, like
                         AllowUnencrypted=true on a lab host
  --allow-basic          accept Basic authentication besides NTLM
  --latency MODEL        add network and PowerShell delays: none (default),
                         lan or wan (the figures are in docs/benchmarks.md)
  --host-cpus N          the host's processors: PowerShell starts, shell
                         creations and operations each hold one while they
                         run and queue for one when all are busy (default:
                         the latency model's, 2 for lan and wan; 0 for no
                         limit)
  --stats-file FILE      keep FILE updated (every 0.1 s and at exit) with the
                         server's counters as JSON: HTTP requests, shells,
                         PowerShell starts, host operations and the host's
                         modelled work; the benchmark (make bench) reads it
  -v, --verbose          log every WinRM request to stderr (never passwords
                         or message bodies)

Provider settings for the printed endpoint: host and port from the URL,
https = true with ca_cert = file("<ca.pem>") for --tls, or https = false for
plain HTTP, and username/password as given here.
`

const adminUsage = `Usage: terraform-provider-iis simulate admin --state FILE <command...>

Changes the simulated host out of band, as an administrator on its console
would: the change is not made through WinRM and Terraform does not know of
it, so the next refresh shows it as drift. It works while a simulator runs
on the same state file. "simulate admin --state FILE help" lists the
commands.

Options:
  --state FILE   the state file of the simulated host (required)
`

// serveOptions are the settings of a simulator run.
type serveOptions struct {
	Listen           string
	TLS              bool
	CAOut            string
	User             string
	Password         string
	PasswordFromEnv  bool
	State            string
	ComputerName     string
	AllowUnencrypted bool
	AllowBasic       bool
	Latency          string
	HostCPUs         int // -1: the latency model's
	StatsFile        string
	Verbose          bool
}

// errHelp means the user asked for help, which is printed and is no error.
var errHelp = errors.New("help requested")

// latencyModels are the accepted --latency values.
var latencyModels = []string{"none", "lan", "wan"}

// parseServe reads the simulator's arguments. getenv supplies the password
// variable; usage goes to out on --help or a usage error.
func parseServe(args []string, getenv func(string) string, out io.Writer) (serveOptions, error) {
	var o serveOptions
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.Listen, "listen", "", "")
	fs.BoolVar(&o.TLS, "tls", false, "")
	fs.StringVar(&o.CAOut, "ca-out", "", "")
	fs.StringVar(&o.User, "user", "administrator", "")
	fs.StringVar(&o.Password, "password", "", "")
	fs.StringVar(&o.State, "state", "", "")
	fs.StringVar(&o.ComputerName, "computer-name", "WIN-IIS01", "")
	fs.BoolVar(&o.AllowUnencrypted, "allow-unencrypted", false, "")
	fs.BoolVar(&o.AllowBasic, "allow-basic", false, "")
	fs.StringVar(&o.Latency, "latency", "none", "")
	fs.IntVar(&o.HostCPUs, "host-cpus", -1, "")
	fs.StringVar(&o.StatsFile, "stats-file", "", "")
	fs.BoolVar(&o.Verbose, "verbose", false, "")
	fs.BoolVar(&o.Verbose, "v", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, serveUsage)
			return o, errHelp
		}
		return o, fmt.Errorf("%w (see simulate --help)", err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see simulate --help)", fs.Arg(0))
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:5985"
		if o.TLS {
			o.Listen = "127.0.0.1:5986"
		}
	}
	if strings.TrimSpace(o.User) == "" {
		return o, errors.New("--user must not be empty")
	}
	if o.Password == "" {
		if v := getenv(PasswordEnv); v != "" {
			o.Password, o.PasswordFromEnv = v, true
		}
	}
	if o.CAOut != "" && !o.TLS {
		return o, errors.New("--ca-out needs --tls: plain HTTP has no certificate")
	}
	valid := false
	for _, m := range latencyModels {
		valid = valid || o.Latency == m
	}
	if !valid {
		return o, fmt.Errorf("--latency %q: accepted values are %s", o.Latency, strings.Join(latencyModels, ", "))
	}
	if o.HostCPUs == -1 {
		o.HostCPUs = latencyPresets[o.Latency].cpus
	}
	if o.HostCPUs < 0 || o.HostCPUs > 1024 {
		return o, fmt.Errorf("--host-cpus %d: accepted values are 0 (no limit) to 1024", o.HostCPUs)
	}
	return o, nil
}

// adminOptions are the settings of an admin command.
type adminOptions struct {
	State   string
	Command []string
}

func parseAdmin(args []string, out io.Writer) (adminOptions, error) {
	var o adminOptions
	fs := flag.NewFlagSet("simulate admin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.State, "state", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, adminUsage)
			return o, errHelp
		}
		return o, fmt.Errorf("%w (see simulate admin --help)", err)
	}
	if o.State == "" {
		return o, errors.New("--state FILE is required: admin changes the host stored in that file")
	}
	o.Command = fs.Args()
	if len(o.Command) == 0 {
		return o, errors.New("no command given (try: simulate admin --state FILE help)")
	}
	return o, nil
}
