package host

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

func str(s string) *string { return &s }

// A new pool gets applicationPoolDefaults layered over the schema, as
// New-WebAppPool gives it on a stock host: v4.0, ApplicationPoolIdentity,
// loadUserProfile true, started.
func TestAppPoolCreateTakesTheStockDefaults(t *testing.T) {
	h := New(Options{})
	var got hostapi.AppPool
	mustCall(t, h, hostapi.OpAppPoolCreate, hostapi.AppPoolSettings{Name: "shop"}, &got)
	want := hostapi.AppPool{
		Name: "shop", State: "Started", ManagedRuntimeVersion: "v4.0", ManagedPipelineMode: "Integrated",
		StartMode: "OnDemand", AutoStart: true, LoadUserProfile: true, IdleTimeout: "00:20:00",
		PeriodicRestart: hostapi.PeriodicRestart{Time: "1.05:00:00", Schedule: []string{}},
		IdentityType:    "ApplicationPoolIdentity", LogonType: "LogonBatch",
		Applications: []hostapi.PoolApplication{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("new pool\n got %+v\nwant %+v", got, want)
	}
	var again hostapi.AppPool
	mustCall(t, h, hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: "SHOP"}, &again)
	if !reflect.DeepEqual(again, want) {
		t.Fatalf("read back by another case: %+v", again)
	}
}

func TestAppPoolCreateAndUpdateWriteOnlyWhatIsGiven(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	var got hostapi.AppPool
	mustCall(t, h, hostapi.OpAppPoolCreate, hostapi.AppPoolSettings{
		Name: "api", ManagedRuntimeVersion: str(""), StartMode: str("AlwaysRunning"), State: str("Stopped"),
		IdleTimeout: str("00:05:00"), PeriodicRestartSchedule: &[]string{"23:00:00", "03:00:00", "03:00:00"},
	}, &got)
	if got.ManagedRuntimeVersion != "" || got.StartMode != "AlwaysRunning" || got.State != "Stopped" ||
		got.IdleTimeout != "00:05:00" || !reflect.DeepEqual(got.PeriodicRestart.Schedule, []string{"03:00:00", "23:00:00"}) {
		t.Fatalf("created %+v", got)
	}
	p, _ := h.AppPool(ctx, "api")
	for _, attr := range []string{"managedPipelineMode", "autoStart", "processModel.identityType"} {
		if p.Explicit[attr] {
			t.Errorf("%s was written although not given; the pool should inherit it", attr)
		}
	}
	mustCall(t, h, hostapi.OpAppPoolUpdate, hostapi.AppPoolSettings{
		Name: "api", Enable32BitAppOnWin64: ptr(true), PeriodicRestartRequests: ptr(int64(5000)),
		PeriodicRestartSchedule: &[]string{}, State: str("Started"),
	}, &got)
	if !got.Enable32BitAppOnWin64 || got.PeriodicRestart.Requests != 5000 || len(got.PeriodicRestart.Schedule) != 0 ||
		got.State != "Started" || got.StartMode != "AlwaysRunning" {
		t.Fatalf("updated %+v", got)
	}
	// A refused value changes nothing, not even the values before it.
	err := call(t, h, hostapi.OpAppPoolUpdate, hostapi.AppPoolSettings{
		Name: "api", AutoStart: ptr(false), IdleTimeout: str("29:00:00"),
	}, nil)
	if err == nil || err.Kind != protocol.InvalidArgument {
		t.Fatalf("hours over 23 = %v", err)
	}
	mustCall(t, h, hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: "api"}, &got)
	if !got.AutoStart {
		t.Fatal("a failed update left a partial change")
	}
}

