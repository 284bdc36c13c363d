package review

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// obj is a shorthand for a JSON object in hand-written plans.
type obj = map[string]any

func rc(address, action string, before, after obj) obj {
	typ := address[:strings.IndexByte(address, '.')]
	actions := []string{action}
	if action == "replace" {
		actions = []string{"delete", "create"}
	}
	var b, a any
	if before != nil {
		b = before
	}
	if after != nil {
		a = after
	}
	return obj{
		"address": address, "mode": "managed", "type": typ, "name": "x",
		"provider_name": "registry.terraform.io/iisguard/iis",
		"change":        obj{"actions": actions, "before": b, "after": a, "after_unknown": obj{}, "before_sensitive": obj{}, "after_sensitive": obj{}},
	}
}

func identity(level, reason string) obj {
	return obj{"host": "web01", "pool": "api", "identity_type": "x", "password": "hunter2", "account": "IIS AppPool\\api", "privilege": level, "privilege_reason": reason}
}

func rule(level, reason string) obj {
	return obj{"host": "web01", "name": "r", "exposure": level, "exposure_reason": reason, "description": "secret-ish description"}
}

func planJSON(t *testing.T, changes []obj, drift []obj) []byte {
	t.Helper()
	p := obj{"format_version": "1.2", "terraform_version": "1.11.4", "planned_values": obj{}, "resource_changes": changes}
	if drift != nil {
		p["resource_drift"] = drift
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func run(t *testing.T, input []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, bytes.NewReader(input), &out, &errb)
	return code, out.String(), errb.String()
}

func TestMalformedInputIsAClearUsageError(t *testing.T) {
	cases := []struct {
		name, input, want string
	}{
		{"empty", "  \n", "empty input"},
		{"binary plan file", "PK\x03\x04\x14\x00rest-of-zip", "binary plan file"},
		{"not an object", `["resource_changes"]`, "not a JSON object"},
		{"truncated", `{"format_version":"1.2","resource_changes":[{"address":`, "not valid JSON"},
		{"syntax error with position", "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {,}\n}", "line 3"},
		{"plan -json log stream", `{"@level":"info","@message":"Terraform 1.11.4","type":"version"}` + "\n" + `{"@level":"info"}`, "terraform plan -json"},
		{"two objects", `{"format_version":"1.2","planned_values":{}} {}`, "stream of JSON lines"},
		{"state instead of plan", `{"format_version":"1.0","values":{"root_module":{}}}`, "JSON of a state"},
		{"unrelated object", `{"hello":"world"}`, "neither resource_changes nor planned_values"},
		{"future major format", `{"format_version":"2.0","planned_values":{}}`, `format_version "2.0" is not supported`},
		{"changes not a list", `{"format_version":"1.2","resource_changes":{"a":1}}`, "unexpected shape"},
		{"after not an object", `{"format_version":"1.2","resource_changes":[{"address":"iis_firewall_rule.r","mode":"managed","type":"iis_firewall_rule","provider_name":"registry.terraform.io/iisguard/iis","change":{"actions":["create"],"before":null,"after":"open"}}]}`,
			`"iis_firewall_rule.r": change.after is not an object`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, []byte(c.input))
			if code != 2 {
				t.Errorf("exit code %d, want 2 (stdout %q)", code, stdout)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not say %q", stderr, c.want)
			}
			if stdout != "" {
				t.Errorf("a failed review printed a report: %q", stdout)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	valid := planJSON(t, nil, nil)
	for _, args := range [][]string{
		{"--fail-on", "medium"},
		{"--format", "html"},
		{"--no-such-flag"},
		{"a.json", "b.json"},
		{filepath.Join(t.TempDir(), "missing.json")},
	} {
		code, _, stderr := run(t, valid, args...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}

func TestReadsPlanFromFileArgument(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	plan := planJSON(t, []obj{rc("iis_app_pool_identity.api", "update", identity("least", "r1"), identity("full", "LocalSystem: full control"))}, nil)
	if err := os.WriteFile(path, plan, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := run(t, []byte("not read"), path)
	if code != 1 || !strings.Contains(stdout, "1 escalation") {
		t.Fatalf("exit %d, report %q; want the file's escalation and exit 1", code, stdout)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	sensitiveReason := rc("iis_anonymous_authentication.site", "update",
		obj{"host": "web01", "username": "CORP\\anon", "password": "hunter2", "account": "CORP\\anon", "privilege": "medium", "privilege_reason": "CORP\\anon: SECRET-REASON-1"},
		obj{"host": "web01", "username": "CORP\\admin", "password": "hunter3", "account": "CORP\\admin", "privilege": "full", "privilege_reason": "CORP\\admin: SECRET-REASON-2"})
	ch := sensitiveReason["change"].(obj)
	ch["before_sensitive"] = obj{"password": true, "privilege_reason": true, "account": true}
	ch["after_sensitive"] = obj{"password": true, "privilege_reason": true, "account": true}

	wholeSensitive := rc("iis_firewall_rule.hidden", "update", rule("low", "SECRET-REASON-3"), rule("critical", "SECRET-REASON-4"))
	wholeSensitive["change"].(obj)["before_sensitive"] = true
	wholeSensitive["change"].(obj)["after_sensitive"] = true
	sensitiveHost := rc("iis_firewall_rule.h", "create", nil, obj{"host": "SECRET-HOST", "exposure": "low", "exposure_reason": "scoped"})
	sensitiveHost["change"].(obj)["after_sensitive"] = obj{"host": true}

	plan := planJSON(t, []obj{sensitiveReason, wholeSensitive, sensitiveHost}, nil)
	for _, format := range []string{"markdown", "json"} {
		_, stdout, _ := run(t, plan, "--format", format)
		for _, secret := range []string{"hunter", "SECRET", "CORP", "secret-ish"} {
			if strings.Contains(stdout, secret) {
				t.Errorf("%s report prints %q:\n%s", format, secret, stdout)
			}
		}
	}
	_, md, _ := run(t, plan)
	// The level is not sensitive here, so the escalation still shows; the
	// fully sensitive rule cannot be judged and says so.
	for _, want := range []string{"medium -> **full**", "(sensitive)", "| **unknown** (fails gate) | `iis_firewall_rule.hidden` | (sensitive) |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	code, js, _ := run(t, plan, "--format", "json")
	var rep struct {
		Changes []struct {
			Address string
			Host    *string
			After   *struct {
				Level     *string
				Reason    *string
				Sensitive []string
			}
			Sensitive []string
		}
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("json report does not parse: %v\n%s", err, js)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1: an escalation and an unreadable level", code)
	}
	for _, c := range rep.Changes {
		switch c.Address {
		case "iis_anonymous_authentication.site":
			if c.After.Reason != nil || strings.Join(c.After.Sensitive, ",") != "reason,account" {
				t.Errorf("site after = %+v; want reason and account withheld as sensitive", *c.After)
			}
		case "iis_firewall_rule.h":
			if c.Host != nil || strings.Join(c.Sensitive, ",") != "host" {
				t.Errorf("rule h host = %v, sensitive %v; want null listed as sensitive", c.Host, c.Sensitive)
			}
		}
	}
}

func TestOtherProvidersIgnored(t *testing.T) {
	aws := rc("aws_instance.web", "create", nil, obj{"ami": "ami-1", "user_data": "SECRET"})
	aws["provider_name"] = "registry.terraform.io/hashicorp/aws"
	otherIIS := rc("iis_web_application.app", "create", nil, obj{"name": "site"})
	otherIIS["provider_name"] = "registry.terraform.io/maxjoehnk/iis"
	futureOwn := rc("iis_ssl_setting.s", "update", obj{"host": "web01"}, obj{"host": "web01"})
	notIIS := rc("iis_firewall_rule.lookalike", "create", nil, rule("critical", "x"))
	notIIS["provider_name"] = "registry.terraform.io/example/iisx"
	data := rc("iis_firewall_rule.d", "read", nil, rule("critical", "x"))
	data["mode"] = "data"
	mine := rc("iis_firewall_rule.web", "create", nil, rule("low", "inbound TCP 443 from 10.1.2.0/255.255.255.0 on Domain: 1 port reachable from 256 private addresses"))

	code, md, _ := run(t, planJSON(t, []obj{aws, otherIIS, notIIS, data, mine, futureOwn}, nil), "--fail-on", "high")
	if code != 0 {
		t.Errorf("exit %d, want 0: the only iis change is a low rule", code)
	}
	// A resource of this provider without a level is still a change to list.
	if !strings.Contains(md, "**0 escalations, 1 widening, 0 reductions, 1 unchanged, 0 drift**") || !strings.Contains(md, "`iis_ssl_setting.s`") {
		t.Errorf("summary wrong:\n%s", md)
	}
	for _, absent := range []string{"aws_instance", "iis_web_application", "lookalike", "iis_firewall_rule.d"} {
		if strings.Contains(md, absent) {
			t.Errorf("report lists %s:\n%s", absent, md)
		}
	}
}

func TestClassesAndGates(t *testing.T) {
	changes := []obj{
		rc("iis_app_pool_identity.sys", "create", nil, identity("full", "LocalSystem: full control of the host")),
		rc("iis_app_pool_identity.apid", "create", nil, identity("least", "ApplicationPoolIdentity")),
		rc("iis_app_pool_identity.net", "update", identity("least", "a"), identity("medium", "NetworkService")),
		rc("iis_firewall_rule.open", "delete", rule("critical", "inbound UDP any port from Any"), nil),
		rc("iis_firewall_rule.re", "replace", rule("medium", "intranet"), rule("high", "inbound TCP 8080 from the internet")),
		rc("iis_firewall_rule.down", "update", rule("high", "b"), rule("low", "c")),
		rc("iis_firewall_rule.out", "update", rule("egress", "b"), rule("egress-low", "c")),
		rc("iis_app_pool.api", "update", obj{"host": "web01", "name": "api"}, obj{"host": "web01", "name": "api", "state": "Stopped"}),
		rc("iis_firewall_rule.noop", "no-op", rule("critical", "x"), rule("critical", "x")),
	}
	plan := planJSON(t, changes, nil)
	code, md, _ := run(t, plan, "--fail-on", "never")
	if code != 0 {
		t.Errorf("--fail-on never: exit %d", code)
	}
	if !strings.Contains(md, "**2 escalations, 1 widening, 3 reductions, 2 unchanged, 0 drift**") {
		t.Errorf("summary wrong:\n%s", md)
	}
	rows := tableRows(md)
	wantOrder := []string{"iis_app_pool_identity.sys", "iis_firewall_rule.re", "iis_app_pool_identity.net",
		"iis_firewall_rule.down", "iis_firewall_rule.out", "iis_firewall_rule.open", "iis_app_pool.api", "iis_app_pool_identity.apid"}
	if len(rows) != len(wantOrder) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(wantOrder), md)
	}
	for i, want := range wantOrder {
		if !strings.Contains(rows[i], "`"+want+"`") {
			t.Errorf("row %d is %q, want %s", i, rows[i], want)
		}
	}
	plain := strings.NewReplacer("**escalation**", "escalation", "**widening**", "widening").Replace(md)
	for _, want := range []string{
		"| escalation | `iis_app_pool_identity.sys` | web01 | create | (new) -> **full** | LocalSystem: full control of the host |",
		"| widening | `iis_firewall_rule.re` | web01 | replace | medium -> **high** |",
		"| reduction | `iis_firewall_rule.open` | web01 | delete | critical -> (destroyed) | was: inbound UDP any port from Any |",
		"| reduction | `iis_firewall_rule.out` | web01 | update | egress -> egress-low |",
		"| unchanged | `iis_app_pool.api` | web01 | update | no privilege or exposure |",
		"| unchanged | `iis_app_pool_identity.apid` | web01 | create | (new) -> least |",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("markdown lacks row %q:\n%s", want, md)
		}
	}

	for failOn, want := range map[string]int{"escalation": 1, "high": 1, "critical": 1, "never": 0} {
		if code, _, _ := run(t, plan, "--fail-on", failOn); code != want {
			t.Errorf("--fail-on %s: exit %d, want %d", failOn, code, want)
		}
	}
	// Without the LocalSystem pool, only high is left.
	withoutSys := planJSON(t, changes[1:], nil)
	for failOn, want := range map[string]int{"escalation": 1, "high": 1, "critical": 0} {
		if code, _, _ := run(t, withoutSys, "--fail-on", failOn); code != want {
			t.Errorf("without sys, --fail-on %s: exit %d, want %d", failOn, code, want)
		}
	}
	// Only NetworkService left rising: medium.
	if code, _, _ := run(t, planJSON(t, changes[2:4], nil), "--fail-on", "high"); code != 0 {
		t.Errorf("a rise to medium fails --fail-on high: exit %d", code)
	}
	if code, _, _ := run(t, planJSON(t, append(changes[3:4:4], changes[5:]...), nil)); code != 0 {
		t.Errorf("reductions alone fail the default gate: exit %d", code)
	}
}

func TestUnknownLevelsFailClosed(t *testing.T) {
	c := rc("iis_app_pool_identity.api", "update", identity("least", "a"), obj{"host": "web01", "pool": "api"})
	c["change"].(obj)["after_unknown"] = obj{"privilege": true, "privilege_reason": true, "account": true}
	plan := planJSON(t, []obj{c}, nil)
	code, md, _ := run(t, plan, "--fail-on", "critical")
	if code != 1 {
		t.Errorf("exit %d, want 1: an unknown level may be any level", code)
	}
	if !strings.Contains(md, "least -> unknown (known after apply) | unknown (known after apply) |") || !strings.Contains(md, "1 unknown") {
		t.Errorf("markdown does not report the unknown level:\n%s", md)
	}
	_, js, _ := run(t, plan, "--format", "json")
	if !strings.Contains(js, `"unknown": [
          "level",
          "reason",
          "account"
        ]`) {
		t.Errorf("json does not list the unknown fields:\n%s", js)
	}
}

func TestDriftReportedAndGatedUnlessThePlanPutsItBack(t *testing.T) {
	drift := []obj{
		rc("iis_app_pool_identity.api", "update", identity("least", "a"), identity("full", "member of Administrators")),
		rc("iis_firewall_rule.web", "update", rule("low", "a"), rule("critical", "from the internet")),
		rc("iis_firewall_rule.gone", "delete", rule("high", "a"), nil),
	}
	refreshOnly := planJSON(t, nil, drift)
	code, md, _ := run(t, refreshOnly)
	if code != 1 {
		t.Errorf("refresh-only plan with drifted escalation: exit %d, want 1", code)
	}
	for _, want := range []string{"**0 escalations, 0 widenings, 0 reductions, 3 drift (2 rises)**", "No planned changes", "#### Drift",
		"| `iis_app_pool_identity.api` | web01 | changed | least -> **full** | member of Administrators |", "| deleted | high -> (destroyed) |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// The plan restores the pool identity: that drift no longer gates, the
	// rule's drift still does.
	fix := rc("iis_app_pool_identity.api", "update", identity("full", "x"), identity("least", "y"))
	fixed := planJSON(t, []obj{fix}, drift[:1])
	if code, md, _ := run(t, fixed); code != 0 || !strings.Contains(md, "changed (plan puts it back)") {
		t.Errorf("reverted drift: exit %d, want 0, and marked:\n%s", code, md)
	}
	if code, _, _ := run(t, planJSON(t, []obj{fix}, drift)); code != 1 {
		t.Errorf("drift the plan leaves: exit %d, want 1", code)
	}
}

func TestMarkdownEscapesPlanText(t *testing.T) {
	c := rc(`iis_firewall_rule.r["a|b`+"`"+`c"]`, "create", nil, rule("low", "<img src=x> | [link](http://x) *bold* \\ new\nline"))
	_, md, _ := run(t, planJSON(t, []obj{c}, nil))
	rows := tableRows(md)
	if len(rows) != 1 {
		t.Fatalf("escaping broke the table: %d rows\n%s", len(rows), md)
	}
	if cells := strings.Count(strings.ReplaceAll(rows[0], `\|`, ""), "|"); cells != 7 {
		t.Errorf("row has %d unescaped pipes, want 7: %s", cells, rows[0])
	}
	for _, want := range []string{"``iis_firewall_rule.r[\"a\\|b`c\"]``", `\<img src=x\>`, `\[link\](http://x)`, `\*bold\*`, `\\ new line`} {
		if !strings.Contains(rows[0], want) {
			t.Errorf("row lacks %q: %s", want, rows[0])
		}
	}
}

func TestEmptyPlan(t *testing.T) {
	code, md, _ := run(t, []byte(`{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{}}`))
	if code != 0 || !strings.Contains(md, "**0 escalations, 0 widenings, 0 reductions, 0 drift**") || !strings.Contains(md, "passed") {
		t.Errorf("empty plan: exit %d\n%s", code, md)
	}
	_, js, _ := run(t, []byte(`{"format_version":"1.2","planned_values":{}}`), "--format", "json")
	if !strings.Contains(js, `"changes": []`) || !strings.Contains(js, `"format_version": "1"`) {
		t.Errorf("empty json report: %s", js)
	}
}

// tableRows returns the data rows of the first table.
func tableRows(md string) []string {
	var rows []string
	inTable := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "|---"):
			inTable = true
		case inTable && strings.HasPrefix(line, "|"):
			rows = append(rows, line)
		case inTable:
			return rows
		}
	}
	return rows
}

func TestMasksOfListsAndNestedValues(t *testing.T) {
	for _, unreadable := range []string{`{"password":tru}`, `"yes"`, `[true]`} {
		if !readMask([]byte(unreadable)).has("host") {
			t.Errorf("unreadable mask %s does not withhold values", unreadable)
		}
	}
	m := readMask([]byte(`{"local_ports":[false,false],"remote_addresses":[false,true],"periodic_restart":{},"nested":{"a":{"b":true}},"flag":false,"odd":"x"}`))
	for name, want := range map[string]bool{"local_ports": false, "remote_addresses": true, "periodic_restart": false, "nested": true, "flag": false, "odd": false, "absent": false} {
		if got := m.has(name); got != want {
			t.Errorf("mask.has(%q) = %t, want %t", name, got, want)
		}
	}
	if !readMask([]byte(" true ")).has("anything") {
		t.Error("a mask of true marks every attribute")
	}
}

func TestRiseAcceptedInCodeIsShownButPassesTheGate(t *testing.T) {
	accepted := identity("full", "LocalSystem: full control of the host")
	accepted["accept_privilege"] = "full"
	tooLow := identity("full", "LocalSystem: full control of the host")
	tooLow["accept_privilege"] = "high"
	outbound := rule("egress", "outbound to anywhere")
	outbound["accept_exposure"] = "medium"
	for _, c := range []struct {
		name   string
		change obj
		want   int
	}{
		{"accepted", rc("iis_app_pool_identity.api", "update", identity("least", "a"), accepted), 0},
		{"accepted below the level", rc("iis_app_pool_identity.api", "update", identity("least", "a"), tooLow), 1},
		{"outbound accepted on the one scale", rc("iis_firewall_rule.out", "create", nil, outbound), 0},
	} {
		plan := planJSON(t, []obj{c.change}, nil)
		for _, failOn := range []string{"escalation", "high", "critical"} {
			if code, _, _ := run(t, plan, "--fail-on", failOn); code != c.want {
				t.Errorf("%s, --fail-on %s: exit %d, want %d", c.name, failOn, code, c.want)
			}
		}
		_, md, _ := run(t, plan)
		if marked := strings.Contains(md, `accepted in code: accept\_`); marked != (c.want == 0) {
			t.Errorf("%s: marked accepted %t:\n%s", c.name, marked, md)
		}
		if c.want == 0 && !strings.Contains(md, "1 escalation") && !strings.Contains(md, "1 widening") {
			t.Errorf("%s: an accepted rise must still be counted:\n%s", c.name, md)
		}
	}
}
