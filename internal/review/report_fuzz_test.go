package review

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Whatever plan JSON comes in, the review ends in a report or an error:
// both renderings succeed, the JSON one parses, and a value marked
// sensitive never reaches either.
func FuzzReport(f *testing.F) {
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"iis_firewall_rule.r","mode":"managed","type":"iis_firewall_rule","change":{"actions":["delete","create"],"before":{"exposure":"low","exposure_reason":"a"},"after":{"exposure":"critical","exposure_reason":"b","host":"SECRET"},"after_sensitive":{"host":true}}}]}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{},"resource_drift":[{"address":"iis_app_pool_identity.p","type":"iis_app_pool_identity","change":{"actions":["update"],"before":{"privilege":"least"},"after":{"privilege":"full","privilege_reason":"SECRET"},"after_sensitive":true}}]}`))
	f.Add([]byte(`{"format_version":"1.0","resource_changes":[{"address":"iis_x.y","type":"iis_x","change":{"actions":["create"],"after":{"privilege":7},"after_unknown":{"privilege_reason":true}}}]}`))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"iis_firewall_rule.r","type":"iis_firewall_rule","change":{"actions":["forget"],"before":{"exposure":"egress","account":"SECRET"},"before_sensitive":{"account":[true]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, failOn := range failOnLevels {
			rep, err := Build(bytes.NewReader(data), failOn)
			if err != nil {
				return
			}
			var md, js bytes.Buffer
			if err := rep.WriteMarkdown(&md); err != nil {
				t.Fatalf("markdown: %v", err)
			}
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatalf("json: %v", err)
			}
			var v map[string]any
			if err := json.Unmarshal(js.Bytes(), &v); err != nil {
				t.Fatalf("the JSON report does not parse: %v\n%s", err, js.String())
			}
			if failOn == FailOnNever && rep.Failed() {
				t.Fatal("--fail-on never failed")
			}
			if !secretsAllMasked(data) {
				continue
			}
			for _, out := range []string{md.String(), js.String()} {
				if strings.Contains(out, "SECRET") {
					t.Fatalf("a sensitive value reached the report:\n%s", out)
				}
			}
		}
	})
}

// secretsAllMasked reports whether every "SECRET" in the input is the
// whole value of an attribute its side's mask marks sensitive: the fuzzer
// mutates freely, so the check applies only while that still holds.
func secretsAllMasked(data []byte) bool {
	total := bytes.Count(data, []byte("SECRET"))
	if total == 0 {
		return false
	}
	var p plan
	if json.Unmarshal(data, &p) != nil {
		return false
	}
	masked := 0
	for _, list := range [][]resourceChange{p.ResourceChanges, p.ResourceDrift} {
		for _, rc := range list {
			for _, side := range []struct{ val, mask []byte }{
				{rc.Change.Before, rc.Change.BeforeSensitive}, {rc.Change.After, rc.Change.AfterSensitive},
			} {
				var attrs map[string]json.RawMessage
				if json.Unmarshal(side.val, &attrs) != nil {
					continue
				}
				m := readMask(side.mask)
				for name, raw := range attrs {
					if string(raw) == `"SECRET"` && m.has(name) {
						masked++
					}
				}
			}
		}
	}
	return masked == total
}
