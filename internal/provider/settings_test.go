package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// nullModel is a provider block with nothing set.
func nullModel() providerModel {
	return providerModel{
		Host: types.StringNull(), Port: types.Int64Null(), HTTPS: types.BoolNull(), Insecure: types.BoolNull(),
		CACert: types.StringNull(), TLSServerName: types.StringNull(), Auth: types.StringNull(),
		Username: types.StringValue("administrator"), Password: types.StringValue("s3cret!"),
		KerberosRealm: types.StringNull(), KerberosConfig: types.StringNull(), KerberosSPN: types.StringNull(),
		KerberosCCache: types.StringNull(), AllowUnencrypted: types.BoolNull(),
		ClientCert: types.StringNull(), ClientKey: types.StringNull(), Timeout: types.StringNull(),
		MaxSessionsPerHost: types.Int64Null(), AllowBasicOverHTTP: types.BoolNull(), OneShot: types.BoolNull(),
		ShareReads: types.BoolNull(),
	}
}

func envOf(m map[string]string) lookupEnv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// errorAt returns the first error diagnostic at attribute attr.
func errorAt(diags diag.Diagnostics, attr string) (diag.Diagnostic, bool) {
	for _, d := range diags.Errors() {
		if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().Equal(path.Root(attr)) {
			return d, true
		}
	}
	return nil, false
}

func TestSettingsDefaultsAreSecure(t *testing.T) {
	s, unknown, diags := resolveSettings(nullModel(), envOf(nil))
	if diags.HasError() || len(unknown) > 0 {
		t.Fatalf("unexpected diagnostics %v, unknown %v", diags, unknown)
	}
	if !s.HTTPS || s.Insecure || s.Port != 5986 || s.Auth != "ntlm" || s.Timeout != 60*time.Second || s.MaxSessions != defaultMaxSessions || s.AllowBasicOverHTTP {
		t.Fatalf("defaults: %+v", s)
	}
}

func TestSettingsHTTPDefaultsToPort5985(t *testing.T) {
	m := nullModel()
	m.HTTPS = types.BoolValue(false)
	s, _, diags := resolveSettings(m, envOf(nil))
	if diags.HasError() || s.Port != 5985 {
		t.Fatalf("port %d, diags %v", s.Port, diags)
	}
}

func TestSettingsConfigWinsOverEnvironment(t *testing.T) {
	m := nullModel()
	m.Host = types.StringValue("web01.corp.example")
	env := envOf(map[string]string{
		"IIS_HOST": "other", "IIS_PORT": "15986", "IIS_TIMEOUT": "2m", "IIS_HTTPS": "true",
		"IIS_MAX_SESSIONS_PER_HOST": "8", "IIS_TLS_SERVER_NAME": "web01",
	})
	s, _, diags := resolveSettings(m, env)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.Host != "web01.corp.example" {
		t.Errorf("host = %q, want the provider block's value", s.Host)
	}
	if s.Port != 15986 || s.Timeout != 2*time.Minute || s.MaxSessions != 8 || s.TLSServerName != "web01" {
		t.Errorf("environment not applied: %+v", s)
	}
}

func TestSettingsCredentialsFromEnvironment(t *testing.T) {
	m := nullModel()
	m.Username, m.Password = types.StringNull(), types.StringNull()
	s, _, diags := resolveSettings(m, envOf(map[string]string{"IIS_USERNAME": "ops", "IIS_PASSWORD": "pw"}))
	if diags.HasError() || s.Username != "ops" || s.Password != "pw" {
		t.Fatalf("%+v %v", s, diags)
	}
	if got := s.secrets(); len(got) != 1 || got[0] != "pw" {
		t.Errorf("secrets = %v", got)
	}
}

