// Package winsim is the simulated Windows host's WS-Management service: a
// real WinRM listener on loopback, over HTTP or HTTPS, with Basic and NTLM
// authentication, WinRS shells whose commands a proc.Runner executes, the
// quotas and SOAP faults of a real host, and latency and fault injection
// for tests. Clients (masterzen/winrm, pywinrm, pypsrp) cannot tell it from
// Windows at the WS-Man level; the recorded exchanges in
// shared/fixtures/winrm-recorded hold it to that.
package winsim

import (
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/cpu"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// Options configure a Server. The zero value is a Windows default: NTLM
// only, unencrypted messages refused, plain HTTP on a free loopback port.
type Options struct {
	// Addr to listen on; "127.0.0.1:0" by default.
	Addr string
	// TLS serves HTTPS with a certificate signed by a CA generated at Start
	// (see CACertPEM).
	TLS bool
	// Users maps account names to passwords. "user", ".\user", "HOST\user"
	// and "user@HOST" all name the same account, case-insensitively.
	Users map[string]string
	// AllowUnencrypted accepts plain-HTTP requests that are not sealed.
	// Windows defaults to false; masterzen's ClientNTLM does not seal, so
	// plain-HTTP tests set it, like a lab host.
	AllowUnencrypted bool
	// AllowBasic accepts Basic authentication (off on Windows by default).
	AllowBasic bool
	// Kerberos, when set, joins the host to a realm: Negotiate and
	// Kerberos tokens carrying a service ticket are accepted besides NTLM.
	Kerberos *KerberosOptions
	// Runner runs commands; nil behaves like cmd.exe finding no program.
	Runner proc.Runner
	// MaxShellsPerUser is the WinRS quota; 30 by default, as on Windows.
	MaxShellsPerUser int
	// MaxConcurrentOps bounds one user's requests in flight (Windows'
	// MaxConcurrentOperationsPerUser); 0 means no bound.
	MaxConcurrentOps int
	// MaxEnvelopeSizeKB bounds a request body; 500 by default, as on
	// Windows Server 2012 and later.
	MaxEnvelopeSizeKB int
	// Latency adds delay to model a network and a slow host.
	Latency Latency
	// Faults, when set, injects failures; tests arm them at run time.
	Faults *Faults
	// ComputerName is the host's NetBIOS name; "WIN-SIM01" by default.
	ComputerName string
	// Logf receives one line per request and per notable event. Passwords,
	// tokens and message bodies are never passed to it.
	Logf func(format string, args ...any)
}

// Latency is the network and service delay model. PowerShell start-up and
// per-operation cost are the Runner's business, not this one's.
type Latency struct {
	// RTT is added to every HTTP request, handshake rounds included.
	RTT time.Duration
	// ShellCreate is added to every Create (wsmprovhost start-up), on
	// one of CPUs.
	ShellCreate time.Duration
	// CPUs are the host's processors, shared with the Runner's work;
	// nil for no limit.
	CPUs *cpu.CPUs
}

func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.MaxShellsPerUser <= 0 {
		o.MaxShellsPerUser = 30
	}
	if o.MaxEnvelopeSizeKB <= 0 {
		o.MaxEnvelopeSizeKB = 500
	}
	if o.ComputerName == "" {
		o.ComputerName = "WIN-SIM01"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}
