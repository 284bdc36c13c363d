package provider

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/kdc"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// Transport security through the real CLI: Kerberos against a real MIT
// KDC, and the opt-out of message encryption over plain HTTP.

const (
	krbRealm = "IIS.TEST"
	// The Kerberos password has shell and HCL metacharacters too; MIT's
	// kadmin.local cannot take a double quote, which simPassword has.
	krbPassword = `Krb-P@ss $(not run) 'q' ${var} ;x`
)

// krbHost is a simulated host in a realm served by a real KDC.
type krbHost struct {
	*testHost
	kdc *kdc.KDC
}

// newKerberosHost starts a KDC with the user simUser and the service
// principal HTTP/127.0.0.1, and a simulated host holding that principal's
// keytab, over HTTPS (or plain HTTP with allowUnencrypted as the host's
// AllowUnencrypted).
func newKerberosHost(t *testing.T, tls, allowUnencrypted bool) *krbHost {
	t.Helper()
	k := kdc.StartForTest(t, krbRealm)
	if err := k.AddUser(t.Context(), simUser, krbPassword); err != nil {
		t.Fatal(err)
	}
	keytab, err := k.AddService(t.Context(), "HTTP/127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	h := host.New(host.Options{ComputerName: simComputer})
	srv, err := winsim.Start(t.Context(), winsim.Options{
		TLS: tls,
		// The local account's password differs from the realm's: only a
		// Kerberos ticket can log this user on with krbPassword.
		Users:            map[string]string{simUser: simPassword},
		Kerberos:         &winsim.KerberosOptions{Keytab: keytab, Realm: krbRealm},
		AllowUnencrypted: allowUnencrypted,
		Runner:           proc.New(h, proc.Options{}),
		ComputerName:     simComputer,
		Logf:             t.Logf,
	})
	if err != nil {
		t.Fatalf("start simulated host: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return &krbHost{
		testHost: &testHost{
			Host: srv.Host(), Port: srv.Port(), HTTPS: tls, CACert: string(srv.CACertPEM()),
			Auth: "kerberos", Username: simUser, Password: krbPassword,
			ComputerName: simComputer, IISVersion: "10.0", sim: srv, host: h,
		},
		kdc: k,
	}
}

// providerConfig is the provider block with the realm's krb5.conf; the
// realm itself comes from its default_realm.
func (h *krbHost) providerConfig(extra ...string) string {
	return h.testHost.providerConfig(append([]string{"kerberos_config = " + hclString(h.kdc.ConfigPath)}, extra...)...)
}

// noSecret fails the test when the Kerberos password shows in out.
func noSecret(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, krbPassword) || strings.Contains(out, "Krb-P@ss") {
		t.Fatalf("the password appears in terraform's output:\n%s", out)
	}
}

// planFails runs terraform plan and returns its output, failing the test
// unless the plan fails and the output matches want.
func planFails(t *testing.T, w *tfWorkdir, want string) string {
	t.Helper()
	out, err := w.run("plan", "-no-color")
	if err == nil {
		t.Fatalf("plan succeeded, want an error matching %q:\n%s", want, out)
	}
	msg := err.Error()
	if !regexp.MustCompile(want).MatchString(strings.Join(strings.Fields(msg), " ")) {
		t.Fatalf("plan failed, but not with %q:\n%s", want, msg)
	}
	noSecret(t, msg)
	t.Logf("refused as expected:\n%s", msg)
	return msg
}

// Kerberos over HTTPS: the provider logs on with a password at the KDC,
// the simulated host accepts the service ticket, a resource is created and
// read back; then from a credential cache that kinit wrote.
func TestAccKerberosHTTPS(t *testing.T) {
	h := newKerberosHost(t, true, false)
	rule := fwRuleConfig("test", "krb-https", `display_name = "Kerberos"`, `protocol = "TCP"`,
		`local_ports = ["8443"]`, `remote_addresses = ["10.0.0.0/8"]`)
	w := newTFWorkdir(t)
	w.configure(h.providerConfig() + `data "iis_host" "test" {}` + "\n" + rule)
	w.mustRun("init", "-no-color")
	out := w.mustRun("apply", "-no-color", "-auto-approve")
	noSecret(t, out)
	if _, err := h.host.FirewallRule(t.Context(), "krb-https"); err != nil {
		t.Fatalf("the rule is not on the host after apply: %v", err)
	}
	st := h.sim.Stats()
	if st.KerberosLogons == 0 || st.AuthFailures != 0 {
		t.Fatalf("host saw %d Kerberos logons and %d failures, want some and none", st.KerberosLogons, st.AuthFailures)
	}
	if out := w.mustRun("plan", "-no-color", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("plan after apply is not empty:\n%s", out)
	}

	// The same user from a credential cache: no password in the
	// configuration at all.
	ccache := filepath.Join(t.TempDir(), "ccache")
	if err := h.kdc.Kinit(t.Context(), simUser, krbPassword, ccache); err != nil {
		t.Fatal(err)
	}
	cached := *h.testHost
	cached.Username, cached.Password = "", ""
	w.configure(strings.NewReplacer("  username = \"\"\n", "", "  password = \"\"\n", "").Replace(
		cached.providerConfig("kerberos_config = "+hclString(h.kdc.ConfigPath), "kerberos_ccache = "+hclString(ccache))) +
		`data "iis_host" "test" {}` + "\n" + rule)
	before := h.sim.Stats().KerberosLogons
	if out := w.mustRun("plan", "-no-color"); !strings.Contains(out, "No changes") {
		t.Fatalf("plan from the credential cache is not empty:\n%s", out)
	}
	if after := h.sim.Stats().KerberosLogons; after == before {
		t.Fatal("the plan from the credential cache made no Kerberos logon")
	}
}

// What a Kerberos user gets wrong, each refused with a message that says
// what to fix, and never with the password in it.
func TestAccKerberosErrors(t *testing.T) {
	h := newKerberosHost(t, true, false)
	// A service principal the KDC knows but whose key this host lacks.
	if _, err := h.kdc.AddService(t.Context(), "HTTP/web02.iis.test"); err != nil {
		t.Fatal(err)
	}
	w := newTFWorkdir(t)
	w.configure(h.providerConfig() + `data "iis_host" "test" {}`)
	w.mustRun("init", "-no-color")

	wrong := *h
	wrongHost := *h.testHost
	wrongHost.Password = "not-the-password"
	wrong.testHost = &wrongHost
	cases := []struct {
		name, config, want string
	}{
		{"wrong password", wrong.providerConfig(),
			`KDC of realm IIS\.TEST refused the logon of administrator@IIS\.TEST \(KDC_ERR_PREAUTH_FAILED\): check the username and password`},
		{"unknown user", strings.Replace(h.providerConfig(), `username = "administrator"`, `username = "nobody@iis.test"`, 1),
			`refused the logon of nobody@IIS\.TEST \(KDC_ERR_C_PRINCIPAL_UNKNOWN\)`},
		{"unknown SPN", h.providerConfig(`kerberos_spn = "HTTP/nowhere.iis.test"`),
			`knows no service principal HTTP/nowhere\.iis\.test \(KDC_ERR_S_PRINCIPAL_UNKNOWN\).*set kerberos_spn`},
		{"ticket for another host", h.providerConfig(`kerberos_spn = "HTTP/web02.iis.test"`),
			`the host refused the Kerberos ticket for HTTP/web02\.iis\.test \(HTTP 401\): check that the host holds the key of that SPN`},
		{"realm without KDC", h.providerConfig(`kerberos_realm = "OTHER.TEST"`),
			`Kerberos settings cannot work.*lists no KDC for realm OTHER\.TEST`},
		{"DOMAIN\\user", strings.Replace(h.providerConfig(), `username = "administrator"`, `username = "IIS\\administrator"`, 1),
			`DOMAIN\\user form, which Kerberos does not use: give user@REALM`},
		{"missing krb5.conf", strings.Replace(h.providerConfig(), hclString(h.kdc.ConfigPath), hclString(h.kdc.ConfigPath+".gone"), 1),
			`Cannot read the Kerberos configuration .*krb5\.conf\.gone: no such file`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.configure(c.config + `data "iis_host" "test" {}`)
			planFails(t, w, c.want)
		})
	}

	// The KDC goes away: the logon cannot start, and the error says so.
	w.configure(h.providerConfig() + `data "iis_host" "test" {}`)
	if err := h.kdc.Stop(); err != nil {
		t.Fatal(err)
	}
	planFails(t, w, `Kerberos logon failed.*Kerberos: cannot reach a KDC of realm IIS\.TEST as listed in .*krb5\.conf`)
}

