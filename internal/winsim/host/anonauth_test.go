package host

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// call runs one agent operation and decodes its result.
func anonCall[T any](t *testing.T, h *Host, op string, args any) (T, *protocol.Error) {
	t.Helper()
	var out T
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	res, perr := h.Handle(context.Background(), op, raw)
	if perr != nil {
		return out, perr
	}
	if err := json.Unmarshal(res, &out); err != nil {
		t.Fatalf("%s result %s: %v", op, res, err)
	}
	return out, nil
}

func anonMustCall[T any](t *testing.T, h *Host, op string, args any) T {
	t.Helper()
	out, perr := anonCall[T](t, h, op, args)
	if perr != nil {
		t.Fatalf("%s %+v: %v", op, args, perr)
	}
	return out
}

// shopHost is the stock host plus a pool "shop" serving Default Web
// Site/shop.
func shopHost(t *testing.T) *Host {
	t.Helper()
	ctx := context.Background()
	h := New(Options{})
	if err := h.AddAppPool(ctx, "shop"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddApplication(ctx, "Default Web Site", "shop", "shop", ""); err != nil {
		t.Fatal(err)
	}
	return h
}

func anonGet(t *testing.T, h *Host, loc string) hostapi.AnonAuth {
	t.Helper()
	return anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthGet, hostapi.AnonAuthLocation{Location: loc})
}

func TestAnonAuthStockHostInheritsTheServerLevel(t *testing.T) {
	h := shopHost(t)
	server := anonGet(t, h, "")
	want := hostapi.AnonAuth{Location: "", Configured: true, Enabled: true, UserName: "IUSR", LogonMethod: "ClearText"}
	if server != want {
		t.Fatalf("server level = %+v, want %+v", server, want)
	}
	for _, loc := range []string{"Default Web Site", "Default Web Site/shop"} {
		got := anonGet(t, h, loc)
		want := hostapi.AnonAuth{Location: loc, Configured: false, Enabled: true, UserName: "IUSR", LogonMethod: "ClearText"}
		if got != want {
			t.Errorf("%s = %+v, want %+v", loc, got, want)
		}
	}
}

func TestAnonAuthSetWritesOneLocationAndChildrenInherit(t *testing.T) {
	h := shopHost(t)
	got := anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthSet,
		hostapi.AnonAuthSettings{Location: "default web site", Enabled: true, UserName: ""})
	if got.Location != "Default Web Site" || !got.Configured || got.UserName != "" || !got.Enabled {
		t.Fatalf("set site = %+v", got)
	}
	if app := anonGet(t, h, "Default Web Site/shop"); app.Configured || app.UserName != "" {
		t.Errorf("the application should inherit the site's pool identity without a location of its own: %+v", app)
	}
	if server := anonGet(t, h, ""); server.UserName != "IUSR" {
		t.Errorf("server level changed: %+v", server)
	}

	anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthSet,
		hostapi.AnonAuthSettings{Location: "Default Web Site/SHOP", Enabled: false, UserName: `WIN-SIM2022\anon`, Password: "s3cret"})
	app := anonGet(t, h, "Default Web Site/shop")
	if app.Location != "Default Web Site/shop" || !app.Configured || app.Enabled || app.UserName != `WIN-SIM2022\anon` || !app.PasswordSet {
		t.Fatalf("app = %+v", app)
	}
	s, _ := h.Snapshot(context.Background())
	raw, _ := json.Marshal(s)
	if strings.Contains(string(raw), "s3cret") {
		t.Error("the password is stored in clear in the state")
	}
	// An administrator's read opens it, as on Windows.
	v, _ := h.AnonymousAuth(context.Background(), "Default Web Site/shop")
	if v.Attrs["password"] != "s3cret" {
		t.Errorf("admin read of the password = %q", v.Attrs["password"])
	}
}

func TestAnonAuthRefusesLocationsThatDoNotExist(t *testing.T) {
	h := shopHost(t)
	cases := map[string]string{
		"No Such Site":              `Cannot find path 'IIS:\Sites\No Such Site' because it does not exist.`,
		"Default Web Site/nope":     `Cannot find path 'IIS:\Sites\Default Web Site\nope' because it does not exist.`,
		"Default Web Site/shop/sub": `Cannot find path 'IIS:\Sites\Default Web Site\shop\sub' because it does not exist.`,
	}
	for loc, msg := range cases {
		for _, op := range []string{hostapi.OpAnonAuthGet, hostapi.OpAnonAuthSet, hostapi.OpAnonAuthClear} {
			_, perr := anonCall[hostapi.AnonAuth](t, h, op, hostapi.AnonAuthSettings{Location: loc, Enabled: true})
			if perr == nil || perr.Kind != protocol.NotFound || perr.Message != msg {
				t.Errorf("%s %q: got %v, want not_found %q", op, loc, perr, msg)
			}
		}
	}
	s, _ := h.Snapshot(context.Background())
	if n := len(s.IIS.AnonymousAuth.Locations); n != 0 {
		t.Errorf("a refused write left %d location elements", n)
	}
}

