package review

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestJSONShapeIsDocumented holds docs/guides/review.md to the shape the
// command writes: every key of a full report is named there, in backticks,
// and the tfplugindocs template is the same page.
func TestJSONShapeIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/guides/review.md")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile("../../templates/guides/review.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != string(tmpl) {
		t.Error("docs/guides/review.md and templates/guides/review.md.tmpl differ: tfplugindocs would undo the edit")
	}
	drift := rc("iis_app_pool_identity.api", "update", identity("least", "a"), identity("full", "b"))
	c := rc("iis_firewall_rule.r", "create", nil, rule("low", "r"))
	c["change"].(obj)["importing"] = obj{"id": "r"}
	_, out, _ := run(t, planJSON(t, []obj{c}, []obj{drift}), "--format", "json")
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	collectKeys(v, keys)
	for k := range keys {
		if !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("JSON key %q is not documented in docs/guides/review.md", k)
		}
	}
	if len(keys) < 25 {
		t.Errorf("only %d keys collected; the sample report is missing parts", len(keys))
	}
}

func collectKeys(v any, keys map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			keys[k] = true
			collectKeys(e, keys)
		}
	case []any:
		for _, e := range x {
			collectKeys(e, keys)
		}
	}
}
