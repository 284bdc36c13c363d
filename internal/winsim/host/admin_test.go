package host

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runAdmin(t *testing.T, h *Host, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := RunAdmin(h, args, &out); err != nil {
		t.Fatalf("admin %q: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestAdminCommandsChangeTheHost(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	t.Setenv("SIM_PW", "Tr0ub4dor&3")
	runAdmin(t, h, "set-computer-name", "web07")
	runAdmin(t, h, "add-user", "svc-app", "--password-env", "SIM_PW")
	runAdmin(t, h, "add-group-member", "Administrators", "svc-app")
	runAdmin(t, h, "set-pool", "DefaultAppPool", "processModel.identityType", "SpecificUser")
	runAdmin(t, h, "set-pool", "DefaultAppPool", "processModel.userName", `WEB07\svc-app`)
	runAdmin(t, h, "set-pool", "DefaultAppPool", "processModel.password", "--value-env", "SIM_PW")
	runAdmin(t, h, "set-anon", "Default Web Site", "userName", "")
	runAdmin(t, h, "enable-rule", "RemoteDesktop-UserMode-In-TCP")

	if name, _ := h.ComputerName(ctx); name != "WEB07" {
		t.Errorf("computer name %q", name)
	}
	if groups, _ := h.GroupsOf(ctx, "svc-app"); len(groups) != 1 || groups[0] != "Administrators" {
		t.Errorf("svc-app groups %v", groups)
	}
	if ok, _ := h.CheckPassword(ctx, "svc-app", "Tr0ub4dor&3"); !ok {
		t.Error("password from the environment not set")
	}
	p, _ := h.AppPool(ctx, "DefaultAppPool")
	if p.Attrs["processModel.identityType"] != "SpecificUser" || p.Attrs["processModel.password"] != "Tr0ub4dor&3" {
		t.Errorf("pool = %v", p.Attrs)
	}
	a, _ := h.AnonymousAuth(ctx, "Default Web Site/x")
	if a.Attrs["userName"] != "" {
		t.Errorf("anon userName %q", a.Attrs["userName"])
	}
	if r, _ := h.FirewallRule(ctx, "RemoteDesktop-UserMode-In-TCP"); !r.Enabled {
		t.Error("rule not enabled")
	}

	show := runAdmin(t, h, "show")
	for _, want := range []string{"WEB07", "DefaultAppPool", "SpecificUser WEB07\\svc-app", "Default Web Site", "Administrator, svc-app", `userName=""`} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	rdpShown := false
	for _, line := range strings.Split(show, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "RemoteDesktop-UserMode-In-TCP" {
			rdpShown = f[1] == "true"
		}
	}
	if !rdpShown {
		t.Errorf("show does not list the enabled RDP rule:\n%s", show)
	}
	if strings.Contains(show, "Tr0ub4dor") || strings.Contains(runAdmin(t, h, "show-json"), "Tr0ub4dor") {
		t.Error("admin output shows a password in clear")
	}
}

func TestAdminRefusesSecretsOnTheCommandLine(t *testing.T) {
	h := New(Options{})
	var out bytes.Buffer
	err := RunAdmin(h, []string{"add-user", "bob", "hunter2"}, &out)
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(out.String(), "hunter2") {
		t.Fatalf("positional password: err=%v out=%q", err, out.String())
	}
	err = RunAdmin(h, []string{"set-pool", "DefaultAppPool", "processModel.password", "hunter2"}, &out)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("password attribute on the command line: %v", err)
	}
	if ok, _ := h.CheckPassword(context.Background(), "bob", "hunter2"); ok {
		t.Fatal("user created from a refused command")
	}
}

func TestAdminUsageAndErrors(t *testing.T) {
	h := New(Options{})
	var out bytes.Buffer
	if err := RunAdmin(h, []string{"frobnicate"}, &out); err == nil || !strings.Contains(out.String(), "usage: admin") {
		t.Fatalf("unknown command: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := RunAdmin(h, []string{"remove-user"}, &out); err == nil || !strings.Contains(out.String(), "remove-user NAME") {
		t.Fatalf("missing argument: %v", err)
	}
	if err := RunAdmin(h, []string{"remove-user", "nobody"}, &out); err == nil || !strings.Contains(err.Error(), "User nobody was not found.") {
		t.Fatalf("missing user: %v", err)
	}
	out.Reset()
	if err := RunAdmin(h, []string{"help"}, &out); err != nil || !strings.Contains(out.String(), "set-anon LOCATION") {
		t.Fatalf("help: %v", err)
	}
}