// Over plain HTTP nothing is sent unencrypted unless the configuration
// says so: Kerberos, which the client cannot seal, is refused at plan time
// naming the fix, and works with allow_unencrypted_http against a host
// that allows unencrypted messages, with a warning on every run.
func TestAccKerberosOverHTTP(t *testing.T) {
	h := newKerberosHost(t, false, true)
	w := newTFWorkdir(t)
	w.configure(h.providerConfig() + `data "iis_host" "test" {}`)
	w.mustRun("init", "-no-color")
	planFails(t, w, `Kerberos over HTTP without encryption.*Use https = true; for a lab host set to AllowUnencrypted=true, opt out with allow_unencrypted_http = true`)
	if st := h.sim.Stats(); st.Requests != 0 {
		t.Fatalf("the refused configuration sent %d requests to the host", st.Requests)
	}

	w.configure(h.providerConfig("allow_unencrypted_http = true") + `data "iis_host" "test" {}`)
	out := w.mustRun("apply", "-no-color", "-auto-approve")
	noSecret(t, out)
	if !strings.Contains(out, "WinRM messages are not encrypted") {
		t.Fatalf("no warning about unencrypted messages:\n%s", out)
	}
	if h.sim.Stats().KerberosLogons == 0 {
		t.Fatal("the host saw no Kerberos logon")
	}
}

