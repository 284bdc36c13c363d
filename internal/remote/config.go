// Package remote is the client side of WinRM for one Windows host: the
// masterzen/winrm transport with the right authentication and TLS settings,
// the long-lived PowerShell agent sessions that serve framed requests, the
// one-shot fallback, error kinds, pooling and redaction of secrets.
//
// It knows nothing of IIS or firewall semantics: callers name an operation
// (see internal/hostapi) and pass JSON-marshallable arguments and results.
package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Auth selects how the client authenticates to WinRM.
type Auth string

const (
	AuthNTLM        Auth = "ntlm"
	AuthBasic       Auth = "basic"
	AuthKerberos    Auth = "kerberos"
	AuthCertificate Auth = "certificate"
)

// Defaults applied by Config when a field is left zero.
const (
	DefaultHTTPSPort = 5986
	DefaultHTTPPort  = 5985
	DefaultTimeout   = 60 * time.Second
	// DefaultMaxSessions was chosen by the sessions sweep of make bench
	// (docs/benchmarks.md): at 500 resources on one host, 4 sessions halve
	// the host's share of an apply against 2; 8 halve it again, but calls
	// batch less (Terraform has 10 in flight by default), so a no-change
	// plan costs 0.6 round trips per resource instead of 0.5, and each run
	// takes twice the shells of a quota of 30 per user (MaxShellsPerUser)
	// that concurrent runs and other tools share.
	DefaultMaxSessions = 4
	// DefaultKerberosConfig is where masterzen's Kerberos transport looks
	// when no path is given; it re-reads the file on every request.
	DefaultKerberosConfig = "/etc/krb5.conf"
)

// Config describes one Windows host and how to reach it.
type Config struct {
	Host          string
	Port          int // default 5986 with HTTPS, 5985 without
	HTTPS         bool
	Insecure      bool // skip TLS verification; explicit and clearly labelled
	CACert        []byte
	TLSServerName string

	Auth                              Auth // default ntlm
	Username, Password                string
	KerberosRealm, KerberosConfigPath string
	KerberosSPN                       string
	// KerberosCCache is a credential cache file (kinit -c FILE:...) to
	// log on from instead of a username and password.
	KerberosCCache        string
	ClientCert, ClientKey []byte
	AllowBasicOverHTTP    bool // basic over plain HTTP sends the password in the clear
	// AllowUnencryptedHTTP turns off NTLM message sealing over plain HTTP,
	// for a lab host set to AllowUnencrypted=true: commands and their
	// output then travel in clear text. Sealing is the default. Kerberos
	// over plain HTTP needs it too: the client library cannot seal
	// Kerberos messages.
	AllowUnencryptedHTTP bool
	Timeout              time.Duration
	MaxSessions          int
	OneShot              bool
	Scripts              Scripts
	Retry                RetryPolicy `json:"-"` // nil: never retry
	Settle               Settler     `json:"-"` // nil: a write with a lost answer is never resent
	Secrets              []string    // extra strings to redact from errors, besides Password
}

// Scripts is what the client starts on the host. The caller fills it from
// internal/hostscript, so this package stays free of PowerShell text.
type Scripts struct {
	CommandLine string // the full powershell.exe line, run through cmd.exe
	AgentLine   []byte // the first stdin line: the agent script for the bootstrap
}

// RetryPolicy is the seam for retrying failed calls. It is consulted after a
// failed attempt and returns how long to wait and whether to try again. The
// policy (a later task) must not retry writes whose request may have reached
// the agent; Attempt.Delivered says whether that can have happened.
type RetryPolicy func(a Attempt) (wait time.Duration, retry bool)

// Attempt describes one failed try of a Call for a RetryPolicy.
type Attempt struct {
	Op     string
	Number int // 1 for the first try
	// Delivered is false only when the request certainly never reached
	// the agent, or when the Settler found on the host that it took no
	// effect: either way, sending it again cannot apply it twice.
	Delivered bool
	// Answered is true when the agent answered: Err is then the
	// operation's own outcome (not_found, locked, ...), not a transport
	// failure.
	Answered bool
	Err      error
}

// Settler decides what became of a call whose request may have reached the
// agent but whose answer was lost (a dropped reply, a dead session). It
// looks at the host, typically through u.Read, and returns either that the
// operation took effect (Settled.Done, with the result as the host now
// holds it), or that it took none and may be sent again (zero Settled, nil
// error), or an error that ends the call. Which operations need which check
// is the caller's knowledge, not this package's: it knows no operation's
// meaning.
type Settler func(ctx context.Context, u Unanswered) (Settled, error)

// Unanswered is a call whose outcome is unknown.
type Unanswered struct {
	Op   string
	Args json.RawMessage // as sent; never logged
	Err  error           // why the answer is missing
	// Read runs another operation on the same host, with the client's
	// retry policy; it is meant for reads that tell whether Op happened.
	Read func(ctx context.Context, op string, args, result any) error
}

// Settled is the Settler's finding.
type Settled struct {
	// Done says the operation took effect on the host.
	Done bool
	// Result is the operation's result as the host now holds it (JSON),
	// or nil when the operation has none.
	Result json.RawMessage
}

func (c Config) auth() Auth {
	if c.Auth == "" {
		return AuthNTLM
	}
	return Auth(strings.ToLower(string(c.Auth)))
}

func (c Config) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.HTTPS:
		return DefaultHTTPSPort
	default:
		return DefaultHTTPPort
	}
}

func (c Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c Config) maxSessions() int {
	if c.MaxSessions <= 0 {
		return DefaultMaxSessions
	}
	return c.MaxSessions
}

