package winsim

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

func TestThirtyFirstShellGetsTheQuotaFault(t *testing.T) {
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true,
		Users: map[string]string{testUser: testPass, "other": "pw"}})
	c := newRawClient(t, s)
	var ids []string
	for range 30 {
		ids = append(ids, c.createShell())
	}
	status, root, raw := c.post(soapRequest(actCreate, "", "PT10S", "", createBody()))
	if status != http.StatusInternalServerError {
		t.Fatalf("31st Create: HTTP %d, want 500\n%s", status, raw)
	}
	if sub := find(root, nsSOAP, "Subcode").child(nsSOAP, "Value").text(); sub != "w:QuotaLimit" {
		t.Errorf("subcode %q, want w:QuotaLimit", sub)
	}
	if code := faultCode(root); code != "2150859173" {
		t.Errorf("WSManFault code %q, want 2150859173", code)
	}
	msg := find(root, nsFault, "Message").text()
	if !strings.Contains(msg, "maximum number of 30 concurrent shells") {
		t.Errorf("message %q", msg)
	}
	if st := s.Stats(); st.ShellsOpen != 30 || st.Shells != 30 {
		t.Errorf("stats %+v", st)
	}

	// Closing one shell makes room for one more; another user has his own quota.
	if status, _, raw := c.post(soapRequest(actDelete, ids[0], "PT10S", "", "")); status != http.StatusOK {
		t.Fatalf("Delete: %d\n%s", status, raw)
	}
	c.createShell()
	other := newRawClient(t, s)
	other.user, other.pass = "other", "pw"
	other.createShell()
}

func TestTwentySixthProcessInAShellIsRefused(t *testing.T) {
	block := runnerFunc(func(ctx context.Context, c proc.Command) int {
		<-ctx.Done()
		return 1
	})
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, Runner: block})
	c := newRawClient(t, s)
	sh := c.createShell()
	for range maxProcessesPerShell {
		c.startCommand(sh, "sleep.exe")
	}
	status, root, raw := c.post(soapRequest(actCommand, sh, "PT10S", "", commandBody("sleep.exe")))
	if status != http.StatusInternalServerError || faultCode(root) != "2147944216" {
		t.Fatalf("26th Command: HTTP %d\n%s", status, raw)
	}
}

func TestUnknownShellAndCommandGetTheInvalidSelectorsFault(t *testing.T) {
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true})
	c := newRawClient(t, s)
	status, root, _ := c.post(soapRequest(actCommand, "0E0E0E0E-0000-4000-8000-000000000000", "PT10S", "", commandBody("x")))
	if status != 500 || faultCode(root) != "2150858843" || !strings.Contains(find(root, nsFault, "Message").text(), "shell was not found") {
		t.Fatalf("unknown shell: HTTP %d code %q", status, faultCode(root))
	}
	sh := c.createShell()
	status, root, _ = c.post(soapRequest(actReceive, sh, "PT1S", "", receiveBody("12345678-0000-4000-8000-000000000000")))
	if status != 500 || faultCode(root) != "2150858843" {
		t.Fatalf("unknown command: HTTP %d code %q", status, faultCode(root))
	}
}

func TestMalformedRequestsGetAFaultNotAPanic(t *testing.T) {
	s := startServer(t, Options{AllowBasic: true, AllowUnencrypted: true, MaxEnvelopeSizeKB: 4})
	c := newRawClient(t, s)
	for name, body := range map[string]string{
		"not XML":         "this is not XML",
		"unclosed":        `<s:Envelope xmlns:s="` + nsSOAP + `"><s:Header>`,
		"not an envelope": `<Envelope/>`,
		"cdata breakout":  soapRequest(actCommand, "X", "", "", `<sh:CommandLine><sh:Command><![CDATA[a]]>]]></sh:Command></sh:CommandLine>`),
	} {
		status, root, raw := c.post(body)
		if status != http.StatusBadRequest || faultCode(root) != "2150858819" {
			t.Errorf("%s: HTTP %d\n%s", name, status, raw)
		}
	}
	status, root, raw := c.post(soapRequest(actCreate, "", "", "", strings.Repeat("<x/>", 2000)))
	if status != http.StatusBadRequest || faultCode(root) != "2150858825" {
		t.Errorf("oversized: HTTP %d\n%s", status, raw)
	}
	status, root, raw = c.post(soapRequest(actCreate, "", "60", "", createBody()))
	if status != http.StatusInternalServerError || faultCode(root) != "2150858767" {
		t.Errorf("bad OperationTimeout: HTTP %d\n%s", status, raw)
	}
}