func TestSettingsBadEnvironmentValueNamesVariableAndAttribute(t *testing.T) {
	_, _, diags := resolveSettings(nullModel(), envOf(map[string]string{"IIS_PORT": "http", "IIS_HTTPS": "yes please"}))
	d, ok := errorAt(diags, "port")
	if !ok || !strings.Contains(d.Detail(), "IIS_PORT") {
		t.Errorf("want an error at port naming IIS_PORT, got %v", diags)
	}
	d, ok = errorAt(diags, "https")
	if !ok || !strings.Contains(d.Detail(), "true, false") {
		t.Errorf("want an error at https listing accepted forms, got %v", diags)
	}
}

// Reads are shared unless the provider block or IIS_SHARE_READS turns
// sharing off; the block wins over the environment.
func TestSettingsShareReads(t *testing.T) {
	for _, c := range []struct {
		name  string
		block types.Bool
		env   map[string]string
		want  bool
	}{
		{"default", types.BoolNull(), nil, true},
		{"empty environment", types.BoolNull(), map[string]string{"IIS_SHARE_READS": ""}, true},
		{"environment false", types.BoolNull(), map[string]string{"IIS_SHARE_READS": "false"}, false},
		{"environment 0", types.BoolNull(), map[string]string{"IIS_SHARE_READS": "0"}, false},
		{"block false", types.BoolValue(false), nil, false},
		{"block wins", types.BoolValue(true), map[string]string{"IIS_SHARE_READS": "false"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := nullModel()
			m.ShareReads = c.block
			s, _, diags := resolveSettings(m, envOf(c.env))
			if diags.HasError() || s.ShareReads != c.want {
				t.Fatalf("ShareReads = %v, want %v (diags %v)", s.ShareReads, c.want, diags)
			}
		})
	}
	_, _, diags := resolveSettings(nullModel(), envOf(map[string]string{"IIS_SHARE_READS": "sometimes"}))
	d, ok := errorAt(diags, "share_reads")
	if !ok || !strings.Contains(d.Detail(), "IIS_SHARE_READS") || !strings.Contains(d.Detail(), "true, false") {
		t.Errorf("want an error at share_reads naming IIS_SHARE_READS and the accepted forms, got %v", diags)
	}
}

func TestSettingsBasicOverHTTPNeedsOptIn(t *testing.T) {
	m := nullModel()
	m.Auth = types.StringValue("basic")
	m.HTTPS = types.BoolValue(false)
	_, _, diags := resolveSettings(m, envOf(nil))
	d, ok := errorAt(diags, "auth")
	if !ok || !strings.Contains(d.Detail(), "allow_basic_over_http") {
		t.Fatalf("want an error at auth naming allow_basic_over_http, got %v", diags)
	}

	_, _, diags = resolveSettings(m, envOf(map[string]string{"IIS_ALLOW_BASIC_OVER_HTTP": "true"}))
	if diags.HasError() {
		t.Fatalf("opt-in by environment refused: %v", diags)
	}

	m.HTTPS = types.BoolValue(true)
	_, _, diags = resolveSettings(m, envOf(nil))
	if diags.HasError() {
		t.Fatalf("basic over HTTPS refused: %v", diags)
	}
}

func TestSettingsUnknownAuthListsAcceptedValues(t *testing.T) {
	_, _, diags := resolveSettings(nullModel(), envOf(map[string]string{"IIS_AUTH": "digest"}))
	d, ok := errorAt(diags, "auth")
	if !ok || !strings.Contains(d.Detail(), "IIS_AUTH") || !strings.Contains(d.Detail(), "ntlm, basic, kerberos, certificate") {
		t.Fatalf("got %v", diags)
	}
}

func TestSettingsTimeoutMustBeAPositiveDuration(t *testing.T) {
	for _, v := range []string{"60", "soon", "-5s", "0s"} {
		m := nullModel()
		m.Timeout = types.StringValue(v)
		_, _, diags := resolveSettings(m, envOf(nil))
		if _, ok := errorAt(diags, "timeout"); !ok {
			t.Errorf("timeout %q accepted", v)
		}
	}
}

