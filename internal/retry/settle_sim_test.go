package retry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/retry"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/aim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

const (
	user = "deploy"
	pass = "S3cret-'\"$(x)"
)

// sim is a simulated host and a client that retries as the provider does.
type sim struct {
	host   *host.Host
	faults *winsim.Faults
	c      *remote.Client
}

func newSim(t *testing.T) *sim {
	t.Helper()
	h := host.New(host.Options{})
	faults := &winsim.Faults{}
	srv, err := winsim.Start(t.Context(), winsim.Options{
		Users: map[string]string{user: pass}, AllowUnencrypted: true,
		Runner: proc.New(h, proc.Options{}), Faults: faults,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pool := remote.NewPool(nil)
	t.Cleanup(func() { _ = pool.Close() })
	p := retry.DefaultPolicy()
	p.Base, p.Max = 10*time.Millisecond, 50*time.Millisecond // keep the tests fast
	c, err := pool.Client(remote.Config{
		Host: srv.Host(), Port: srv.Port(), Username: user, Password: pass, Timeout: 10 * time.Second,
		MaxSessions: 1, Retry: p.Func(), Settle: retry.Settle,
		Scripts: remote.Scripts{CommandLine: hostscript.CommandLine(), AgentLine: hostscript.AgentLine()},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &sim{host: h, faults: faults, c: c}
	if err := c.Call(s.ctx(t), hostapi.OpHostInfo, nil, nil); err != nil { // the session is open
		t.Fatal(err)
	}
	return s
}

func (s *sim) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (s *sim) applied(op string) uint64 { return s.host.Stats().ByOp[op] }

func str(v string) *string { return &v }

// A create whose answer is lost, wherever it is lost, is found on the host,
// reported as done with what the host holds, and applied exactly once.
func TestLostCreateAnswerEndsAsDone(t *testing.T) {
	t.Parallel()
	arms := map[string]func(f *winsim.Faults){
		"reply to the Send dropped": func(f *winsim.Faults) {
			f.DropReplyWhen(1, "Send", aim.Request(hostapi.OpAppPoolCreate, "lost"))
		},
		"reply to the Receive dropped":         func(f *winsim.Faults) { f.DropReplyWhen(1, "Receive", aim.Response(`"name":"lost"`)) },
		"reply to the Receive truncated":       func(f *winsim.Faults) { f.TruncateWhen(1, "Receive", aim.Response(`"name":"lost"`)) },
		"reply to the Receive malformed":       func(f *winsim.Faults) { f.MalformedWhen(1, "Receive", aim.Response(`"name":"lost"`)) },
		"Send dropped before the host read it": func(f *winsim.Faults) { f.DropNextN(1, "Send") },
	}
	for name, arm := range arms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t)
			arm(s.faults)
			pool, err := iis.CreateAppPool(s.ctx(t), s.c, iis.PoolSettings{Name: "lost", PipelineMode: str("Classic"), IdleTimeout: str("00:05:00")})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if pool.Name != "lost" || pool.PipelineMode != "Classic" || pool.IdleTimeout != "00:05:00" {
				t.Errorf("create returned %+v, want the pool as asked", pool)
			}
			if s.faults.Pending() != 0 {
				t.Fatal("the fault never fired")
			}
			if n := s.applied(hostapi.OpAppPoolCreate); n != 1 {
				t.Errorf("the host ran the create %d times, want once", n)
			}
			if _, err := s.host.AppPool(s.ctx(t), "lost"); err != nil {
				t.Errorf("pool not on the host: %v", err)
			}
		})
	}
}

func TestLostCreateAnswerOverAnotherObjectIsNotAdopted(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	if err := s.host.AddAppPool(s.ctx(t), "taken"); err != nil {
		t.Fatal(err)
	}
	// The host refuses the create (the name is taken), and that refusal
	// is lost on the way back.
	s.faults.DropReplyWhen(1, "Receive", aim.Refusal("already exists"))
	_, err := iis.CreateAppPool(s.ctx(t), s.c, iis.PoolSettings{Name: "taken", PipelineMode: str("Classic")})
	if !iis.IsAlreadyExists(err) || !strings.Contains(err.Error(), "differs") || !strings.Contains(err.Error(), "managed_pipeline_mode") {
		t.Fatalf("create = %v, want already_exists naming what differs", err)
	}
	if strings.Contains(err.Error(), pass) {
		t.Fatal("the error carries the password")
	}
	t.Log(err)
}

