package remote_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"strings"
	"sync"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// hostileStrings are values that would break out of a PowerShell string,
// a cmd.exe line or the SOAP envelope if they were ever spliced into one.
var hostileStrings = []string{
	`it's "quoted"`,
	"‘single’ ‚low‛ “double” „low‟",
	"$(Remove-NetFirewallRule)",
	"${env:COMPUTERNAME}",
	"`backtick` `n",
	"a; Stop-Computer -Force",
	"line one\r\nline two\nthree",
	"]]><x:injected/>",
	"<rsp:Stream Name=\"stdin\">",
	"& ^ % ! > nul 2>&1",
	"Ünïcødé 漢字 🔥",
	"@'\nhere-string\n'@",
}

// TestHostileStringsTravelOnlyAsData captures the exact bytes the client
// puts on the wire, as the simulated host receives them, and proves that a
// user's string never appears there outside the base64 JSON payload: not in
// the command line, not in the SOAP envelope, not XML-escaped. It then
// decodes the payload to show the string did travel, intact, as data, and
// reads it back from the host byte for byte.
func TestHostileStringsTravelOnlyAsData(t *testing.T) {
	sim := startHost(t, winsim.Options{}, host.Options{})
	var (
		mu       sync.Mutex
		requests [][]byte
	)
	sim.srv.SetWireTap(func(dir string, body []byte) {
		if dir != "request" {
			return
		}
		mu.Lock()
		requests = append(requests, bytes.Clone(body))
		mu.Unlock()
	})
	cfg := configFor(sim.srv, remote.AuthNTLM)
	cfg.AllowUnencryptedHTTP = true // the capture must read the envelopes
	_, c := newClient(t, cfg)
	ctx := callCtx(t)

	for i, s := range hostileStrings {
		rule := hostapi.FirewallRule{
			Name:        "hostile-" + string(rune('a'+i)),
			DisplayName: "Hostile " + string(rune('a'+i)),
			Description: s,
			Enabled:     "False",
			Direction:   "Inbound",
			Action:      "Block",
		}
		var created hostapi.FirewallRule
		if err := c.Call(ctx, hostapi.OpFirewallRuleCreate, rule, &created); err != nil {
			t.Fatalf("create with description %q: %v", s, err)
		}
		var got hostapi.FirewallRule
		if err := c.Call(ctx, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: rule.Name}, &got); err != nil {
			t.Fatalf("get %s: %v", rule.Name, err)
		}
		if got.Description != s {
			t.Errorf("description read back as %q, want %q byte for byte", got.Description, s)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	var payload strings.Builder
	for _, body := range requests {
		for _, s := range hostileStrings {
			for _, form := range wireForms(s) {
				if bytes.Contains(body, []byte(form)) {
					t.Errorf("hostile string %q appears on the wire as %q:\n%s", s, form, body)
				}
			}
		}
		payload.WriteString(stdinOf(t, body))
	}
	// The strings did travel: inside the base64 JSON request lines.
	found := map[string]bool{}
	for _, line := range strings.Split(payload.String(), "\n") {
		req, err := protocol.DecodeRequest([]byte(line))
		if err != nil || req.Op != hostapi.OpFirewallRuleCreate {
			continue
		}
		var r hostapi.FirewallRule
		if err := json.Unmarshal(req.Args, &r); err != nil {
			t.Fatalf("request args: %v", err)
		}
		found[r.Description] = true
	}
	for _, s := range hostileStrings {
		if !found[s] {
			t.Errorf("hostile string %q not found in any framed request on the wire", s)
		}
	}
}

// wireForms are the ways a string could show up in a SOAP body if it had
// been spliced in: as is, XML-escaped, and each line on its own.
func wireForms(s string) []string {
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(s))
	forms := []string{s, esc.String()}
	for _, part := range strings.Split(s, "\n") {
		if p := strings.TrimSpace(part); len(p) > 6 {
			forms = append(forms, p)
		}
	}
	return forms
}

// stdinOf returns the stdin bytes a Send request carries, decoded from its
// rsp:Stream elements.
func stdinOf(t *testing.T, body []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	var out strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return out.String()
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Stream" {
			continue
		}
		var text string
		if err := dec.DecodeElement(&text, &se); err != nil {
			t.Fatalf("stream element: %v", err)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
		if err != nil {
			t.Fatalf("stdin stream is not base64: %v", err)
		}
		out.Write(raw)
	}
}
