package remote

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	return Config{
		Host:     "web01.example.com",
		HTTPS:    true,
		Username: "deploy",
		Password: "S3cret!pass",
		Scripts:  Scripts{CommandLine: "powershell.exe -NoProfile", AgentLine: []byte("QQ==\n")},
	}
}

// selfSigned returns a PEM certificate and key for tests of TLS settings.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "client"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func TestValidate(t *testing.T) {
	cert, key := selfSigned(t)
	_, otherKey := selfSigned(t)
	// Kerberos settings are checked against a krb5.conf; these are the
	// test's own, never the machine's /etc/krb5.conf.
	dir := t.TempDir()
	krbConf, noRealmConf := filepath.Join(dir, "krb5.conf"), filepath.Join(dir, "norealm.conf")
	writeFile(t, krbConf, "[libdefaults]\n default_realm = EXAMPLE.COM\n dns_lookup_kdc = false\n[realms]\n EXAMPLE.COM = {\n  kdc = kdc.example.com\n }\n")
	writeFile(t, noRealmConf, "[libdefaults]\n dns_lookup_kdc = true\n")
	tests := []struct {
		name string
		mod  func(*Config)
		want string // substring of the error; "" means valid
	}{
		{"https ntlm is valid", func(c *Config) {}, ""},
		{"http ntlm is valid", func(c *Config) { c.HTTPS = false }, ""},
		{"missing host", func(c *Config) { c.Host = " " }, "host is required"},
		{"host with scheme", func(c *Config) { c.Host = "https://web01" }, "without scheme"},
		{"port out of range", func(c *Config) { c.Port = 70000 }, "out of range"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "must not be negative"},
		{"unknown auth", func(c *Config) { c.Auth = "digest" }, `unknown auth "digest"`},
		{"auth is case-insensitive", func(c *Config) { c.Auth = "NTLM" }, ""},
		{"ntlm without user", func(c *Config) { c.Username = "" }, "needs a username"},
		{"basic over http refused", func(c *Config) { c.Auth = AuthBasic; c.HTTPS = false }, "password in the clear"},
		{"basic over http with opt-in", func(c *Config) { c.Auth = AuthBasic; c.HTTPS = false; c.AllowBasicOverHTTP = true }, ""},
		{"basic over https", func(c *Config) { c.Auth = AuthBasic }, ""},
		{"insecure over http", func(c *Config) { c.HTTPS = false; c.Insecure = true }, "only to HTTPS"},
		{"ca_cert over http", func(c *Config) { c.HTTPS = false; c.CACert = cert }, "only to HTTPS"},
		{"insecure with ca_cert", func(c *Config) { c.Insecure = true; c.CACert = cert }, "contradict"},
		{"ca_cert not PEM", func(c *Config) { c.CACert = []byte("not a cert") }, "no PEM certificate"},
		{"ca_cert PEM", func(c *Config) { c.CACert = cert }, ""},
		{"kerberos without realm", func(c *Config) { c.Auth = AuthKerberos; c.KerberosConfigPath = noRealmConf }, "no Kerberos realm"},
		{"kerberos realm from user@REALM", func(c *Config) {
			c.Auth = AuthKerberos
			c.KerberosConfigPath = noRealmConf
			c.Username = "deploy@example.com"
		}, ""},
		{"kerberos realm without KDC", func(c *Config) {
			c.Auth = AuthKerberos
			c.KerberosConfigPath = krbConf
			c.KerberosRealm = "OTHER.EXAMPLE"
		}, "lists no KDC for realm OTHER.EXAMPLE"},
		{"kerberos DOMAIN\\user", func(c *Config) { c.Auth = AuthKerberos; c.KerberosConfigPath = krbConf; c.Username = `EXAMPLE\deploy` }, "user@REALM"},
		{"kerberos missing krb5.conf", func(c *Config) { c.Auth = AuthKerberos; c.KerberosConfigPath = krbConf + ".missing" }, "cannot read the Kerberos configuration"},
		{"kerberos without password", func(c *Config) {
			c.Auth = AuthKerberos
			c.KerberosConfigPath = krbConf
			c.KerberosRealm = "EXAMPLE.COM"
			c.Password = ""
		}, "needs a username and a password"},
		{"kerberos over HTTP", func(c *Config) { c.Auth = AuthKerberos; c.KerberosConfigPath = krbConf; c.HTTPS = false }, "allow_unencrypted_http"},
		{"kerberos over HTTP opted out", func(c *Config) {
			c.Auth = AuthKerberos
			c.KerberosConfigPath = krbConf
			c.HTTPS, c.AllowUnencryptedHTTP = false, true
		}, ""},
		{"kerberos", func(c *Config) {
			c.Auth = AuthKerberos
			c.KerberosConfigPath = krbConf
			c.KerberosRealm = "EXAMPLE.COM"
		}, ""},
		{"cert auth over http", func(c *Config) { c.Auth = AuthCertificate; c.HTTPS = false }, "only over HTTPS"},
		{"cert auth without cert", func(c *Config) { c.Auth = AuthCertificate }, "needs both a client certificate and its key"},
		{"cert auth with mismatched key", func(c *Config) { c.Auth = AuthCertificate; c.ClientCert = cert; c.ClientKey = otherKey }, "do not form a pair"},
		{"cert auth with server name", func(c *Config) {
			c.Auth = AuthCertificate
			c.ClientCert, c.ClientKey = cert, key
			c.TLSServerName = "web01"
		}, "tls_server_name is not supported"},
		{"cert auth", func(c *Config) { c.Auth = AuthCertificate; c.ClientCert, c.ClientKey = cert, key; c.Username = "" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.mod(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Fatalf("Validate() = nil, want error containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("Validate() = %q, want it to contain %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), c.Password) && c.Password != "" {
				t.Fatalf("Validate() error leaks the password: %v", err)
			}
		})
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestKey(t *testing.T) {
	base := validConfig()
	if got, want := base.Key(), "ntlm+https://deploy@web01.example.com:5986"; got != want {
		t.Fatalf("Key() = %q, want %q", got, want)
	}
	if strings.Contains(base.Key(), base.Password) {
		t.Fatal("Key() contains the password")
	}

	otherPassword := base
	otherPassword.Password = "different"
	if base.Key() != otherPassword.Key() {
		t.Error("Key() depends on the password")
	}
	explicitPort := base
	explicitPort.Port = 5986
	upper := base
	upper.Host = "WEB01.example.com"
	for name, c := range map[string]Config{"explicit default port": explicitPort, "host case": upper} {
		if c.Key() != base.Key() {
			t.Errorf("%s: Key() = %q, want %q", name, c.Key(), base.Key())
		}
	}

	httpCfg := base
	httpCfg.HTTPS = false
	if got, want := httpCfg.Key(), "ntlm+http://deploy@web01.example.com:5985"; got != want {
		t.Errorf("http Key() = %q, want %q", got, want)
	}
	for name, mod := range map[string]func(*Config){
		"user": func(c *Config) { c.Username = "other" },
		"auth": func(c *Config) { c.Auth = AuthBasic },
		"port": func(c *Config) { c.Port = 15986 },
		"host": func(c *Config) { c.Host = "web02" },
	} {
		c := base
		mod(&c)
		if c.Key() == base.Key() {
			t.Errorf("changing %s does not change Key()", name)
		}
	}
	v6 := base
	v6.Host = "fe80::1"
	if got := v6.Key(); !strings.Contains(got, "[fe80::1]:5986") {
		t.Errorf("IPv6 Key() = %q, want the address bracketed", got)
	}
}

func TestTimeoutsKeepOperationBelowHTTP(t *testing.T) {
	for _, d := range []time.Duration{0, 300 * time.Millisecond, 5 * time.Second, 60 * time.Second, 10 * time.Minute} {
		c := Config{Timeout: d}
		if c.operationTimeout() < time.Second {
			t.Errorf("timeout %s: operation timeout %s is below WS-Man's one-second resolution", d, c.operationTimeout())
		}
		if c.operationTimeout() > 60*time.Second {
			t.Errorf("timeout %s: operation timeout %s exceeds Windows' MaxTimeoutms", d, c.operationTimeout())
		}
		if c.httpTimeout() <= c.operationTimeout() {
			t.Errorf("timeout %s: HTTP timeout %s not above operation timeout %s", d, c.httpTimeout(), c.operationTimeout())
		}
	}
	if got := (Config{}).operationTimeout(); got != DefaultTimeout {
		t.Errorf("default operation timeout = %s, want %s", got, DefaultTimeout)
	}
}