func TestLostIdentityAnswerDoesNotRecycleTwice(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	ctx := s.ctx(t)
	if _, err := iis.CreateAppPool(ctx, s.c, iis.PoolSettings{Name: "web"}); err != nil {
		t.Fatal(err)
	}
	if err := s.host.AddUser(ctx, "svc-web", "Svc-P@ss-1"); err != nil {
		t.Fatal(err)
	}
	before, _ := s.host.AppPoolRecycles(ctx, "web")
	s.faults.DropReplyWhen(1, "Send", aim.Request(hostapi.OpAppPoolIdentitySet, "svc-web"))
	pw := "Svc-P@ss-1"
	id, err := iis.SetPoolIdentity(ctx, s.c, iis.IdentitySettings{Pool: "web", Type: hostapi.IdentitySpecificUser, UserName: "svc-web", Password: &pw})
	if err != nil {
		t.Fatalf("set identity: %v", err)
	}
	if id.UserName != "svc-web" || id.Proof.Digest == "" {
		t.Errorf("identity = %+v, want svc-web with a proof of the password", id)
	}
	after, _ := s.host.AppPoolRecycles(ctx, "web")
	if n := s.applied(hostapi.OpAppPoolIdentitySet); n != 1 || after-before > 1 {
		t.Errorf("identity set ran %d times, pool recycled %d times; want once each", n, after-before)
	}
}

func TestLostAnswersOfRuleCreateAndDelete(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	ctx := s.ctx(t)
	spec := fwrule.RuleSpec{Name: "web-in", DisplayName: "Web", Direction: "Inbound", Action: "Allow", Enabled: true,
		Protocol: "TCP", LocalPorts: []string{"443", "80"}, RemoteAddresses: []string{"10.1.2.3/8"}}
	s.faults.DropReplyWhen(1, "Receive", aim.Response(`"name":"web-in"`))
	r, err := firewall.Create(ctx, s.c, spec)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if strings.Join(r.RemoteAddresses, ",") != "10.0.0.0/255.0.0.0" {
		t.Errorf("rule read back as %+v", r.RuleSpec)
	}
	s.faults.DropReplyWhen(1, "Send", aim.Request(hostapi.OpFirewallRuleDelete, "web-in"))
	if err := firewall.Delete(ctx, s.c, "web-in"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if s.faults.Pending() != 0 {
		t.Fatal("a fault never fired")
	}
	if _, err := firewall.Get(ctx, s.c, "web-in"); !firewall.IsNotFound(err) {
		t.Errorf("rule still there: %v", err)
	}
	if c, d := s.applied(hostapi.OpFirewallRuleCreate), s.applied(hostapi.OpFirewallRuleDelete); c != 1 || d != 1 {
		t.Errorf("create ran %d times, delete %d; want once each", c, d)
	}
}

func TestReadsAreRetriedThenFailClearly(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	ctx := s.ctx(t)
	s.faults.HTTP500NextN(2, "Send")
	if _, err := iis.ListAppPools(ctx, s.c); err != nil {
		t.Fatalf("list after two failed Sends: %v", err)
	}
	s.faults.HTTP500NextN(50, "Send")
	_, err := iis.ListAppPools(ctx, s.c)
	if !remote.IsKind(err, protocol.Unavailable) || !strings.Contains(err.Error(), "gave up after 5 attempts") {
		t.Fatalf("list under lasting faults = %v, want unavailable after 5 attempts", err)
	}
	t.Log(err)
	s.faults.Clear()
	// A write that failed before reaching the host is sent again too.
	s.faults.HTTP500NextN(1, "Send")
	if _, err := iis.CreateAppPool(ctx, s.c, iis.PoolSettings{Name: "after"}); err != nil {
		t.Fatalf("create after one failed Send: %v", err)
	}
	if n := s.applied(hostapi.OpAppPoolCreate); n != 1 {
		t.Errorf("create ran %d times", n)
	}
}
