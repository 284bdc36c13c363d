package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// configErrorHost is never contacted: the configuration is refused before
// any connection, so these tests need no host.
var configErrorHost = testHost{Host: "127.0.0.1", Port: 1, Auth: "ntlm", Username: "ops", Password: "unused-password"}

func TestAccProviderBasicOverHTTPNeedsOptIn(t *testing.T) {
	refused := configErrorHost
	refused.Auth = "basic"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:      refused.providerConfig() + `data "iis_host" "test" {}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Basic authentication over HTTP.*with provider\["registry\.(terraform\.io|opentofu\.org)/hashicorp/iis"\].*auth = "basic".*allow_basic_over_http`),
		}},
	})
}

// With the opt-in, basic over HTTP works against a lab host that accepts it.
func TestAccProviderBasicOverHTTPWithOptIn(t *testing.T) {
	h := newSimHost(t, simOptions{AllowBasic: true})
	h.Auth = "basic"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:            h.providerConfig("allow_basic_over_http = true") + `data "iis_host" "test" {}`,
			ConfigStateChecks: hostChecks(h),
		}},
	})
}

func TestAccProviderUnknownAuth(t *testing.T) {
	bad := configErrorHost
	bad.Auth = "digest"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:      bad.providerConfig() + `data "iis_host" "test" {}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)auth.*value must be one of.*"ntlm".*"basic".*"kerberos".*"certificate".*got: "digest"`),
		}},
	})
}

func TestAccProviderTLSSettingWithoutHTTPS(t *testing.T) {
	bad := configErrorHost
	bad.Insecure = true
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:      bad.providerConfig() + `data "iis_host" "test" {}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)TLS setting without HTTPS.*insecure = true`),
		}},
	})
}

// A wrong password is reported with the host and the user, so the reader
// knows which logon failed, and never with the password, in the error or in
// any log line. The log is written at TRACE to a file the test reads back.
func TestAccProviderWrongPassword(t *testing.T) {
	h := newSimHost(t, simOptions{})
	h.Password = "Wr0ng-but-S3cret-Passw0rd"
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:      h.providerConfig() + `data "iis_host" "test" {}`,
			ExpectError: regexp.MustCompile(`(?s)Access denied by the host.*` + regexp.QuoteMeta(h.Host) + `.*"administrator"`),
		}},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("read the provider log: %v", err)
	}
	log := providerLog(string(raw))
	if !strings.Contains(log, "op=host.info") {
		t.Fatalf("the provider log in %s does not show the operation; the check below would prove nothing", logPath)
	}
	if strings.Contains(log, h.Password) {
		t.Errorf("the password appears in the provider log %s", logPath)
	}
}

// logEntryStart matches the first line of a log entry and captures its
// subsystem ("iis", "sdk.proto", "sdk.helper_resource").
var logEntryStart = regexp.MustCompile(`^\S+ \[(?:TRACE|DEBUG|INFO|WARN|ERROR)\] ([^:\s]+):`)

// providerLog keeps the entries of a TF_ACC_LOG_PATH file written by the
// provider and the SDK serving it, and drops those of the test framework
// itself (sdk.helper_resource), which logs the test's configuration text,
// password included, as the test wrote it.
func providerLog(raw string) string {
	var b strings.Builder
	keep := false
	for _, line := range strings.Split(raw, "\n") {
		if m := logEntryStart.FindStringSubmatch(line); m != nil {
			keep = m[1] != "sdk.helper_resource"
		}
		if keep {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// insecure = true only warns (warnings cannot be asserted by the test
// framework); the read must still work.
func TestAccProviderInsecureStillConnects(t *testing.T) {
	h := newSimHost(t, simOptions{TLS: true})
	h.CACert = ""
	h.Insecure = true
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:            h.providerConfig() + `data "iis_host" "test" {}`,
			ConfigStateChecks: hostChecks(h),
		}},
	})
}

// Without ca_cert or insecure, the simulator's certificate is not trusted
// and the connection is refused: verification is really on by default.
func TestAccProviderUntrustedCertificateRefused(t *testing.T) {
	h := newSimHost(t, simOptions{TLS: true})
	h.CACert = ""
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:      h.providerConfig() + `data "iis_host" "test" {}`,
			ExpectError: regexp.MustCompile(`(?s)` + regexp.QuoteMeta(h.Host) + `.*certificate`),
		}},
	})
}

// A host whose application control policy (WDAC, AppLocker) puts
// PowerShell in ConstrainedLanguage cannot run the agent. The user must
// read that, and what to do, rather than a .NET call refused deep in the
// agent or advice about the password; once the policy is lifted the same
// configuration works.
func TestAccProviderConstrainedLanguageHost(t *testing.T) {
	h := newSimHost(t, simOptions{})
	if err := h.host.SetLanguageMode(context.Background(), "ConstrainedLanguage"); err != nil {
		t.Fatal(err)
	}
	config := h.providerConfig() + `data "iis_host" "test" {}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: config,
			ExpectError: wrappedText("Error: PowerShell on the host runs in ConstrainedLanguage mode", h.Host,
				"where the provider's agent cannot run: it needs FullLanguage",
				"Application Control or AppLocker", "allow FullLanguage for the account"),
		}, {
			PreConfig: func() {
				if n := h.host.Stats().Ops; n != 0 {
					t.Fatalf("the agent answered %d operations on a host in ConstrainedLanguage", n)
				}
				if err := h.host.SetLanguageMode(context.Background(), "FullLanguage"); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			Check:  resource.TestCheckResourceAttr("data.iis_host.test", "computer_name", simComputer),
		}},
	})
}
