package provider

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/review"
)

var updateGolden = flag.Bool("update", false, "rewrite the review golden files in internal/review/testdata/golden")

// reviewGoldenDir holds what `terraform-provider-iis review` prints for the
// plans of TestAccReviewGolden, so a change to the report shows in the diff.
const reviewGoldenDir = "../review/testdata/golden"

// exits is the exit code the review must give for each --fail-on.
type exits struct{ escalation, high, critical int }

// checkReview runs the review on a plan's JSON as a user would, compares
// the markdown and JSON reports with their golden files, checks the exit
// code for every --fail-on, and checks that no secret reached a report.
func checkReview(t *testing.T, name string, plan []byte, want exits, secrets ...string) {
	t.Helper()
	runReview := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := review.Main(context.Background(), args, bytes.NewReader(plan), &out, &errb)
		if code == 2 {
			t.Fatalf("%s: review %v failed: %s", name, args, errb.String())
		}
		return code, out.String()
	}
	for failOn, code := range map[string]int{"escalation": want.escalation, "high": want.high, "critical": want.critical, "never": 0} {
		if got, _ := runReview("--fail-on", failOn); got != code {
			t.Errorf("%s: --fail-on %s exits %d, want %d", name, failOn, got, code)
		}
	}
	_, md := runReview()
	_, js := runReview("--format", "json")
	// The report carries the CLI's version; the golden files should not
	// change with it.
	js = regexp.MustCompile(`"terraform_version": "[^"]*"`).ReplaceAllString(js, `"terraform_version": "(any)"`)
	for _, s := range secrets {
		if strings.Contains(md, s) || strings.Contains(js, s) {
			t.Errorf("%s: a report prints the secret %q", name, s)
		}
	}
	for _, report := range []string{md, js} {
		if strings.Contains(report, "terraform_data") {
			t.Errorf("%s: a report lists the terraform_data resource of another provider:\n%s", name, report)
		}
	}
	compareGolden(t, name+".md", md)
	compareGolden(t, name+".json", js)
}