// The errors of windows-host.md 1.3 and 1.4, with their texts.
func TestAppPoolErrorsAreWindowsOwn(t *testing.T) {
	h := New(Options{})
	for _, tc := range []struct {
		op   string
		args any
		kind protocol.Kind
		msg  string
	}{
		{hostapi.OpAppPoolCreate, hostapi.AppPoolSettings{Name: "defaultapppool"}, protocol.AlreadyExists,
			`Destination element already exists, please use "force" parameter to override.`},
		{hostapi.OpAppPoolCreate, hostapi.AppPoolSettings{Name: ".NET v9"}, protocol.InvalidArgument,
			"Parent node has no children of type appPool."},
		{hostapi.OpAppPoolCreate, hostapi.AppPoolSettings{Name: "a+b"}, protocol.InvalidArgument, "Invalid application pool name"},
		{hostapi.OpAppPoolCreate, hostapi.AppPoolSettings{Name: strings.Repeat("p", 65)}, protocol.InvalidArgument, "Invalid application pool name"},
		{hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: "gone"}, protocol.NotFound,
			`Cannot find path 'IIS:\AppPools\gone' because it does not exist.`},
		{hostapi.OpAppPoolUpdate, hostapi.AppPoolSettings{Name: "gone"}, protocol.NotFound,
			`Cannot find path 'IIS:\AppPools\gone' because it does not exist.`},
		{hostapi.OpAppPoolDelete, hostapi.AppPoolDelete{Name: "gone"}, protocol.NotFound,
			`Cannot find path 'IIS:\AppPools\gone' because it does not exist.`},
		{hostapi.OpAppPoolIdentityGet, hostapi.AppPoolIdentityQuery{Name: "gone"}, protocol.NotFound,
			`Cannot find path 'IIS:\AppPools\gone' because it does not exist.`},
		{hostapi.OpAppPoolUpdate, hostapi.AppPoolSettings{Name: "DefaultAppPool", StartMode: str("Eager")}, protocol.InvalidArgument,
			"'Eager' is not a valid value for attribute 'startMode'"},
	} {
		err := call(t, h, tc.op, tc.args, nil)
		if err == nil || err.Kind != tc.kind || err.Message != tc.msg {
			t.Errorf("%s %+v = %v, want %s: %s", tc.op, tc.args, err, tc.kind, tc.msg)
		}
	}
	// IIS itself ships pools whose names New-WebAppPool refuses.
	var stock hostapi.AppPool
	mustCall(t, h, hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: ".NET v4.5 Classic"}, &stock)
	if stock.ManagedPipelineMode != "Classic" {
		t.Fatalf("stock pool %+v", stock)
	}
}

// Deleting a pool that applications run in is refused with their names,
// unless forced; the applications then keep naming the missing pool.
func TestAppPoolDeleteNamesTheApplicationsInIt(t *testing.T) {
	ctx := context.Background()
	h := shopHost(t)
	if err := h.AddSite(ctx, "Intranet", "shop", ""); err != nil {
		t.Fatal(err)
	}
	err := call(t, h, hostapi.OpAppPoolDelete, hostapi.AppPoolDelete{Name: "shop"}, nil)
	want := "Application pool 'shop' is still used by 2 application(s): Default Web Site/shop, Intranet/. " +
		"Applications cannot run without their pool (requests get 503); move them to another pool first."
	if err == nil || err.Kind != protocol.Conflict || err.Message != want {
		t.Fatalf("delete of a used pool = %v", err)
	}
	mustCall(t, h, hostapi.OpAppPoolDelete, hostapi.AppPoolDelete{Name: "shop", Force: true}, nil)
	apps, _ := h.Applications(ctx)
	if apps[1].ApplicationPool != "shop" {
		t.Fatalf("applications after a forced delete: %+v", apps)
	}
	mustCall(t, h, hostapi.OpAppPoolCreate, hostapi.AppPoolSettings{Name: "idle"}, nil)
	mustCall(t, h, hostapi.OpAppPoolDelete, hostapi.AppPoolDelete{Name: "idle"}, nil)
}

// A pool lists the applications in it and whether anonymous requests to
// them run as the pool's identity (userName "").
func TestAppPoolListsItsApplicationsAndAnonymousUse(t *testing.T) {
	ctx := context.Background()
	h := shopHost(t)
	if err := h.SetAnonymousAuth(ctx, "Default Web Site/shop", "userName", ""); err != nil {
		t.Fatal(err)
	}
	var list hostapi.AppPoolList
	mustCall(t, h, hostapi.OpAppPoolList, nil, &list)
	byName := map[string]hostapi.AppPool{}
	for _, p := range list.Pools {
		byName[p.Name] = p
	}
	if len(list.Pools) != 4 {
		t.Fatalf("pools: %d", len(list.Pools))
	}
	if got := byName["shop"].Applications; !reflect.DeepEqual(got, []hostapi.PoolApplication{{Site: "Default Web Site", Path: "/shop", AnonymousUsesPoolIdentity: true}}) {
		t.Errorf("shop applications %+v", got)
	}
	if got := byName["DefaultAppPool"].Applications; !reflect.DeepEqual(got, []hostapi.PoolApplication{{Site: "Default Web Site", Path: "/"}}) {
		t.Errorf("DefaultAppPool applications %+v", got)
	}
}

func digest(pw, salt string, iter int) string {
	raw, _ := base64.StdEncoding.DecodeString(salt)
	k, _ := pbkdf2.Key(sha1.New, pw, raw, iter, 32)
	return base64.StdEncoding.EncodeToString(k)
}