// wireTap records the request bodies a simulated host receives.
type wireTap struct {
	mu     sync.Mutex
	bodies [][]byte
}

func tapWire(srv *winsim.Server) *wireTap {
	w := &wireTap{}
	srv.SetWireTap(func(dir string, body []byte) {
		if dir == "request" && len(body) > 0 {
			w.mu.Lock()
			w.bodies = append(w.bodies, bytes.Clone(body))
			w.mu.Unlock()
		}
	})
	return w
}

// clear counts the bodies that are readable SOAP, and all bodies.
func (w *wireTap) clear() (clear, all int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range w.bodies {
		if bytes.Contains(b, []byte("Envelope")) {
			clear++
		}
	}
	return clear, len(w.bodies)
}

// NTLM over plain HTTP seals every message by default. The opt-out,
// allow_unencrypted_http, sends them readable, with a warning, which a
// host with AllowUnencrypted=true accepts and a hardened host refuses
// with a message that names the setting.
func TestAccAllowUnencryptedHTTP(t *testing.T) {
	h := newSimHost(t, simOptions{}) // AllowUnencrypted=true, like a lab host
	tap := tapWire(h.sim)
	w := newTFWorkdir(t)
	rule := `data "iis_host" "test" {}` + "\n" +
		fwRuleConfig("test", "unencrypted", `display_name = "Lab"`, `protocol = "TCP"`, `local_ports = ["8080"]`)

	w.configure(h.providerConfig() + rule)
	w.mustRun("init", "-no-color")
	out := w.mustRun("plan", "-no-color")
	if strings.Contains(out, "not encrypted") {
		t.Fatalf("a warning about unencrypted messages without the opt-out:\n%s", out)
	}
	if clear, all := tap.clear(); all == 0 || clear != 0 {
		t.Fatalf("default: %d of %d requests readable on the wire, want none of some", clear, all)
	}

	w.configure(h.providerConfig("allow_unencrypted_http = true") + rule)
	out = w.mustRun("apply", "-no-color", "-auto-approve")
	if !strings.Contains(out, "WinRM messages are not encrypted") || !strings.Contains(out, "allow_unencrypted_http") {
		t.Fatalf("no warning naming allow_unencrypted_http:\n%s", out)
	}
	if _, err := h.host.FirewallRule(t.Context(), "unencrypted"); err != nil {
		t.Fatalf("the rule is not on the host after apply: %v", err)
	}
	if clear, all := tap.clear(); clear == 0 {
		t.Fatalf("opted out: none of %d requests readable on the wire; the opt-out did not take effect", all)
	}

	// A hardened host (AllowUnencrypted=false) refuses them.
	hard := host.New(host.Options{ComputerName: simComputer})
	srv, err := winsim.Start(t.Context(), winsim.Options{
		Users: map[string]string{simUser: simPassword}, Runner: proc.New(hard, proc.Options{}),
		ComputerName: simComputer, Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hardened := *h
	hardened.Host, hardened.Port = srv.Host(), srv.Port()
	w.configure(hardened.providerConfig("allow_unencrypted_http = true") + `data "iis_host" "test" {}`)
	planFails(t, w, `authentication failed .*allows unencrypted traffic over plain HTTP \(AllowUnencrypted\), or use https`)
	if srv.Stats().UnencryptedRejected == 0 {
		t.Fatal("the hardened host refused nothing as unencrypted")
	}

	// HTTPS and the opt-out contradict each other.
	tls := *h
	tls.HTTPS = true
	w.configure(tls.providerConfig("allow_unencrypted_http = true") + rule)
	planFails(t, w, `allow_unencrypted_http without plain HTTP`)
}

// A Kerberos run at TF_LOG=TRACE, a successful apply and a wrong password:
// neither password appears in terraform's log or the provider's.
func TestAccKerberosSecretsNotInTraceLogs(t *testing.T) {
	dir := t.TempDir()
	tfLog, accLog := filepath.Join(dir, "tf.log"), filepath.Join(dir, "provider.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", tfLog)
	t.Setenv("TF_ACC_LOG_PATH", accLog)
	const wrongPassword = "Wr0ng-Krb-TRACE-pw"
	h := newKerberosHost(t, true, false)
	w := newTFWorkdir(t)
	// The password comes from a sensitive variable, as in a real
	// configuration; a literal would be in main.tf by design.
	config := strings.Replace(h.providerConfig(), "password = "+hclString(krbPassword), "password = var.pw", 1) +
		"variable \"pw\" {\n  type = string\n  sensitive = true\n}\n" + `data "iis_host" "test" {}` + "\n"
	w.configure(config)
	w.env = append(w.env, "TF_VAR_pw="+krbPassword)
	w.mustRun("init", "-no-color")
	noSecret(t, w.mustRun("apply", "-no-color", "-auto-approve"))
	if h.sim.Stats().KerberosLogons == 0 {
		t.Fatal("no Kerberos logon: the run did not exercise the password")
	}
	w.env = append(w.env, "TF_VAR_pw="+wrongPassword)
	if out, err := w.run("plan", "-no-color", "-refresh=true"); err == nil || strings.Contains(err.Error(), wrongPassword) {
		t.Fatalf("wrong password: err = %v\n%s", err, out)
	}
	for _, path := range []string{tfLog, accLog} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("KDC_ERR_PREAUTH_FAILED")) && path == accLog {
			t.Fatalf("%s does not hold the provider's log of the failed logon; the check would prove nothing", path)
		}
		for _, secret := range []string{krbPassword, wrongPassword, "Krb-P@ss"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s holds a password (%.8s...)", path, secret)
			}
		}
	}
}
