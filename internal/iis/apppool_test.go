package iis

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// simCaller runs operations on a simulated host's model, as the agent
// would answer them, and fails the way remote.Client does.
type simCaller struct{ h *host.Host }

func (c simCaller) Call(ctx context.Context, op string, args, result any) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	res, perr := c.h.Handle(ctx, op, raw)
	if perr != nil {
		return &remote.Error{Kind: perr.Kind, Host: "sim", Op: op, Message: perr.Message}
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(res, result)
}

func newSim(t *testing.T) (simCaller, *host.Host) {
	t.Helper()
	h := host.New(host.Options{ComputerName: "WEB01"})
	return simCaller{h}, h
}

func ptr[T any](v T) *T { return &v }

func TestAppPoolLifecycle(t *testing.T) {
	ctx := context.Background()
	c, h := newSim(t)
	p, err := CreateAppPool(ctx, c, PoolSettings{Name: "shop", PipelineMode: ptr("Classic"), PeriodicRestartSchedule: []string{"3:00:00"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.ManagedRuntimeVersion != "v4.0" || p.PipelineMode != "Classic" || p.Identity.Type != "ApplicationPoolIdentity" ||
		p.State != "Started" || len(p.PeriodicRestart.Schedule) != 1 || p.PeriodicRestart.Schedule[0] != "03:00:00" {
		t.Fatalf("created %+v", p)
	}
	if _, err := CreateAppPool(ctx, c, PoolSettings{Name: "SHOP"}); !IsAlreadyExists(err) {
		t.Fatalf("second create = %v", err)
	}
	p, err = UpdateAppPool(ctx, c, PoolSettings{Name: "shop", State: ptr("Stopped"), ClearSchedule: true})
	if err != nil || p.State != "Stopped" || len(p.PeriodicRestart.Schedule) != 0 || p.PipelineMode != "Classic" {
		t.Fatalf("updated %+v, %v", p, err)
	}
	if err := h.AddApplication(ctx, "Default Web Site", "/shop", "shop", ""); err != nil {
		t.Fatal(err)
	}
	err = DeleteAppPool(ctx, c, "shop", false)
	if !IsConflict(err) || !strings.Contains(err.Error(), "Default Web Site/shop") {
		t.Fatalf("delete of a used pool = %v", err)
	}
	if err := DeleteAppPool(ctx, c, "shop", true); err != nil {
		t.Fatal(err)
	}
	if _, err := GetAppPool(ctx, c, "shop"); !IsNotFound(err) {
		t.Fatalf("read after delete = %v", err)
	}
}

// Values the host would refuse never reach it.
func TestAppPoolSettingsCheckedBeforeTheHost(t *testing.T) {
	ctx := context.Background()
	c, h := newSim(t)
	for _, s := range []PoolSettings{
		{Name: ".hidden"},
		{Name: "ok", StartMode: ptr("Eager")},
		{Name: "ok", IdleTimeout: ptr("1:00:00")},
		{Name: "ok", PeriodicRestartRequests: ptr(int64(-1))},
		{Name: "ok", PeriodicRestartSchedule: []string{"24:00:00"}},
	} {
		if _, err := CreateAppPool(ctx, c, s); err == nil || remote.IsKind(err, protocol.InvalidArgument) {
			t.Errorf("CreateAppPool(%+v) = %v, want a local refusal", s, err)
		}
	}
	if st := h.Stats(); st.ByOp["apppool.create"] != 0 {
		t.Fatalf("%d creates reached the host", st.ByOp["apppool.create"])
	}
}

// The password goes to the host once; afterwards only digests under the
// provider's salt come back, and they tell a changed password apart.
func TestPoolIdentityPasswordProof(t *testing.T) {
	ctx := context.Background()
	c, h := newSim(t)
	pw := "correct horse"
	id, err := SetPoolIdentity(ctx, c, IdentitySettings{Pool: "DefaultAppPool", Type: "SpecificUser", UserName: `WEB01\svc`, Password: &pw})
	if err != nil {
		t.Fatal(err)
	}
	if id.Type != "SpecificUser" || !id.PasswordSet || id.Proof.Digest == "" || id.Proof.Iterations != DefaultProofIterations {
		t.Fatalf("identity %+v", id)
	}
	again, err := GetPoolIdentity(ctx, c, "DefaultAppPool", id.Proof)
	if err != nil || !again.Proof.Matches(id.Proof) {
		t.Fatalf("unchanged password does not match: %+v, %v", again, err)
	}
	if err := h.SetAppPoolAttr(ctx, "DefaultAppPool", "processModel.password", "rotated by someone"); err != nil {
		t.Fatal(err)
	}
	again, err = GetPoolIdentity(ctx, c, "DefaultAppPool", id.Proof)
	if err != nil || again.Proof.Matches(id.Proof) {
		t.Fatalf("a changed password still matches: %+v, %v", again, err)
	}
	// A second apply draws a new salt, so digests never repeat.
	id2, err := SetPoolIdentity(ctx, c, IdentitySettings{Pool: "DefaultAppPool", Type: "SpecificUser", UserName: `WEB01\svc`, Password: &pw})
	if err != nil || id2.Proof.Salt == id.Proof.Salt || id2.Proof.Digest == id.Proof.Digest {
		t.Fatalf("second proof %+v, %v", id2.Proof, err)
	}

	id, err = SetPoolIdentity(ctx, c, IdentitySettings{Pool: "DefaultAppPool", Type: "NetworkService"})
	if err != nil || id.UserName != "" || id.PasswordSet || id.Proof.Digest != "" {
		t.Fatalf("leaving SpecificUser: %+v, %v", id, err)
	}
	if n, _ := h.AppPoolRecycles(ctx, "DefaultAppPool"); n != 3 {
		t.Fatalf("recycles = %d, want 3", n)
	}
}

func TestResolveAccount(t *testing.T) {
	ctx := context.Background()
	c, h := newSim(t)
	if err := h.AddUser(ctx, "svc", ""); err != nil {
		t.Fatal(err)
	}
	a, err := ResolveAccount(ctx, c, `.\svc`)
	if err != nil || !a.Found || a.Name != `WEB01\svc` || !a.GroupsResolved || len(a.Groups) != 0 {
		t.Fatalf("resolve = %+v, %v", a, err)
	}
	a, err = ResolveAccount(ctx, c, `CORP\nobody`)
	if err != nil || a.Found {
		t.Fatalf("unknown account = %+v, %v", a, err)
	}
}