func (c Config) kerberosConfig() string {
	if c.KerberosConfigPath == "" {
		return DefaultKerberosConfig
	}
	return c.KerberosConfigPath
}

// operationTimeout is the WS-Man OperationTimeout (how long the server may
// hold a Receive), and httpTimeout the client's wait for response headers.
// Both defaults in masterzen are 60s, which race: the client gives up just as
// the server answers with its TimedOut fault. As pywinrm does, the HTTP
// timeout is kept strictly above the operation timeout.
//
// The operation timeout only paces the long poll of an idle agent (a call's
// own deadline is Timeout), so it is capped at Windows' default
// MaxTimeoutms of 60 s: a host refuses any request asking for more.
func (c Config) operationTimeout() time.Duration {
	t := c.timeout().Round(time.Second)
	return min(max(t, time.Second), maxOperationTimeout)
}

const maxOperationTimeout = 60 * time.Second

func (c Config) httpTimeout() time.Duration {
	return c.operationTimeout() + 15*time.Second
}

// Validate reports the first problem that would stop the client from
// working, or from working safely, in words a provider user can act on.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Host) == "" {
		return errors.New("host is required")
	}
	if strings.Contains(c.Host, "://") || strings.ContainsAny(c.Host, "/ \t\r\n") {
		return fmt.Errorf("host %q must be a host name or address only, without scheme, path or spaces (use https and port for the rest)", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("port %d is out of range 1-65535", c.Port)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout %s must not be negative", c.Timeout)
	}
	if c.MaxSessions < 0 {
		return fmt.Errorf("max sessions %d must not be negative", c.MaxSessions)
	}
	if err := c.validateTLS(); err != nil {
		return err
	}
	if err := c.validateAuth(); err != nil {
		return err
	}
	return nil
}

func (c Config) validateTLS() error {
	if !c.HTTPS {
		if c.Insecure {
			return errors.New("insecure applies only to HTTPS: set https = true or drop insecure")
		}
		if len(c.CACert) > 0 || c.TLSServerName != "" {
			return errors.New("ca_cert and tls_server_name apply only to HTTPS: set https = true")
		}
		return nil
	}
	if c.Insecure && len(c.CACert) > 0 {
		return errors.New("insecure and ca_cert contradict each other: ca_cert verifies the server, insecure skips verification; keep one")
	}
	if len(c.CACert) > 0 {
		if ok := x509.NewCertPool().AppendCertsFromPEM(c.CACert); !ok {
			return errors.New("ca_cert holds no PEM certificate")
		}
	}
	return nil
}

func (c Config) validateAuth() error {
	switch a := c.auth(); a {
	case AuthNTLM, AuthBasic:
		if c.Username == "" {
			return fmt.Errorf("%s authentication needs a username", a)
		}
		if a == AuthBasic && !c.HTTPS && !c.AllowBasicOverHTTP {
			return errors.New("basic authentication over plain HTTP sends the password in the clear: use https = true, or ntlm, or set allow_basic_over_http to accept the risk")
		}
	case AuthKerberos:
		if c.KerberosCCache == "" && (c.Username == "" || c.Password == "") {
			return errors.New("kerberos authentication needs a username and a password, or a credential cache")
		}
		if !c.HTTPS && !c.AllowUnencryptedHTTP {
			return errors.New(KerberosOverHTTPMessage)
		}
		if _, err := c.ResolveKerberos(); err != nil {
			return err
		}
	case AuthCertificate:
		if !c.HTTPS {
			return errors.New("certificate authentication works only over HTTPS: set https = true")
		}
		if len(c.ClientCert) == 0 || len(c.ClientKey) == 0 {
			return errors.New("certificate authentication needs both a client certificate and its key")
		}
		if _, err := tls.X509KeyPair(c.ClientCert, c.ClientKey); err != nil {
			return fmt.Errorf("client certificate and key do not form a pair: %w", err)
		}
		if c.TLSServerName != "" {
			// masterzen's certificate transport never sets ServerName, so the
			// setting would be silently ignored.
			return errors.New("tls_server_name is not supported with certificate authentication by the WinRM client library; connect by the name in the server certificate")
		}
	default:
		return fmt.Errorf("unknown auth %q: use ntlm, basic, kerberos or certificate", string(c.Auth))
	}
	return nil
}

// KerberosOverHTTPMessage is why Kerberos over plain HTTP is refused unless
// opted out: masterzen's Kerberos transport cannot seal messages.
const KerberosOverHTTPMessage = "kerberos over plain HTTP would send every command and its output, " +
	"passwords set on the host included, in clear text: the WinRM client library cannot seal Kerberos messages. " +
	"Use https = true; for a lab host set to AllowUnencrypted=true, opt out with allow_unencrypted_http = true " +
	"(or IIS_ALLOW_UNENCRYPTED_HTTP=true)"

// Key identifies the host and identity a Pool shares clients by: host, port,
// scheme, auth and user. It never contains the password.
func (c Config) Key() string {
	scheme := "http"
	if c.HTTPS {
		scheme = "https"
	}
	user := c.Username
	switch {
	case c.auth() == AuthCertificate:
		user = "cert"
	case c.auth() == AuthKerberos && c.KerberosCCache != "":
		user = "ccache:" + c.KerberosCCache
	}
	return fmt.Sprintf("%s+%s://%s@%s", c.auth(), scheme, user, net.JoinHostPort(strings.ToLower(c.Host), fmt.Sprint(c.port())))
}
