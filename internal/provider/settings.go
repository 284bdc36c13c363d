package provider

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// Accepted values of the auth attribute.
const (
	authNTLM        = "ntlm"
	authBasic       = "basic"
	authKerberos    = "kerberos"
	authCertificate = "certificate"
)

var authValues = []string{authNTLM, authBasic, authKerberos, authCertificate}

// The defaults are the remote client's, so the provider documents what the
// client actually does.
const (
	defaultTimeout     = remote.DefaultTimeout
	defaultMaxSessions = remote.DefaultMaxSessions
	portHTTP           = remote.DefaultHTTPPort
	portHTTPS          = remote.DefaultHTTPSPort
)

// providerModel is the provider block as Terraform sends it.
type providerModel struct {
	Host               types.String `tfsdk:"host"`
	Port               types.Int64  `tfsdk:"port"`
	HTTPS              types.Bool   `tfsdk:"https"`
	Insecure           types.Bool   `tfsdk:"insecure"`
	CACert             types.String `tfsdk:"ca_cert"`
	TLSServerName      types.String `tfsdk:"tls_server_name"`
	Auth               types.String `tfsdk:"auth"`
	Username           types.String `tfsdk:"username"`
	Password           types.String `tfsdk:"password"`
	KerberosRealm      types.String `tfsdk:"kerberos_realm"`
	KerberosConfig     types.String `tfsdk:"kerberos_config"`
	KerberosSPN        types.String `tfsdk:"kerberos_spn"`
	KerberosCCache     types.String `tfsdk:"kerberos_ccache"`
	ClientCert         types.String `tfsdk:"client_cert"`
	ClientKey          types.String `tfsdk:"client_key"`
	Timeout            types.String `tfsdk:"timeout"`
	MaxSessionsPerHost types.Int64  `tfsdk:"max_sessions_per_host"`
	AllowBasicOverHTTP types.Bool   `tfsdk:"allow_basic_over_http"`
	AllowUnencrypted   types.Bool   `tfsdk:"allow_unencrypted_http"`
	OneShot            types.Bool   `tfsdk:"one_shot"`
	ShareReads         types.Bool   `tfsdk:"share_reads"`
	MaxPrivilege       types.String `tfsdk:"max_privilege"`
	MaxExposure        types.String `tfsdk:"max_exposure"`
}

// settings is the provider configuration once the block, the environment
// and the defaults are merged and checked. It is what every connection is
// built from.
type settings struct {
	Host               string
	Port               int
	HTTPS              bool
	Insecure           bool
	CACert             string
	TLSServerName      string
	Auth               string
	Username           string
	Password           string
	KerberosRealm      string
	KerberosConfig     string
	KerberosSPN        string
	KerberosCCache     string
	ClientCert         string
	ClientKey          string
	Timeout            time.Duration
	MaxSessions        int
	AllowBasicOverHTTP bool
	AllowUnencrypted   bool
	OneShot            bool
	// ShareReads lets the resources of one command share what was read
	// from a host (providerData.reads and firewallRules); off, each
	// resource asks the host itself.
	ShareReads bool
	// Guardrails are the ceilings on privilege and exposure (guardrails.go).
	Guardrails guardrails
}