// The identity is written as one unit; the password is stored sealed, an
// administrator reads it in clear, and the agent only ever answers with
// its digest under the caller's salt.
func TestAppPoolIdentitySetProvesThePasswordWithoutReturningIt(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	const secret = `p@ss'"$(whoami)`
	check := &hostapi.PasswordCheck{Salt: base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123")), Iterations: 1000}
	var got hostapi.AppPoolIdentity
	args, _ := json.Marshal(hostapi.AppPoolIdentitySettings{
		Name: "DefaultAppPool", IdentityType: "SpecificUser", UserName: `WIN-SIM2022\svc`, Password: str(secret), Check: check,
	})
	res, perr := h.Handle(ctx, hostapi.OpAppPoolIdentitySet, args)
	if perr != nil {
		t.Fatal(perr)
	}
	if strings.Contains(string(res), "p@ss") {
		t.Fatalf("the result carries the password: %s", res)
	}
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatal(err)
	}
	if got.IdentityType != "SpecificUser" || got.UserName != `WIN-SIM2022\svc` || !got.PasswordSet || got.ComputerName != "WIN-SIM2022" ||
		got.PasswordDigest != digest(secret, check.Salt, 1000) {
		t.Fatalf("identity %+v", got)
	}
	if v, _ := h.AppPoolValue(ctx, "DefaultAppPool", "processModel.password"); v != secret {
		t.Fatal("an administrator cannot read the password in clear text")
	}

	// Changed out of band: the digest under the same salt differs.
	if err := h.SetAppPoolAttr(ctx, "DefaultAppPool", "processModel.password", "rotated"); err != nil {
		t.Fatal(err)
	}
	mustCall(t, h, hostapi.OpAppPoolIdentityGet, hostapi.AppPoolIdentityQuery{Name: "DefaultAppPool", Check: check}, &got)
	if got.PasswordDigest == "" || got.PasswordDigest == digest(secret, check.Salt, 1000) {
		t.Fatalf("digest after an out-of-band change: %q", got.PasswordDigest)
	}
	// Without a check there is no digest at all.
	got = hostapi.AppPoolIdentity{}
	mustCall(t, h, hostapi.OpAppPoolIdentityGet, hostapi.AppPoolIdentityQuery{Name: "DefaultAppPool"}, &got)
	if got.PasswordDigest != "" {
		t.Fatal("a digest without a salt")
	}

	// Leaving SpecificUser clears what a real host would keep.
	mustCall(t, h, hostapi.OpAppPoolIdentitySet, hostapi.AppPoolIdentitySettings{Name: "DefaultAppPool", IdentityType: "LocalService"}, &got)
	if got.UserName != "" || got.PasswordSet {
		t.Fatalf("stale credentials kept: %+v", got)
	}
	if v, _ := h.AppPoolValue(ctx, "DefaultAppPool", "processModel.password"); v != "" {
		t.Fatal("the password is still stored")
	}
}

// A check the host would spin on, or a bad salt, is refused without the
// password in the message.
func TestAppPoolIdentityCheckIsBounded(t *testing.T) {
	h := New(Options{})
	short := &hostapi.PasswordCheck{Salt: base64.StdEncoding.EncodeToString([]byte("short")), Iterations: 1000}
	huge := &hostapi.PasswordCheck{Salt: base64.StdEncoding.EncodeToString(make([]byte, 32)), Iterations: 50_000_000}
	for _, c := range []*hostapi.PasswordCheck{short, huge} {
		err := call(t, h, hostapi.OpAppPoolIdentitySet, hostapi.AppPoolIdentitySettings{
			Name: "DefaultAppPool", IdentityType: "SpecificUser", UserName: "svc", Password: str("hunter2-secret"), Check: c}, nil)
		if err == nil || err.Kind != protocol.InvalidArgument || strings.Contains(err.Message, "hunter2") {
			t.Errorf("check %+v = %v", c, err)
		}
	}
	// The refused call changed nothing.
	if v, _ := h.AppPoolValue(context.Background(), "DefaultAppPool", "processModel.identityType"); v != "ApplicationPoolIdentity" {
		t.Errorf("identity after refused calls: %s", v)
	}
	_, err := h.Handle(context.Background(), hostapi.OpAppPoolIdentitySet,
		json.RawMessage(`{"name":"DefaultAppPool","identity_type":"SpecificUser","password":["hunter2-secret"]}`))
	if err == nil || err.Kind != protocol.InvalidArgument || strings.Contains(err.Message, "hunter2") {
		t.Errorf("malformed arguments = %v", err)
	}
}

// Every identity change recycles a started pool; writing the same identity
// again does not.
func TestAppPoolIdentityChangeRecyclesThePool(t *testing.T) {
	ctx := context.Background()
	h := New(Options{})
	set := func(typ string) {
		mustCall(t, h, hostapi.OpAppPoolIdentitySet, hostapi.AppPoolIdentitySettings{Name: "DefaultAppPool", IdentityType: typ}, nil)
	}
	set("ApplicationPoolIdentity")
	set("LocalSystem")
	set("LocalSystem")
	set("networkservice")
	if n, _ := h.AppPoolRecycles(ctx, "DefaultAppPool"); n != 2 {
		t.Fatalf("recycles = %d, want 2", n)
	}
	if v, _ := h.AppPoolValue(ctx, "DefaultAppPool", "processModel.identityType"); v != "NetworkService" {
		t.Fatalf("identity type spelled %q", v)
	}
}

