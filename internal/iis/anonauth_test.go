package iis

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// anonSimCaller answers calls with the simulated host's operation handlers, the
// same code the simulator runs behind WinRM, so these tests hold the typed
// operations to Windows' behaviour as the simulator models it.
type anonSimCaller struct{ h *host.Host }

func (c anonSimCaller) Call(ctx context.Context, op string, args, result any) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	res, perr := c.h.Handle(ctx, op, raw)
	if perr != nil {
		return &remote.Error{Kind: perr.Kind, Op: op, Message: perr.Message}
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(res, result)
}

func anonHost(t *testing.T) (*host.Host, anonSimCaller) {
	t.Helper()
	ctx := context.Background()
	h := host.New(host.Options{ComputerName: "WEB01"})
	if err := h.AddAppPool(ctx, "shop"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddApplication(ctx, "Default Web Site", "/shop", "shop", ""); err != nil {
		t.Fatal(err)
	}
	return h, anonSimCaller{h}
}

func TestAnonymousAuthRoundTrip(t *testing.T) {
	ctx := context.Background()
	h, c := anonHost(t)

	got, err := GetAnonymousAuth(ctx, c, "default web site/SHOP", PasswordProof{})
	if err != nil {
		t.Fatal(err)
	}
	want := AnonymousAuth{Location: "Default Web Site/shop", Enabled: true, Identity: AnonIUSR, LogonMethod: "ClearText"}
	if got != want {
		t.Fatalf("stock = %+v, want %+v", got, want)
	}

	got, err = SetAnonymousAuth(ctx, c, AnonSettings{Location: "Default Web Site/shop", Enabled: true, Identity: AnonSpecificUser, UserName: `WEB01\anon`, Password: "pw-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Configured || got.Identity != AnonSpecificUser || got.UserName != `WEB01\anon` || !got.PasswordSet {
		t.Fatalf("after set = %+v", got)
	}

	// Switching to the pool identity must not leave the password behind.
	got, err = SetAnonymousAuth(ctx, c, AnonSettings{Location: "Default Web Site/shop", Enabled: false, Identity: AnonAppPool, Password: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Identity != AnonAppPool || got.UserName != "" || got.PasswordSet || got.Enabled {
		t.Fatalf("after app_pool = %+v", got)
	}
	v, _ := h.AnonymousAuth(ctx, "Default Web Site/shop")
	if v.Attrs["password"] != "" {
		t.Error("stale password kept on the host")
	}

	got, err = ClearAnonymousAuth(ctx, c, "Default Web Site/shop")
	if err != nil {
		t.Fatal(err)
	}
	if got.Configured || got.Identity != AnonIUSR || !got.Enabled {
		t.Fatalf("after clear the location should inherit IUSR from the server: %+v", got)
	}
}

func TestAnonymousAuthMissingLocationIsNotFound(t *testing.T) {
	_, c := anonHost(t)
	_, err := GetAnonymousAuth(context.Background(), c, "Default Web Site/nope", PasswordProof{})
	if !IsNotFound(err) {
		t.Fatalf("got %v, want not found", err)
	}
	if !strings.Contains(err.Error(), `location "Default Web Site/nope"`) || !strings.Contains(err.Error(), `IIS:\Sites\Default Web Site\nope`) {
		t.Errorf("error does not say which location: %v", err)
	}
}

func TestSetAnonymousAuthRefusesBadSettingsBeforeTheHost(t *testing.T) {
	h, c := anonHost(t)
	before := h.Stats().Ops
	for _, s := range []AnonSettings{
		{Location: "Default Web Site", Identity: AnonIUSR, UserName: "bob"},
		{Location: "Default Web Site", Identity: AnonSpecificUser},
		{Location: "Default Web Site", Identity: AnonSpecificUser, UserName: "IUSR"},
		{Location: "Default Web Site", Identity: "guest"},
		{Location: "/Default Web Site", Identity: AnonIUSR},
	} {
		if _, err := SetAnonymousAuth(context.Background(), c, s); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	if h.Stats().Ops != before {
		t.Error("refused settings reached the host")
	}
}

func TestIdentityFromUserName(t *testing.T) {
	for userName, want := range map[string][2]string{
		"":                         {AnonAppPool, ""},
		"IUSR":                     {AnonIUSR, ""},
		"iusr":                     {AnonIUSR, ""},
		`NT AUTHORITY\IUSR`:        {AnonIUSR, ""},
		`WEB01\anon`:               {AnonSpecificUser, `WEB01\anon`},
		"IUSR_WEB01":               {AnonSpecificUser, "IUSR_WEB01"},
		"anon@corp.example.com":    {AnonSpecificUser, "anon@corp.example.com"},
		`NT AUTHORITY\NETWORK SVC`: {AnonSpecificUser, `NT AUTHORITY\NETWORK SVC`},
	} {
		id, user := IdentityFromUserName(userName)
		if id != want[0] || user != want[1] {
			t.Errorf("IdentityFromUserName(%q) = %s, %q; want %s, %q", userName, id, user, want[0], want[1])
		}
		if back := UserNameFor(id, user); id != AnonIUSR && back != userName {
			t.Errorf("UserNameFor(%s, %q) = %q, want %q", id, user, back, userName)
		}
	}
}

func TestValidateLocation(t *testing.T) {
	for _, ok := range []string{"", "Default Web Site", "Default Web Site/shop", "Site/a/b", "Ünïcode site/app"} {
		if err := ValidateLocation(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for loc, msg := range map[string]string{
		"/":                     "must not start or end with '/'",
		"/Default Web Site":     "must not start or end with '/'",
		"Default Web Site/":     "must not start or end with '/'",
		"Default Web Site//app": "contain '//'",
		`Default Web Site\app`:  "separate the site and the application path with '/'",
		"host|Default Web Site": "separate the site",
		" Default Web Site":     "white space",
		"Site?/app":             `contains "?"`,
		"Site/app\n":            "control character",
	} {
		err := ValidateLocation(loc)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ValidateLocation(%q) = %v, want %q", loc, err, msg)
		}
	}
}

func TestResolveLocationsFollowsApplicationsToPools(t *testing.T) {
	ctx := context.Background()
	h, c := anonHost(t)
	if err := h.SetAppPoolAttr(ctx, "shop", "processModel.identityType", "LocalSystem"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddApplication(ctx, "Default Web Site", "/old", "retired", ""); err != nil {
		t.Fatal(err)
	}
	locs, err := ResolveLocations(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if locs.ComputerName != "WEB01" {
		t.Errorf("computer name %q", locs.ComputerName)
	}
	if got := strings.Join(locs.Names(), "|"); got != "|Default Web Site|Default Web Site/shop|Default Web Site/old" {
		t.Errorf("names = %q", got)
	}
	for loc, want := range map[string]string{"": "", "DEFAULT WEB SITE": "Default Web Site", "default web site/Shop": "Default Web Site/shop"} {
		if got, ok := locs.Find(loc); !ok || got != want {
			t.Errorf("Find(%q) = %q, %v", loc, got, ok)
		}
	}
	if _, ok := locs.Find("Default Web Site/nope"); ok {
		t.Error("found a location that does not exist")
	}
	accounts := map[string]string{}
	for _, a := range locs.Serving("") {
		accounts[a.Location()] = a.PoolAccount()
	}
	want := map[string]string{"Default Web Site": `IIS AppPool\DefaultAppPool`, "Default Web Site/shop": AccountLocalSystem, "Default Web Site/old": ""}
	for loc, acct := range want {
		if accounts[loc] != acct {
			t.Errorf("server level: %s runs as %q, want %q", loc, accounts[loc], acct)
		}
	}
	if s := locs.Serving("Default Web Site"); len(s) != 1 || s[0].Pool != "DefaultAppPool" {
		t.Errorf("site serving = %+v", s)
	}
	if s := locs.Serving("Default Web Site/shop"); len(s) != 1 || s[0].PoolAccount() != AccountLocalSystem {
		t.Errorf("shop serving = %+v", s)
	}
}