func TestAnonAuthClearRestoresInheritanceAndTheStockServerLevel(t *testing.T) {
	h := shopHost(t)
	set := func(loc, user string) {
		anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthSet, hostapi.AnonAuthSettings{Location: loc, Enabled: true, UserName: user})
	}
	set("", "")
	set("Default Web Site/shop", "anon")
	got := anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthClear, hostapi.AnonAuthLocation{Location: "Default Web Site/shop"})
	if got.Configured || got.UserName != "" {
		t.Fatalf("after clear the app should inherit the server's pool identity: %+v", got)
	}
	// Clearing a location without settings is not an error: destroy after
	// an out-of-band clear must succeed.
	anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthClear, hostapi.AnonAuthLocation{Location: "Default Web Site/shop"})

	server := anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthClear, hostapi.AnonAuthLocation{Location: ""})
	want := hostapi.AnonAuth{Location: "", Configured: true, Enabled: true, UserName: "IUSR", LogonMethod: "ClearText"}
	if server != want {
		t.Fatalf("server level after clear = %+v, want the stock %+v (the schema alone would disable anonymous access)", server, want)
	}
}

func TestAnonAuthSectionIsLockedForWebConfig(t *testing.T) {
	ctx := context.Background()
	h := shopHost(t)
	err := h.SetAnonymousAuthWebConfig(ctx, "Default Web Site/shop", "userName", "")
	var perr *protocol.Error
	if !errors.As(err, &perr) || perr.Kind != protocol.Locked || perr.Message != MsgSectionLocked {
		t.Fatalf("web.config write on a stock host: %v, want locked %q", err, MsgSectionLocked)
	}
	// applicationHost.config with a location path works while locked.
	anonMustCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthSet, hostapi.AnonAuthSettings{Location: "Default Web Site/shop", Enabled: true, UserName: "IUSR"})

	if err := h.SetAnonymousAuthOverrideMode(ctx, "allow"); err != nil {
		t.Fatal(err)
	}
	if err := h.SetAnonymousAuthWebConfig(ctx, "Default Web Site/shop", "userName", ""); err != nil {
		t.Fatalf("web.config write once unlocked: %v", err)
	}
	// web.config at the same path wins over the apphost location element.
	if got := anonGet(t, h, "Default Web Site/shop"); got.UserName != "" || !got.Configured {
		t.Errorf("effective value with web.config = %+v", got)
	}
	if err := h.SetAnonymousAuthOverrideMode(ctx, "Deny"); err != nil {
		t.Fatal(err)
	}
	if got := anonGet(t, h, "Default Web Site/shop"); got.UserName != "IUSR" {
		t.Errorf("a locked section's web.config copy must not count: %+v", got)
	}
}