func compareGolden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join(reviewGoldenDir, file)
	if *updateGolden {
		if err := os.MkdirAll(reviewGoldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("review output differs from %s (rerun with -update if the change is intended):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// goldenConfig is the configuration of one stage of TestAccReviewGolden:
// a pool with its identity, anonymous authentication on the default site,
// a firewall rule, and terraform_data resources of the built-in provider,
// which the review must leave out.
func goldenConfig(h *testHost, stage string, identity, rule []string, extra string) string {
	var b strings.Builder
	b.WriteString(h.providerConfig())
	b.WriteString("resource \"terraform_data\" \"other\" {\n  input = " + hclString(stage) + "\n}\n")
	b.WriteString(poolConfig("shop", "shop"))
	b.WriteString(identityConfig("shop", "iis_app_pool.shop.name", identity...))
	b.WriteString("resource \"iis_anonymous_authentication\" \"site\" {\n  location = \"Default Web Site\"\n}\n")
	b.WriteString("resource \"iis_firewall_rule\" \"web\" {\n")
	for _, a := range rule {
		b.WriteString("  " + a + "\n")
	}
	b.WriteString("}\n")
	b.WriteString(extra)
	return b.String()
}

// TestAccReviewGolden reviews plans made by the real terraform CLI
// against a simulated host, one stage of a configuration's life after
// another: creates, an escalation and a widening, reductions, a replace,
// drift made out of band (in a refresh-only plan and in a plan that puts it
// back), values known only after apply, an escalation accepted in code, and
// a destroy.
func TestAccReviewGolden(t *testing.T) {
	t.Parallel()
	h := newSimHost(t, simOptions{})
	admin := h.oob(t)
	const userSecret = `Review-P@ss "quoted" $(never run)`
	admin.addUser("svc-shop", userSecret)
	secrets := []string{userSecret, simPassword}
	w := newTFWorkdir(t)

	scoped := []string{`name = "web"`, `display_name = "Web"`, `protocol = "TCP"`, `local_ports = ["443"]`,
		`remote_addresses = ["10.1.2.0/24"]`, `profiles = ["Domain"]`}
	apid := []string{`identity_type = "ApplicationPoolIdentity"`}

	// Everything is new: the rule opens a port (a widening from nothing),
	// the pool runs as ApplicationPoolIdentity (least, as without the
	// resource), anonymous requests as IUSR.
	w.configure(goldenConfig(h, "create", apid, scoped, ""))
	w.mustRun("init", "-no-color")
	checkReview(t, "create", w.planJSON(), exits{escalation: 1}, secrets...)
	w.apply()

	// The pool goes to LocalSystem and the rule to every address on UDP
	// high ports on every profile.
	w.configure(goldenConfig(h, "escalation", []string{`identity_type = "LocalSystem"`},
		[]string{`name = "web"`, `display_name = "Web"`, `protocol = "UDP"`, `local_ports = ["1024-65535"]`, `remote_addresses = ["Any"]`, `profiles = ["Any"]`}, ""))
	checkReview(t, "escalation", w.planJSON(), exits{1, 1, 1}, secrets...)
	w.apply()

	// Back down: an ordinary local account with a password in state
	// (sensitive in the plan), and the scoped rule.
	w.configure(goldenConfig(h, "reduction",
		[]string{`identity_type = "SpecificUser"`, `username = ".\\svc-shop"`, `password = ` + hclString(userSecret)}, scoped, ""))
	checkReview(t, "reduction", w.planJSON(), exits{}, secrets...)
	w.apply()

	// A new name replaces the rule; it now admits the intranet.
	replaced := []string{`name = "web-v2"`, `display_name = "Web"`, `protocol = "TCP"`, `local_ports = ["443"]`,
		`remote_addresses = ["Intranet"]`, `profiles = ["Domain"]`}
	cfg := goldenConfig(h, "replace", []string{`identity_type = "SpecificUser"`, `username = ".\\svc-shop"`, `password = ` + hclString(userSecret)}, replaced, "")
	w.configure(cfg)
	checkReview(t, "replace", w.planJSON(), exits{escalation: 1}, secrets...)
	w.apply()

	// An administrator switches the pool to LocalSystem and opens the rule
	// to every address, behind Terraform's back. A refresh-only plan shows
	// only that drift, which is still on the host: it fails the gate.
	admin.setPool("shop", "processModel.identityType", "LocalSystem")
	widenOutOfBand(t, h, nil, "web-v2", "443")
	checkReview(t, "drift-refresh-only", w.planJSON("-refresh-only"), exits{1, 1, 1}, secrets...)
	// A normal plan shows the same drift and puts it back: the drift is
	// reported, the planned reductions are what the gate judges.
	checkReview(t, "drift-reverted", w.planJSON(), exits{}, secrets...)
	w.apply()

	// Values known only after apply: the rule's addresses and the pool's
	// user come from a resource created in the same plan.
	w.configure(goldenConfig(h, "unknown",
		[]string{`identity_type = "SpecificUser"`, `username = terraform_data.user.output`, `password = ` + hclString(userSecret)},
		[]string{`name = "web-v2"`, `display_name = "Web"`, `protocol = "TCP"`, `local_ports = ["443"]`,
			`remote_addresses = [terraform_data.addr.output]`, `profiles = ["Domain"]`},
		"resource \"terraform_data\" \"addr\" {\n  input = \"10.9.0.0/16\"\n}\n"+
			"resource \"terraform_data\" \"user\" {\n  input = \".\\\\svc-shop\"\n}\n"))
	checkReview(t, "unknown", w.planJSON(), exits{1, 1, 1}, secrets...)

	// The pool to LocalSystem again, this time accepted in the resource's
	// code: still reported as an escalation, marked accepted, and no gate
	// fails.
	w.configure(goldenConfig(h, "accepted",
		[]string{`identity_type = "LocalSystem"`, `accept_privilege = "full"`}, replaced, ""))
	checkReview(t, "accepted", w.planJSON(), exits{}, secrets...)

	// Destroying everything lowers privilege and exposure to nothing.
	w.configure(cfg)
	checkReview(t, "destroy", w.planJSON("-destroy"), exits{}, secrets...)
	w.apply()
}
