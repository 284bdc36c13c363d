package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/iisguard/terraform-provider-iis/internal/acchost"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// Acceptance tests run the real terraform CLI (resource.Test, TF_ACC=1)
// against a host. By default each test starts its own simulated host on
// loopback; with IIS_ACC_HOST set they target that real Windows host.

// testAccProviders serves a fresh provider, with its own connection pool,
// to each test, through the same server main.go serves.
func testAccProviders() map[string]func() (tfprotov6.ProviderServer, error) {
	serve := NewProtocol6Server(New("test")())
	return map[string]func() (tfprotov6.ProviderServer, error){
		"iis": func() (tfprotov6.ProviderServer, error) { return serve(), nil },
	}
}

const (
	simUser     = "administrator"
	simPassword = `S1m-P@ss "quoted" $(not run) ${var}`
	simComputer = "WEB-ACC01"
)

// testHost is the host one acceptance test runs against, and how to log on.
type testHost struct {
	Host, Auth, Username, Password string
	Port                           int
	HTTPS, Insecure                bool
	CACert                         string // PEM
	// ComputerName is what host.info must report; empty when a real host
	// did not say (IIS_ACC_COMPUTER_NAME).
	ComputerName string
	// IISVersion is what host.info must report; empty for a real host.
	IISVersion string

	sim  *winsim.Server // nil for a real host
	host *host.Host     // the simulated host's model, for out-of-band changes
	real *acchost.Admin // a real host's out-of-band agent, once admin connected it
}

// simOptions shape a simulated host.
type simOptions struct {
	TLS        bool
	AllowBasic bool
	// Addr is where the host listens; a free port on 127.0.0.1 when empty.
	// A fleet shares one port on several loopback addresses, because the
	// provider's port applies to every host.
	Addr string
	// AsReal hands the test the host as if it were a real one: no admin
	// API, no counters, out-of-band steps through the out-of-band agent
	// (internal/acchost), which the simulator then runs as well.
	AsReal bool
}

// realPathTest names the test whose subtests run the real-host path
// against the simulator (TestAccRealHostPath): newTestHost gives them
// their host AsReal.
const realPathTest = "TestAccRealHostPath/"

// realHost returns the host named by IIS_ACC_HOST, or nil when none is.
func realHost(t *testing.T) *testHost {
	t.Helper()
	name := os.Getenv("IIS_ACC_HOST")
	if name == "" {
		return nil
	}
	h := &testHost{
		Host:         name,
		Auth:         envOr("IIS_ACC_AUTH", "ntlm"),
		Username:     os.Getenv("IIS_ACC_USERNAME"),
		Password:     os.Getenv("IIS_ACC_PASSWORD"),
		HTTPS:        envOr("IIS_ACC_HTTPS", "true") == "true",
		Insecure:     os.Getenv("IIS_ACC_INSECURE") == "true",
		ComputerName: os.Getenv("IIS_ACC_COMPUTER_NAME"),
	}
	if p := os.Getenv("IIS_ACC_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("IIS_ACC_PORT=%q is not a port", p)
		}
		h.Port = n
	}
	if path := os.Getenv("IIS_ACC_CA_CERT"); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("IIS_ACC_CA_CERT: %v", err)
		}
		h.CACert = string(pem)
	}
	return h
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// newTestHost returns the real host when IIS_ACC_HOST names one, and
// otherwise starts a simulated host for this test.
func newTestHost(t *testing.T, o simOptions) *testHost {
	t.Helper()
	if h := realHost(t); h != nil {
		return h
	}
	o.AsReal = o.AsReal || strings.HasPrefix(t.Name(), realPathTest)
	return newSimHost(t, o)
}

// newSimHost starts a simulated host, stopped when the test ends. Over
// plain HTTP it accepts unencrypted NTLM messages, like a lab host with
// AllowUnencrypted=true.
func newSimHost(t *testing.T, o simOptions) *testHost {
	t.Helper()
	h := host.New(host.Options{ComputerName: simComputer})
	srv, err := startSimServer(t, o, h)
	if err != nil {
		t.Fatalf("start simulated host: %v", err)
	}
	th := &testHost{
		Host: srv.Host(), Port: srv.Port(), HTTPS: o.TLS, CACert: string(srv.CACertPEM()),
		Auth: "ntlm", Username: simUser, Password: simPassword,
		ComputerName: simComputer, IISVersion: "10.0",
		sim: srv, host: h,
	}
	if o.AsReal {
		th.sim, th.host, th.IISVersion = nil, nil, ""
	}
	return th
}

// startSimServer serves the host model h over WinRM until the test ends.
// Starting it again on the same address with the same model is the host
// coming back after a reboot.
func startSimServer(t *testing.T, o simOptions, h *host.Host) (*winsim.Server, error) {
	srv, err := winsim.Start(t.Context(), winsim.Options{
		Addr:             o.Addr,
		TLS:              o.TLS,
		Users:            map[string]string{simUser: simPassword},
		AllowUnencrypted: !o.TLS,
		AllowBasic:       o.AllowBasic,
		Runner:           proc.New(h, procOptions(t, o, h)),
		ComputerName:     simComputer,
		Logf:             t.Logf,
	})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { srv.Close() })
	return srv, nil
}

// procOptions lets a host taken AsReal run the out-of-band agent, which it
// answers from its model as the cmdlets would change Windows.
func procOptions(t *testing.T, o simOptions, h *host.Host) proc.Options {
	if !o.AsReal {
		return proc.Options{}
	}
	b, err := acchost.Bootstrap()
	if err != nil {
		t.Fatal(err)
	}
	return proc.Options{Agents: []proc.Agent{{Bootstrap: b, SHA256: acchost.AgentSHA256(), Handle: h.HandleOutOfBand}}}
}

// providerConfig renders the provider block for h, with extra attribute
// lines added inside it; they must not repeat an attribute rendered here.
func (h *testHost) providerConfig(extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"iis\" {\n")
	attr := func(k, v string) { fmt.Fprintf(&b, "  %s = %s\n", k, v) }
	attr("host", hclString(h.Host))
	if h.Port != 0 {
		attr("port", strconv.Itoa(h.Port))
	}
	attr("https", strconv.FormatBool(h.HTTPS))
	if h.Insecure {
		attr("insecure", "true")
	}
	if h.CACert != "" {
		attr("ca_cert", hclString(h.CACert))
	}
	attr("auth", hclString(h.Auth))
	attr("username", hclString(h.Username))
	attr("password", hclString(h.Password))
	for _, e := range extra {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// hclString quotes s as an HCL string literal: JSON escapes (HCL reads
// them all), plus the doubling that keeps "${" and "%{" from starting a
// template.
func hclString(s string) string {
	raw, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always marshals
	}
	q := string(raw)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// writeOnlyNeedsTF111 skips, saying why, the tests that set write-only
// attributes (password_wo) on a client older than 1.11: the 1.8.5 the
// Makefile builds where no terraform is on PATH, or OpenTofu 1.10 (make
// testacc-tofu), which lacks them too. Terraform and OpenTofu both added
// write-only attributes in 1.11, and tfversion reads the client's own
// version, so one bound serves both.
var writeOnlyNeedsTF111 = []tfversion.TerraformVersionCheck{writeOnlyCheck{}}

type writeOnlyCheck struct{}

func (writeOnlyCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if req.TerraformVersion.LessThan(tfversion.Version1_11_0) {
		resp.Skip = fmt.Sprintf("write-only attributes (password_wo) need Terraform or OpenTofu 1.11 or later; this client is %s", req.TerraformVersion)
	}
}