func TestSettingsMissingCredentials(t *testing.T) {
	m := nullModel()
	m.Username, m.Password = types.StringNull(), types.StringNull()
	_, _, diags := resolveSettings(m, envOf(nil))
	if _, ok := errorAt(diags, "username"); !ok {
		t.Errorf("no error at username: %v", diags)
	}
	if d, ok := errorAt(diags, "password"); !ok || !strings.Contains(d.Detail(), "IIS_PASSWORD") {
		t.Errorf("no error at password naming IIS_PASSWORD: %v", diags)
	}
}

func TestSettingsCertificateAuthNeedsHTTPSAndAKeyPair(t *testing.T) {
	m := nullModel()
	m.Auth = types.StringValue("certificate")
	m.HTTPS = types.BoolValue(false)
	_, _, diags := resolveSettings(m, envOf(nil))
	for _, attr := range []string{"https", "client_cert", "client_key"} {
		if _, ok := errorAt(diags, attr); !ok {
			t.Errorf("no error at %s: %v", attr, diags)
		}
	}

	m.HTTPS = types.BoolNull()
	m.ClientCert = types.StringValue("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
	m.ClientKey = types.StringValue("-----BEGIN PRIVATE KEY-----\nTOPSECRETKEY\n-----END PRIVATE KEY-----\n")
	_, _, diags = resolveSettings(m, envOf(nil))
	d, ok := errorAt(diags, "client_cert")
	if !ok {
		t.Fatalf("broken key pair accepted: %v", diags)
	}
	if strings.Contains(d.Detail(), "TOPSECRETKEY") {
		t.Errorf("diagnostic quotes the private key: %s", d.Detail())
	}
}

func TestSettingsCACertMustBePEM(t *testing.T) {
	m := nullModel()
	m.CACert = types.StringValue("/etc/ssl/winrm-ca.pem")
	_, _, diags := resolveSettings(m, envOf(nil))
	if d, ok := errorAt(diags, "ca_cert"); !ok || !strings.Contains(d.Detail(), "file(") {
		t.Fatalf("a path in ca_cert must be refused with a hint: %v", diags)
	}
}

func TestSettingsCACertFromEnvironmentMayBeAPath(t *testing.T) {
	ca := selfSignedPEM(t)
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte(ca), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _, diags := resolveSettings(nullModel(), envOf(map[string]string{"IIS_CA_CERT": p}))
	if diags.HasError() || s.CACert != ca {
		t.Fatalf("CA from path not read: %v", diags)
	}
	_, _, diags = resolveSettings(nullModel(), envOf(map[string]string{"IIS_CA_CERT": p + ".missing"}))
	if d, ok := errorAt(diags, "ca_cert"); !ok || !strings.Contains(d.Summary(), "IIS_CA_CERT") {
		t.Fatalf("missing CA file not reported: %v", diags)
	}
}

func TestSettingsInsecureWarns(t *testing.T) {
	m := nullModel()
	m.Insecure = types.BoolValue(true)
	_, _, diags := resolveSettings(m, envOf(nil))
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("want exactly one warning, got %v", diags)
	}
}

func TestSettingsUnknownValuesDeferChecks(t *testing.T) {
	m := nullModel()
	m.Host = types.StringUnknown()
	m.Password = types.StringUnknown()
	_, unknown, diags := resolveSettings(m, envOf(nil))
	if diags.HasError() {
		t.Fatalf("an unknown password must not be reported missing: %v", diags)
	}
	if strings.Join(unknown, ",") != "host,password" {
		t.Fatalf("unknown = %v", unknown)
	}
}