func TestAnonAuthResolveFollowsApplicationsToPoolIdentities(t *testing.T) {
	ctx := context.Background()
	h := shopHost(t)
	if err := h.SetAppPoolAttr(ctx, "shop", "processModel.identityType", "LocalSystem"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddUser(ctx, "svc-blog", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddAppPool(ctx, "blog"); err != nil {
		t.Fatal(err)
	}
	for attr, v := range map[string]string{"processModel.identityType": "SpecificUser", "processModel.userName": "svc-blog"} {
		if err := h.SetAppPoolAttr(ctx, "blog", attr, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.AddSite(ctx, "Blog", "blog", ""); err != nil {
		t.Fatal(err)
	}
	if err := h.AddApplication(ctx, "Blog", "/old", "retired", ""); err != nil {
		t.Fatal(err)
	}
	got := anonMustCall[hostapi.AnonAuthResolution](t, h, hostapi.OpAnonAuthResolve, nil)
	want := []hostapi.AnonAuthApplication{
		{Site: "Default Web Site", Path: "/", Pool: "DefaultAppPool", PoolFound: true, IdentityType: "ApplicationPoolIdentity"},
		{Site: "Default Web Site", Path: "/shop", Pool: "shop", PoolFound: true, IdentityType: "LocalSystem"},
		{Site: "Blog", Path: "/", Pool: "blog", PoolFound: true, IdentityType: "SpecificUser", UserName: "svc-blog"},
		{Site: "Blog", Path: "/old", Pool: "retired"},
	}
	if got.ComputerName != "WIN-SIM2022" || len(got.Applications) != len(want) {
		t.Fatalf("resolution = %+v", got)
	}
	for i := range want {
		if got.Applications[i] != want[i] {
			t.Errorf("application %d = %+v, want %+v", i, got.Applications[i], want[i])
		}
	}
}

func TestAnonAuthArgumentErrorsNeverEchoThePassword(t *testing.T) {
	h := New(Options{})
	_, perr := h.Handle(context.Background(), hostapi.OpAnonAuthSet, json.RawMessage(`{"location":7,"password":"hunter2-secret"}`))
	if perr == nil || perr.Kind != protocol.InvalidArgument {
		t.Fatalf("got %v, want invalid_argument", perr)
	}
	if strings.Contains(perr.Message, "hunter2") {
		t.Fatalf("error echoes the password: %s", perr.Message)
	}
}

func TestAnonAuthAdminCommands(t *testing.T) {
	h := New(Options{})
	t.Setenv("ANON_PW", "An0n-pw")
	runAdmin(t, h, "add-pool", "shop")
	runAdmin(t, h, "add-site", "Shop Site", "shop")
	runAdmin(t, h, "add-app", "Shop Site", "/api")
	runAdmin(t, h, "set-app-pool", "Shop Site", "/api", "shop")
	runAdmin(t, h, "set-anon", "Shop Site/api", "userName", "anon")
	runAdmin(t, h, "set-anon", "Shop Site/api", "password", "--value-env", "ANON_PW")
	var out strings.Builder
	if err := RunAdmin(h, []string{"set-anon-webconfig", "Shop Site", "enabled", "false"}, &out); err == nil || !strings.Contains(err.Error(), "locked at a parent level") {
		t.Fatalf("set-anon-webconfig on a locked section: %v", err)
	}
	runAdmin(t, h, "unlock-anon")
	runAdmin(t, h, "set-anon-webconfig", "Shop Site", "enabled", "false")

	a := anonGet(t, h, "Shop Site/api")
	if a.UserName != "anon" || !a.PasswordSet || a.Enabled {
		t.Errorf("Shop Site/api = %+v", a)
	}
	res := anonMustCall[hostapi.AnonAuthResolution](t, h, hostapi.OpAnonAuthResolve, nil)
	last := res.Applications[len(res.Applications)-1]
	if last.Site != "Shop Site" || last.Path != "/api" || last.Pool != "shop" {
		t.Errorf("last application = %+v", last)
	}
	runAdmin(t, h, "remove-app", "Shop Site", "/api")
	runAdmin(t, h, "remove-site", "Shop Site")
	if _, perr := anonCall[hostapi.AnonAuth](t, h, hostapi.OpAnonAuthGet, hostapi.AnonAuthLocation{Location: "Shop Site"}); perr == nil || perr.Kind != protocol.NotFound {
		t.Errorf("removed site still answers: %v", perr)
	}
	if !strings.Contains(runAdmin(t, h, "help"), "set-anon-webconfig") {
		t.Error("usage does not list the anonymous authentication commands")
	}
}

// The simulator's messages and stock values are the agent's, word for word.
func TestAnonAuthMessagesMatchTheAgent(t *testing.T) {
	ps := string(hostscript.Scripts()["anonauth.ps1"])
	for _, want := range []string{
		"Cannot find path 'IIS:\\Sites\\{0}' because it does not exist.",
		"Cannot find path 'IIS:\\Sites\\{0}{1}' because it does not exist.",
		"-Name enabled -Value $true", "-Name userName -Value 'IUSR'",
		"'" + hostapi.OpAnonAuthGet + "'", "'" + hostapi.OpAnonAuthSet + "'",
		"'" + hostapi.OpAnonAuthClear + "'", "'" + hostapi.OpAnonAuthResolve + "'",
	} {
		if !strings.Contains(ps, want) {
			t.Errorf("anonauth.ps1 does not say %q", want)
		}
	}
	if msgSiteNotFound != strings.Replace("Cannot find path 'IIS:\\Sites\\{0}' because it does not exist.", "{0}", "%s", 1) {
		t.Errorf("msgSiteNotFound drifted from the agent: %q", msgSiteNotFound)
	}
	if stock := stockIIS().AnonymousAuth.Server; stock["enabled"] != "true" || stock["userName"] != "IUSR" {
		t.Errorf("stock server element = %v, the agent restores enabled=true userName=IUSR", stock)
	}
}