// account.resolve reads who a principal is and which local groups list it;
// membership changed by an administrator shows at once.
func TestAccountResolve(t *testing.T) {
	ctx := context.Background()
	h := New(Options{ComputerName: "WEB01"})
	if err := h.AddUser(ctx, "svc-shop", "pw"); err != nil {
		t.Fatal(err)
	}
	resolve := func(name string) hostapi.Account {
		var a hostapi.Account
		mustCall(t, h, hostapi.OpAccountResolve, hostapi.AccountName{Name: name}, &a)
		return a
	}
	a := resolve(`.\svc-shop`)
	if !a.Found || a.Kind != "user" || a.Name != `WEB01\svc-shop` || !a.GroupsResolved || len(a.Groups) != 0 || !strings.HasPrefix(a.SID, "S-1-5-21-") {
		t.Fatalf("local user %+v", a)
	}
	if err := h.AddGroupMember(ctx, "Administrators", "svc-shop"); err != nil {
		t.Fatal(err)
	}
	if a = resolve(`web01\SVC-SHOP`); !reflect.DeepEqual(a.Groups, []string{"Administrators"}) {
		t.Fatalf("after add-group-member: %+v", a)
	}
	if a = resolve("IUSR"); a.Kind != "builtin" || a.Name != `NT AUTHORITY\IUSR` || !reflect.DeepEqual(a.Groups, []string{"IIS_IUSRS"}) {
		t.Fatalf("IUSR %+v", a)
	}
	if a = resolve(`IIS AppPool\DefaultAppPool`); a.Kind != "virtual" || !a.Found {
		t.Fatalf("virtual account %+v", a)
	}
	if a = resolve("Administrators"); a.Kind != "group" || a.Name != `BUILTIN\Administrators` {
		t.Fatalf("group %+v", a)
	}
	if a = resolve(`CORP\svc-web`); a.Found || a.GroupsResolved {
		t.Fatalf("a domain account on a workgroup host resolved: %+v", a)
	}
	if err := h.JoinDomain(ctx, "corp.example"); err != nil {
		t.Fatal(err)
	}
	if a = resolve(`corp\svc-web`); !a.Found || a.Kind != "domain" || a.GroupsResolved || a.Name != `CORP\svc-web` {
		t.Fatalf("domain account %+v", a)
	}
}

func TestAppPoolAdminCommands(t *testing.T) {
	h := New(Options{})
	t.Setenv("POOL_PW", "s3cret")
	runAdmin(t, h, "set-pool", "DefaultAppPool", "processModel.password", "--value-env", "POOL_PW")
	if out := runAdmin(t, h, "get-pool", "DefaultAppPool", "processModel.password"); out != "s3cret\n" {
		t.Fatalf("get-pool password = %q", out)
	}
	runAdmin(t, h, "set-pool-schedule", "DefaultAppPool", "04:00:00", "01:30:00")
	if out := runAdmin(t, h, "get-pool", "DefaultAppPool", "schedule"); out != "04:00:00,01:30:00\n" {
		t.Fatalf("schedule = %q", out)
	}
	var p hostapi.AppPool
	mustCall(t, h, hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: "DefaultAppPool"}, &p)
	if !reflect.DeepEqual(p.PeriodicRestart.Schedule, []string{"01:30:00", "04:00:00"}) {
		t.Fatalf("schedule read by the agent: %v", p.PeriodicRestart.Schedule)
	}
	if err := RunAdmin(h, []string{"set-pool-schedule", "DefaultAppPool", "25:00:00"}, &strings.Builder{}); err == nil {
		t.Fatal("an invalid schedule time was accepted")
	}
}

// The simulator's own messages are the agent's, word for word.
func TestAppPoolMessagesMatchTheAgent(t *testing.T) {
	ps := string(hostscript.Scripts()["apppool.ps1"])
	for _, msg := range []string{hostapi.MsgAppPoolInUse, hostapi.MsgAppPoolExists, hostapi.MsgAppPoolBadChars,
		"Parent node has no children of type appPool.", `Cannot find path 'IIS:\AppPools\%s' because it does not exist.`} {
		n := 0
		psForm := strings.ReplaceAll(msg, "'", "''")
		for strings.Contains(psForm, "%s") || strings.Contains(psForm, "%d") {
			i := strings.IndexAny(psForm, "%")
			psForm = psForm[:i] + fmt.Sprintf("{%d}", n) + psForm[i+2:]
			n++
		}
		if !strings.Contains(ps, psForm) {
			t.Errorf("apppool.ps1 does not say %q", psForm)
		}
	}
}
