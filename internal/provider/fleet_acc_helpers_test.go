package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// fleet is a few simulated hosts at 127.0.0.1, 127.0.0.2, ... on one port,
// because the provider's port applies to every host: one provider block
// manages them all, each resource naming its own host. Fleets always run
// against the simulator, which can switch a host off and on again.
type fleet struct {
	t      *testing.T
	port   int
	hosts  []*testHost
	silent map[int]*winsim.Silent // hosts switched off, by index
}

// newFleet starts n hosts. The port is free on 127.0.0.1 when the first
// host takes it, but something may hold it on another loopback address,
// so a clash starts over on a new port.
func newFleet(t *testing.T, n int) *fleet {
	t.Helper()
	var lastErr error
	for range 5 {
		f, err := startFleet(t, n)
		if err == nil {
			return f
		}
		lastErr = err
	}
	t.Fatalf("start a fleet of %d simulated hosts: %v", n, lastErr)
	return nil
}

func startFleet(t *testing.T, n int) (*fleet, error) {
	first := newSimHost(t, simOptions{})
	f := &fleet{t: t, port: first.Port, hosts: []*testHost{first}, silent: map[int]*winsim.Silent{}}
	for i := 1; i < n; i++ {
		model := host.New(host.Options{ComputerName: simComputer})
		srv, err := startSimServer(t, simOptions{Addr: f.addr(i)}, model)
		if err != nil {
			for _, h := range f.hosts {
				h.sim.Close()
			}
			return nil, err
		}
		h := *first
		h.Host, h.sim, h.host = srv.Host(), srv, model
		f.hosts = append(f.hosts, &h)
	}
	return f, nil
}

// addr is where host i listens.
func (f *fleet) addr(i int) string { return fmt.Sprintf("127.0.0.%d:%d", i+1, f.port) }

// config is the provider block, on the first host, with extra attribute
// lines, and local.hosts listing every host.
func (f *fleet) config(extra ...string) string {
	quoted := make([]string, len(f.hosts))
	for i, h := range f.hosts {
		quoted[i] = hclString(h.Host)
	}
	return f.hosts[0].providerConfig(extra...) +
		"\nlocals {\n  hosts = [" + strings.Join(quoted, ", ") + "]\n}\n"
}

// switchOff makes host i look switched off: its WinRM service is gone and
// nothing answers at its address, not even a refusal.
func (f *fleet) switchOff(i int) {
	f.t.Helper()
	if err := f.hosts[i].sim.Close(); err != nil {
		f.t.Logf("close host %d: %v", i, err)
	}
	s, err := winsim.ListenSilent(f.hosts[i].Host, f.port)
	if err != nil {
		f.t.Fatalf("switch host %s off: %v", f.hosts[i].Host, err)
	}
	f.t.Cleanup(func() { s.Close() })
	f.silent[i] = s
}

// switchOn brings host i back, with everything it held before.
func (f *fleet) switchOn(i int) {
	f.t.Helper()
	if s := f.silent[i]; s != nil {
		s.Close()
		delete(f.silent, i)
	}
	srv, err := startSimServer(f.t, simOptions{Addr: f.addr(i)}, f.hosts[i].host)
	if err != nil {
		f.t.Fatalf("switch host %s on: %v", f.hosts[i].Host, err)
	}
	f.hosts[i].sim = srv
}

// rule reads a firewall rule from host i's model; ok is false when it is
// not there.
func (f *fleet) rule(i int, name string) (host.FWRule, bool) {
	r, err := f.hosts[i].host.FirewallRule(context.Background(), name)
	return r, err == nil
}