// selfSignedPEM returns a throwaway CA certificate, to check PEM parsing.
func selfSignedPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// The NTLM sealing opt-out: an error over HTTPS, where it means nothing,
// and a warning naming it over HTTP, on every run.
func TestSettingsAllowUnencryptedHTTP(t *testing.T) {
	m := nullModel()
	m.AllowUnencrypted = types.BoolValue(true)
	_, _, diags := resolveSettings(m, envOf(nil))
	if _, ok := errorAt(diags, "allow_unencrypted_http"); !ok {
		t.Fatalf("allow_unencrypted_http with HTTPS: %v, want an error at the attribute", diags)
	}

	m.HTTPS = types.BoolValue(false)
	s, _, diags := resolveSettings(m, envOf(nil))
	if diags.HasError() || !s.AllowUnencrypted {
		t.Fatalf("allow_unencrypted_http over HTTP: %v, %+v", diags, s)
	}
	if w := diags.Warnings(); len(w) != 1 || !strings.Contains(w[0].Detail(), "clear text") {
		t.Fatalf("warnings = %v, want one about clear text", w)
	}

	m.AllowUnencrypted = types.BoolNull()
	s, _, diags = resolveSettings(m, envOf(map[string]string{"IIS_ALLOW_UNENCRYPTED_HTTP": "true"}))
	if diags.HasError() || !s.AllowUnencrypted || len(diags.Warnings()) != 1 {
		t.Fatalf("IIS_ALLOW_UNENCRYPTED_HTTP: %v, %+v", diags, s)
	}
}

// Kerberos: plain HTTP needs the opt-out; the credential cache replaces the
// password and cannot go with one; the realm and krb5.conf are checked
// with no KDC asked, and KRB5_CONFIG is honoured.
func TestSettingsKerberos(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "krb5.conf")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = CORP.TEST\n[realms]\n CORP.TEST = {\n  kdc = 127.0.0.1:88\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := nullModel()
	m.Auth = types.StringValue("kerberos")
	env := envOf(map[string]string{"KRB5_CONFIG": conf})
	s, _, diags := resolveSettings(m, env)
	if diags.HasError() || s.KerberosConfig != conf {
		t.Fatalf("kerberos over HTTPS with KRB5_CONFIG: %v, %+v", diags, s)
	}

	m.HTTPS = types.BoolValue(false)
	_, _, diags = resolveSettings(m, env)
	if d, ok := errorAt(diags, "https"); !ok || !strings.Contains(d.Detail(), "allow_unencrypted_http = true") {
		t.Fatalf("kerberos over HTTP: %v, want an error naming allow_unencrypted_http", diags)
	}
	m.AllowUnencrypted = types.BoolValue(true)
	if _, _, diags = resolveSettings(m, env); diags.HasError() {
		t.Fatalf("kerberos over HTTP opted out: %v", diags)
	}

	m = nullModel()
	m.Auth = types.StringValue("kerberos")
	m.KerberosCCache = types.StringValue(filepath.Join(dir, "ccache"))
	if _, _, diags = resolveSettings(m, env); !diags.HasError() {
		t.Fatal("kerberos_ccache with a password: no error")
	} else if _, ok := errorAt(diags, "kerberos_ccache"); !ok {
		t.Fatalf("kerberos_ccache with a password: %v, want an error at kerberos_ccache", diags)
	}
	m.Username, m.Password = types.StringNull(), types.StringNull()
	if _, _, diags = resolveSettings(m, env); !strings.Contains(fmt.Sprint(diags), "Cannot read the credential cache") {
		t.Fatalf("missing credential cache: %v", diags)
	} else if _, ok := errorAt(diags, "username"); ok {
		t.Fatalf("a credential cache needs no username: %v", diags)
	}

	m = nullModel()
	m.Auth = types.StringValue("kerberos")
	m.KerberosRealm = types.StringValue("ELSEWHERE.TEST")
	if _, _, diags = resolveSettings(m, env); !strings.Contains(fmt.Sprint(diags), "lists no KDC for realm ELSEWHERE.TEST") {
		t.Fatalf("realm without KDC: %v", diags)
	}
}
