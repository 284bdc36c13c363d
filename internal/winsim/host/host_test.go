package host

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

func TestHostInfoOfFreshHost(t *testing.T) {
	h := New(Options{})
	raw, perr := h.Handle(context.Background(), hostapi.OpHostInfo, nil)
	if perr != nil {
		t.Fatalf("host.info: %v", perr)
	}
	var got hostapi.HostInfo
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := hostapi.HostInfo{
		ComputerName: "WIN-SIM2022", OSCaption: "Microsoft Windows Server 2022 Datacenter", OSVersion: "10.0.20348",
		IISVersion: "10.0", PSVersion: "5.1.20348.2849", Domain: "WORKGROUP",
	}
	if got != want {
		t.Fatalf("host.info = %+v, want %+v", got, want)
	}
	if s := h.Stats(); s.Ops != 1 || s.ByOp[hostapi.OpHostInfo] != 1 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestUnknownOperation(t *testing.T) {
	_, perr := New(Options{}).Handle(context.Background(), "iis.pool.explode", json.RawMessage(`{}`))
	if perr == nil || perr.Kind != protocol.InvalidArgument || perr.Message != "unknown operation" {
		t.Fatalf("got %v, want invalid_argument unknown operation", perr)
	}
}

func TestStockAppPoolsLayerDefaults(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	pools, err := h.AppPools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pools {
		names = append(names, p.Name)
	}
	if len(names) != 3 || names[0] != "DefaultAppPool" || names[1] != ".NET v4.5 Classic" || names[2] != ".NET v4.5" {
		t.Fatalf("stock pools = %q", names)
	}
	p, err := h.AppPool(ctx, "defaultapppool")
	if err != nil {
		t.Fatal(err)
	}
	// The schema says NetworkService and "" runtime; applicationPoolDefaults
	// make a pool with nothing of its own ApplicationPoolIdentity on v4.0.
	for attr, want := range map[string]string{
		"processModel.identityType":          "ApplicationPoolIdentity",
		"managedRuntimeVersion":              "v4.0",
		"managedPipelineMode":                "Integrated",
		"processModel.loadUserProfile":       "true",
		"processModel.setProfileEnvironment": "false",
		"queueLength":                        "1000",
		"recycling.periodicRestart.time":     "1.05:00:00",
	} {
		if p.Attrs[attr] != want {
			t.Errorf("DefaultAppPool %s = %q, want %q", attr, p.Attrs[attr], want)
		}
	}
	if len(p.Explicit) != 0 || p.State != "Started" {
		t.Errorf("DefaultAppPool explicit=%v state=%s", p.Explicit, p.State)
	}
	classic, _ := h.AppPool(ctx, ".NET v4.5 Classic")
	if classic.Attrs["managedPipelineMode"] != "Classic" || !classic.Explicit["managedPipelineMode"] {
		t.Errorf("classic pool = %+v", classic)
	}

	// A change of applicationPoolDefaults reaches every pool that does not
	// set the attribute itself.
	if err := h.SetPoolDefault(ctx, "processModel.identityType", "NetworkService"); err != nil {
		t.Fatal(err)
	}
	if err := h.SetAppPoolAttr(ctx, ".NET v4.5", "processModel.identityType", "localsystem"); err != nil {
		t.Fatal(err)
	}
	p, _ = h.AppPool(ctx, "DefaultAppPool")
	q, _ := h.AppPool(ctx, ".NET v4.5")
	if p.Attrs["processModel.identityType"] != "NetworkService" || q.Attrs["processModel.identityType"] != "LocalSystem" {
		t.Fatalf("after defaults change: %s / %s", p.Attrs["processModel.identityType"], q.Attrs["processModel.identityType"])
	}
}

func TestPoolValidation(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	for _, bad := range []string{"", "a/b", "x[1]", "semi;colon", "amp&", string(make([]byte, 65))} {
		if err := h.AddAppPool(ctx, bad); asProtocolError(err).Kind != protocol.InvalidArgument {
			t.Errorf("AddAppPool(%q) = %v, want invalid_argument", bad, err)
		}
	}
	if err := h.AddAppPool(ctx, "defaultAppPool"); asProtocolError(err).Kind != protocol.AlreadyExists {
		t.Errorf("duplicate pool (other case) = %v", err)
	}
	if err := h.SetAppPoolAttr(ctx, "DefaultAppPool", "processModel.identityType", "Root"); asProtocolError(err).Kind != protocol.InvalidArgument {
		t.Errorf("bad enum = %v", err)
	}
	if err := h.SetAppPoolAttr(ctx, "Nope", "autoStart", "false"); asProtocolError(err).Kind != protocol.NotFound {
		t.Errorf("missing pool = %v", err)
	}
	err := h.SetAppPoolAttr(ctx, "DefaultAppPool", "queueLength", "5")
	if asProtocolError(err).Kind != protocol.InvalidArgument {
		t.Errorf("queueLength below 10 = %v", err)
	}
}

// A password is stored sealed, read back in clear by an admin, never put
// in an error, and left in place when the identity type moves away from
// SpecificUser (as a real host does).
func TestPoolPasswordHandling(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	const secret = `p@ss'"$(whoami)`
	for attr, v := range map[string]string{"processModel.identityType": "SpecificUser", "processModel.userName": `WIN-SIM2022\svc`, "processModel.password": secret} {
		if err := h.SetAppPoolAttr(ctx, "DefaultAppPool", attr, v); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := h.Snapshot(ctx)
	stored := s.IIS.Pools[0].Attrs["processModel.password"]
	if stored == secret || stored[:5] != "[enc:" {
		t.Fatalf("password stored as %q", stored)
	}
	p, _ := h.AppPool(ctx, "DefaultAppPool")
	if p.Attrs["processModel.password"] != secret {
		t.Fatal("admin read does not return the clear password")
	}
	if err := h.SetAppPoolAttr(ctx, "DefaultAppPool", "processModel.identityType", "ApplicationPoolIdentity"); err != nil {
		t.Fatal(err)
	}
	p, _ = h.AppPool(ctx, "DefaultAppPool")
	if p.Attrs["processModel.userName"] != `WIN-SIM2022\svc` || p.Attrs["processModel.password"] != secret {
		t.Fatal("stale credentials were cleared; a real host keeps them")
	}
}

func TestStockSitesAndApplications(t *testing.T) {
	apps, err := New(Options{}).Applications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := AppView{Site: "Default Web Site", Path: "/", ApplicationPool: "DefaultAppPool", PhysicalPath: `%SystemDrive%\inetpub\wwwroot`}
	if len(apps) != 1 || apps[0] != want {
		t.Fatalf("applications = %+v", apps)
	}
}

func TestAnonymousAuthLocations(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	srv, _ := h.AnonymousAuth(ctx, "")
	if srv.Attrs["enabled"] != "true" || srv.Attrs["userName"] != "IUSR" || srv.OverrideModeDefault != "Deny" {
		t.Fatalf("server level = %+v", srv)
	}
	app, _ := h.AnonymousAuth(ctx, "Default Web Site/app")
	if app.Attrs["userName"] != "IUSR" || len(app.Explicit) != 0 {
		t.Fatalf("inherited = %+v", app)
	}
	// Site-level location, then a deeper one: the deeper wins below it,
	// the site's applies beside it.
	if err := h.SetAnonymousAuth(ctx, "Default Web Site", "userName", ""); err != nil {
		t.Fatal(err)
	}
	if err := h.SetAnonymousAuth(ctx, "Default Web Site/app/", "enabled", "False"); err != nil {
		t.Fatal(err)
	}
	app, _ = h.AnonymousAuth(ctx, "default web site/APP")
	if app.Attrs["userName"] != "" || app.Attrs["enabled"] != "false" || !app.Explicit["enabled"] || app.Explicit["userName"] {
		t.Fatalf("layered = %+v", app)
	}
	other, _ := h.AnonymousAuth(ctx, "Default Web Site/other")
	if other.Attrs["enabled"] != "true" || other.Attrs["userName"] != "" {
		t.Fatalf("sibling = %+v", other)
	}
	if err := h.ClearAnonymousAuth(ctx, "Default Web Site/app"); err != nil {
		t.Fatal(err)
	}
	app, _ = h.AnonymousAuth(ctx, "Default Web Site/app")
	if app.Attrs["enabled"] != "true" || len(app.Explicit) != 0 {
		t.Fatalf("after clear = %+v", app)
	}
	if err := h.ClearAnonymousAuth(ctx, "Default Web Site/app"); asProtocolError(err).Kind != protocol.NotFound {
		t.Fatalf("second clear = %v", err)
	}
}

func TestStockAccounts(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	s, _ := h.Snapshot(ctx)
	users := map[string]User{}
	for _, u := range s.Accounts.Users {
		users[u.Name] = u
	}
	if u, ok := users["Administrator"]; !ok || u.Disabled || u.SID != stockMachineSID+"-500" {
		t.Errorf("Administrator = %+v", u)
	}
	if u := users["Guest"]; !u.Disabled {
		t.Error("Guest should be disabled")
	}
	if _, ok := users["IUSR"]; ok {
		t.Error("IUSR is a built-in principal, not a SAM user")
	}
	admins, _ := h.GroupsOf(ctx, "administrator")
	if len(admins) != 1 || admins[0] != "Administrators" {
		t.Errorf("Administrator's groups = %v", admins)
	}
	iusr, err := h.GroupsOf(ctx, "IUSR")
	if err != nil || len(iusr) != 1 || iusr[0] != "IIS_IUSRS" {
		t.Errorf("IUSR's groups = %v, %v", iusr, err)
	}
}

func TestAccountsChanges(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	if err := h.AddUser(ctx, "svc-web", "S3cret!"); err != nil {
		t.Fatal(err)
	}
	if err := h.AddUser(ctx, "SVC-WEB", "x"); asProtocolError(err).Kind != protocol.AlreadyExists {
		t.Fatalf("duplicate user = %v", err)
	}
	if err := h.AddUser(ctx, "bad/name", "x"); asProtocolError(err).Kind != protocol.InvalidArgument {
		t.Fatalf("bad name = %v", err)
	}
	if err := h.AddUser(ctx, "twenty-one-characters", "x"); asProtocolError(err).Kind != protocol.InvalidArgument {
		t.Fatalf("long name = %v", err)
	}
	if err := h.AddGroupMember(ctx, "Administrators", `WIN-SIM2022\svc-web`); err != nil {
		t.Fatal(err)
	}
	if err := h.AddGroupMember(ctx, "Administrators", "svc-web"); asProtocolError(err).Kind != protocol.AlreadyExists {
		t.Fatalf("second add = %v", err)
	}
	if err := h.AddGroupMember(ctx, "Administrators", `CONTOSO\alice`); asProtocolError(err).Kind != protocol.NotFound {
		t.Fatalf("domain account on a workgroup host = %v", err)
	}
	if ok, _ := h.CheckPassword(ctx, "svc-web", "S3cret!"); !ok {
		t.Fatal("right password refused")
	}
	if ok, _ := h.CheckPassword(ctx, "svc-web", "s3cret!"); ok {
		t.Fatal("password compared without case")
	}
	if err := h.RemoveUser(ctx, "svc-web"); err != nil {
		t.Fatal(err)
	}
	s, _ := h.Snapshot(ctx)
	for _, g := range s.Accounts.Groups {
		for _, m := range g.Members {
			if m == "svc-web" {
				t.Fatalf("removed user still in %s", g.Name)
			}
		}
	}
	if err := h.RemoveGroupMember(ctx, "Administrators", "svc-web"); asProtocolError(err).Kind != protocol.NotFound {
		t.Fatalf("remove non-member = %v", err)
	}
}

func TestStockFirewallRules(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	r, err := h.FirewallRule(ctx, "iis-webserverrole-http-in-tcp")
	if err != nil {
		t.Fatal(err)
	}
	if r.DisplayName != "World Wide Web Services (HTTP Traffic-In)" || !r.Enabled || r.Protocol != "TCP" || r.LocalPorts[0] != "80" {
		t.Fatalf("HTTP rule = %+v", r)
	}
	pub, _ := h.FirewallRule(ctx, "WINRM-HTTP-In-TCP-PUBLIC")
	if len(pub.RemoteAddresses) != 1 || pub.RemoteAddresses[0] != "LocalSubnet" || pub.Profiles[0] != "Public" {
		t.Fatalf("WinRM public rule = %+v", pub)
	}
	rdp, _ := h.FirewallRule(ctx, "RemoteDesktop-UserMode-In-TCP")
	if rdp.Enabled {
		t.Fatal("RDP is off on a fresh server")
	}
	for _, name := range []string{"RemoteDesktop-UserMode-In-TCP", "WINRM-HTTP-In-TCP", "CoreNet-ICMP4-DUFRAG-In", "FPS-ICMP4-ERQ-In", "IIS-WebServerRole-HTTPS-In-TCP"} {
		if _, err := h.FirewallRule(ctx, name); err != nil {
			t.Errorf("stock rule %s: %v", name, err)
		}
	}
	_, err = h.FirewallRule(ctx, "nope")
	if pe := asProtocolError(err); pe.Kind != protocol.NotFound || pe.Message != "No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to 'nope'.  Verify the value of the property and retry." {
		t.Fatalf("missing rule = %v", err)
	}
	if err := h.RemoveFirewallRule(ctx, ""); asProtocolError(err).Kind != protocol.InvalidArgument {
		t.Fatalf("empty-name remove = %v", err)
	}
	if err := h.AddFirewallRule(ctx, FWRule{Name: "WINRM-HTTP-In-TCP", DisplayName: "dup"}); asProtocolError(err).Kind != protocol.AlreadyExists {
		t.Fatalf("duplicate rule = %v", err)
	}
}

// A process starts in FullLanguage or, under WDAC/AppLocker script
// enforcement, ConstrainedLanguage; the other modes belong to session
// configurations, which the simulator does not model.
func TestLanguageModeIsFullOrConstrained(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	if m, err := h.LanguageMode(ctx); err != nil || m != FullLanguage {
		t.Fatalf("fresh host: %q, %v; want FullLanguage", m, err)
	}
	if err := h.SetLanguageMode(ctx, "constrainedlanguage"); err != nil {
		t.Fatal(err)
	}
	if m, _ := h.LanguageMode(ctx); m != ConstrainedLanguage {
		t.Fatalf("after set: %q, want ConstrainedLanguage", m)
	}
	for _, bad := range []string{"RestrictedLanguage", "NoLanguage", ""} {
		var pe *protocol.Error
		if err := h.SetLanguageMode(ctx, bad); !errors.As(err, &pe) || pe.Kind != protocol.InvalidArgument {
			t.Errorf("SetLanguageMode(%q) = %v, want invalid_argument", bad, err)
		}
	}
	if err := h.SetLanguageMode(ctx, FullLanguage); err != nil {
		t.Fatal(err)
	}
	if m, _ := h.LanguageMode(ctx); m != FullLanguage {
		t.Fatalf("after reset: %q, want FullLanguage", m)
	}
}