// secrets lists the values that must be masked in every log line.
func (s settings) secrets() []string {
	var out []string
	for _, v := range []string{s.Password, s.ClientKey} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// lookupEnv is how settings read the environment; tests pass a map so they
// never depend on (or change) the process environment.
type lookupEnv func(key string) (string, bool)

// resolver merges one provider block with the environment. It collects every
// problem at once, so a user fixes a configuration in one round.
type resolver struct {
	env     lookupEnv
	diags   diag.Diagnostics
	unknown []string
}

func (r *resolver) str(attr, env string, v types.String) (string, string) {
	if v.IsUnknown() {
		r.unknown = append(r.unknown, attr)
		return "", ""
	}
	if !v.IsNull() {
		return v.ValueString(), "the provider block"
	}
	if e, ok := r.env(env); ok && e != "" {
		return e, env
	}
	return "", ""
}

func (r *resolver) boolean(attr, env string, v types.Bool, def bool) bool {
	if v.IsUnknown() {
		r.unknown = append(r.unknown, attr)
		return def
	}
	if !v.IsNull() {
		return v.ValueBool()
	}
	e, ok := r.env(env)
	if !ok || e == "" {
		return def
	}
	b, err := strconv.ParseBool(e)
	if err != nil {
		r.diags.AddAttributeError(path.Root(attr), "Invalid "+env,
			fmt.Sprintf("The environment variable %s sets %q, which is %q; accepted forms: true, false, 1, 0.", env, attr, e))
		return def
	}
	return b
}

func (r *resolver) integer(attr, env string, v types.Int64) (int64, string, bool) {
	if v.IsUnknown() {
		r.unknown = append(r.unknown, attr)
		return 0, "", false
	}
	if !v.IsNull() {
		return v.ValueInt64(), "the provider block", true
	}
	e, ok := r.env(env)
	if !ok || e == "" {
		return 0, "", false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(e), 10, 64)
	if err != nil {
		r.diags.AddAttributeError(path.Root(attr), "Invalid "+env,
			fmt.Sprintf("The environment variable %s sets %q, which is %q; it must be a whole number.", env, attr, e))
		return 0, "", false
	}
	return n, env, true
}

// pemOrFile reads a PEM value; from the environment a file path is accepted
// too, because PEM text in an environment variable is awkward to set.
func (r *resolver) pemOrFile(attr, env string, v types.String) string {
	val, from := r.str(attr, env, v)
	if val == "" || from != env || strings.Contains(val, "-----BEGIN") {
		return val
	}
	b, err := os.ReadFile(val)
	if err != nil {
		r.diags.AddAttributeError(path.Root(attr), "Cannot read "+env,
			fmt.Sprintf("The environment variable %s must hold PEM text or the path of a PEM file: %v", env, err))
		return ""
	}
	return string(b)
}

// resolveSettings merges the provider block m with the environment, applies
// defaults and validates the result. Diagnostics point at the attribute that
// is wrong, say where the value came from, and list the accepted forms.
// Settings are incomplete when unknown is not empty: some attribute depends
// on a value Terraform only knows after apply.
func resolveSettings(m providerModel, env lookupEnv) (s settings, unknown []string, diags diag.Diagnostics) {
	r := &resolver{env: env}

	s.Host, _ = r.str("host", "IIS_HOST", m.Host)
	s.HTTPS = r.boolean("https", "IIS_HTTPS", m.HTTPS, true)
	s.Insecure = r.boolean("insecure", "IIS_INSECURE", m.Insecure, false)
	s.CACert = r.pemOrFile("ca_cert", "IIS_CA_CERT", m.CACert)
	s.TLSServerName, _ = r.str("tls_server_name", "IIS_TLS_SERVER_NAME", m.TLSServerName)
	var authFrom string
	s.Auth, authFrom = r.str("auth", "IIS_AUTH", m.Auth)
	s.Username, _ = r.str("username", "IIS_USERNAME", m.Username)
	s.Password, _ = r.str("password", "IIS_PASSWORD", m.Password)
	s.KerberosRealm, _ = r.str("kerberos_realm", "IIS_KERBEROS_REALM", m.KerberosRealm)
	s.KerberosConfig, _ = r.str("kerberos_config", "IIS_KERBEROS_CONFIG", m.KerberosConfig)
	if e, ok := env("KRB5_CONFIG"); ok && s.KerberosConfig == "" && !m.KerberosConfig.IsUnknown() {
		// MIT's and Heimdal's own variable, which a Kerberos user has set
		// already when the realm's krb5.conf is not /etc/krb5.conf.
		s.KerberosConfig = e
	}
	s.KerberosSPN, _ = r.str("kerberos_spn", "IIS_KERBEROS_SPN", m.KerberosSPN)
	s.KerberosCCache, _ = r.str("kerberos_ccache", "IIS_KERBEROS_CCACHE", m.KerberosCCache)
	s.ClientCert = r.pemOrFile("client_cert", "IIS_CLIENT_CERT", m.ClientCert)
	s.ClientKey = r.pemOrFile("client_key", "IIS_CLIENT_KEY", m.ClientKey)
	s.AllowBasicOverHTTP = r.boolean("allow_basic_over_http", "IIS_ALLOW_BASIC_OVER_HTTP", m.AllowBasicOverHTTP, false)
	s.AllowUnencrypted = r.boolean("allow_unencrypted_http", "IIS_ALLOW_UNENCRYPTED_HTTP", m.AllowUnencrypted, false)
	s.OneShot = r.boolean("one_shot", "IIS_ONE_SHOT", m.OneShot, false)
	s.ShareReads = r.boolean("share_reads", "IIS_SHARE_READS", m.ShareReads, true)

	s.Port = portHTTPS
	if !s.HTTPS {
		s.Port = portHTTP
	}
	if p, from, ok := r.integer("port", "IIS_PORT", m.Port); ok {
		if p < 1 || p > 65535 {
			r.diags.AddAttributeError(path.Root("port"), "Invalid port",
				fmt.Sprintf("port from %s is %d; it must be between 1 and 65535 (WinRM listens on 5985 for HTTP and 5986 for HTTPS).", from, p))
		}
		s.Port = int(p)
	}

	s.MaxSessions = defaultMaxSessions
	if n, from, ok := r.integer("max_sessions_per_host", "IIS_MAX_SESSIONS_PER_HOST", m.MaxSessionsPerHost); ok {
		if n < 1 || n > 30 {
			r.diags.AddAttributeError(path.Root("max_sessions_per_host"), "Invalid max_sessions_per_host",
				fmt.Sprintf("max_sessions_per_host from %s is %d; it must be between 1 and 30 (Windows allows 30 shells per user by default).", from, n))
		}
		s.MaxSessions = int(n)
	}

	s.Timeout = defaultTimeout
	if t, from := r.str("timeout", "IIS_TIMEOUT", m.Timeout); t != "" {
		d, err := time.ParseDuration(t)
		switch {
		case err != nil:
			r.diags.AddAttributeError(path.Root("timeout"), "Invalid timeout",
				fmt.Sprintf("timeout from %s is %q; it must be a duration such as \"60s\", \"2m\" or \"1m30s\".", from, t))
		case d <= 0:
			r.diags.AddAttributeError(path.Root("timeout"), "Invalid timeout",
				fmt.Sprintf("timeout from %s is %q; it must be longer than zero.", from, t))
		default:
			s.Timeout = d
		}
	}

	g, gdiags := resolveGuardrails(m.MaxPrivilege, m.MaxExposure, env)
	s.Guardrails = g
	r.diags.Append(gdiags...)

	if s.Auth == "" && !m.Auth.IsUnknown() {
		s.Auth = authNTLM
		authFrom = "the default"
	}
	if len(r.unknown) == 0 {
		checkConsistency(r, s, authFrom)
	}
	return s, r.unknown, r.diags
}

// checkConsistency validates the combinations: what each auth method needs,
// and the transport rules that keep credentials off the wire in clear text.
func checkConsistency(r *resolver, s settings, authFrom string) {
	authPath := path.Root("auth")
	switch s.Auth {
	case authNTLM, authBasic, authKerberos, authCertificate:
	default:
		r.diags.AddAttributeError(authPath, "Invalid auth",
			fmt.Sprintf("auth from %s is %q; accepted values: %s.", authFrom, s.Auth, strings.Join(authValues, ", ")))
		return
	}

	fromCache := s.Auth == authKerberos && s.KerberosCCache != ""
	if s.Auth != authCertificate && !fromCache {
		if s.Username == "" {
			r.diags.AddAttributeError(path.Root("username"), "Missing username",
				fmt.Sprintf("auth %q needs a username: set username in the provider block or IIS_USERNAME.", s.Auth))
		}
		if s.Password == "" {
			r.diags.AddAttributeError(path.Root("password"), "Missing password",
				fmt.Sprintf("auth %q needs a password: set password in the provider block or IIS_PASSWORD.", s.Auth))
		}
	}

	switch s.Auth {
	case authBasic:
		if !s.HTTPS && !s.AllowBasicOverHTTP {
			r.diags.AddAttributeError(authPath, "Basic authentication over HTTP",
				"auth \"basic\" with https = false would send the password, base64-encoded but readable, "+
					"with every request. Use https = true, or auth = \"ntlm\" or \"kerberos\"; for a lab host "+
					"that accepts nothing else, opt in with allow_basic_over_http = true (or IIS_ALLOW_BASIC_OVER_HTTP=true).")
		}
	case authKerberos:
		checkKerberos(r, s)
	case authCertificate:
		if !s.HTTPS {
			r.diags.AddAttributeError(path.Root("https"), "Certificate authentication needs HTTPS",
				"auth \"certificate\" works only over HTTPS: set https = true (the default).")
		}
		if s.ClientCert == "" {
			r.diags.AddAttributeError(path.Root("client_cert"), "Missing client_cert",
				"auth \"certificate\" needs client_cert (PEM) or IIS_CLIENT_CERT.")
		}
		if s.ClientKey == "" {
			r.diags.AddAttributeError(path.Root("client_key"), "Missing client_key",
				"auth \"certificate\" needs client_key (PEM) or IIS_CLIENT_KEY.")
		}
		if s.ClientCert != "" && s.ClientKey != "" {
			// The parse error text is about the PEM structure only; it never
			// quotes the key material.
			if _, err := tls.X509KeyPair([]byte(s.ClientCert), []byte(s.ClientKey)); err != nil {
				r.diags.AddAttributeError(path.Root("client_cert"), "Invalid client certificate",
					"client_cert and client_key must be a PEM certificate and its matching PEM private key.")
			}
		}
	}

	checkTLS(r, s)
	checkUnencrypted(r, s)
}

// checkKerberos validates what a Kerberos logon needs, reading krb5.conf
// and the credential cache (files only, no KDC is asked).
func checkKerberos(r *resolver, s settings) {
	if s.KerberosCCache != "" && s.Password != "" {
		r.diags.AddAttributeError(path.Root("kerberos_ccache"), "kerberos_ccache and password both set",
			"Kerberos logs on either from the credential cache (kerberos_ccache, filled by kinit) or with username and password; remove one.")
		return
	}
	if !s.HTTPS && !s.AllowUnencrypted {
		r.diags.AddAttributeError(path.Root("https"), "Kerberos over HTTP without encryption",
			capitalize(remote.KerberosOverHTTPMessage)+".")
		return
	}
	if s.KerberosCCache == "" && (s.Username == "" || s.Password == "") {
		return // reported above
	}
	_, err := remote.Config{
		Auth: remote.AuthKerberos, Username: s.Username, KerberosRealm: s.KerberosRealm,
		KerberosConfigPath: s.KerberosConfig, KerberosSPN: s.KerberosSPN, KerberosCCache: s.KerberosCCache,
	}.ResolveKerberos()
	var kerr *remote.KerberosError
	if errors.As(err, &kerr) {
		r.diags.AddAttributeError(path.Root(kerr.Setting), "Kerberos settings cannot work", capitalize(kerr.Msg)+".")
	}
}

// checkUnencrypted warns, on every run, that the opt-out is in effect.
func checkUnencrypted(r *resolver, s settings) {
	if !s.AllowUnencrypted {
		return
	}
	if s.HTTPS {
		r.diags.AddAttributeError(path.Root("allow_unencrypted_http"), "allow_unencrypted_http without plain HTTP",
			"allow_unencrypted_http applies only with https = false; over HTTPS TLS encrypts every message. Remove it.")
		return
	}
	r.diags.AddAttributeWarning(path.Root("allow_unencrypted_http"), "WinRM messages are not encrypted",
		"allow_unencrypted_http = true sends every command to the host and its output, passwords set on the host included, "+
			"in clear text over HTTP, and the host must allow it (AllowUnencrypted=true). Anyone on the network path can read "+
			"and change them. Use https = true, or remove allow_unencrypted_http so NTLM messages are sealed.")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checkTLS validates the TLS attributes against the transport: they mean
// nothing over HTTP, and some combinations contradict each other.
func checkTLS(r *resolver, s settings) {
	if !s.HTTPS {
		for _, c := range []struct {
			attr string
			set  bool
		}{{"insecure", s.Insecure}, {"ca_cert", s.CACert != ""}, {"tls_server_name", s.TLSServerName != ""}} {
			if c.set {
				r.diags.AddAttributeError(path.Root(c.attr), "TLS setting without HTTPS",
					c.attr+" applies only to HTTPS connections: set https = true (the default), or remove "+c.attr+".")
			}
		}
		return
	}
	if s.Insecure && s.CACert != "" {
		r.diags.AddAttributeError(path.Root("insecure"), "insecure contradicts ca_cert",
			"ca_cert verifies the host's certificate and insecure = true skips verification; keep ca_cert and remove insecure.")
	}
	if s.Auth == authCertificate && s.TLSServerName != "" {
		r.diags.AddAttributeError(path.Root("tls_server_name"), "tls_server_name not supported with certificate authentication",
			"The WinRM client library ignores tls_server_name with auth = \"certificate\"; connect by the name in the host's certificate instead.")
	}
	if s.CACert != "" {
		if !x509.NewCertPool().AppendCertsFromPEM([]byte(s.CACert)) {
			r.diags.AddAttributeError(path.Root("ca_cert"), "Invalid ca_cert",
				"ca_cert must hold one or more PEM certificates (\"-----BEGIN CERTIFICATE-----\"); use file(\"ca.pem\") to read one from disk.")
		}
	}

	if s.Insecure {
		r.diags.AddAttributeWarning(path.Root("insecure"), "TLS certificate verification is off",
			"insecure = true accepts any certificate, so anyone on the network path can impersonate the host "+
				"and receive the credentials. Prefer ca_cert with the host's CA, and tls_server_name when the "+
				"certificate names another host.")
	}
}
