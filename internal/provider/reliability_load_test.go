package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
)

const (
	loadRules = 240
	loadPools = 60
)

// loadConfig is 300 resources on one host: firewall rules and
// pools, each with values derived from its own key, so a
// response delivered to the wrong resource shows up as a mismatch.
func loadConfig(h *testHost) string {
	return h.providerConfig() + fmt.Sprintf(`
resource "iis_firewall_rule" "load" {
  count            = %d
  name             = format("tfacc-load-%%03d", count.index)
  display_name     = "Load ${count.index}"
  description      = "rule ${count.index} of the load test"
  protocol         = "TCP"
  local_ports      = [tostring(20000 + count.index)]
  remote_addresses = ["LocalSubnet"]
}

resource "iis_app_pool" "load" {
  count         = %d
  name          = format("load-%%02d", count.index)
  pipeline_mode = count.index %% 2 == 0 ? "Integrated" : "Classic"
}
`, loadRules, loadPools)
}

// `terraform apply -parallelism=50` over 300 resources on one host holding
// the real WinRS quota (MaxShellsPerUser 30): every operation lands exactly
// once, each resource's state is its own object's, no quota error reaches
// the user, and the plan after it is empty. It drives the CLI itself:
// plugin-testing's terraform-exec always passes -parallelism=10 after
// TF_CLI_ARGS_apply, which therefore cannot raise it. The provider server
// is wrapped to count concurrent applies, which shows the flag took effect.
func TestAccLoadParallelApplyOnOneHost(t *testing.T) {
	fh := newFaultyHost(t, func(o *winsim.Options) {
		o.MaxShellsPerUser = 30
		// 300 resources make thousands of request lines; the verdict
		// does not need them.
		o.Logf = nil
	})
	h := fh.testHost
	counter := &concurrencyCounter{}
	w := newTFWorkdir(t)
	w.env = append(w.env, "TF_REATTACH_PROVIDERS="+serveCountingProvider(t, counter))
	w.configure(loadConfig(h))
	w.mustRun("init", "-no-color")

	start := time.Now()
	if out, err := runLong(w, "apply", "-no-color", "-auto-approve", "-parallelism=50"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("apply of %d resources: %s, peak concurrent applies %d, host operations %d",
		loadRules+loadPools, time.Since(start).Round(time.Millisecond), counter.peak(), fh.host.Stats().Ops)
	if peak := counter.peak(); peak <= 10 {
		t.Errorf("at most %d applies ran at once: -parallelism=50 did not take effect (Terraform's default is 10)", peak)
	}
	if n := fh.applied(hostapi.OpFirewallRuleCreate); n != loadRules {
		t.Errorf("the host ran %d rule creates for %d rules", n, loadRules)
	}
	if n := fh.applied(hostapi.OpAppPoolCreate); n != loadPools {
		t.Errorf("the host ran %d pool creates for %d pools", n, loadPools)
	}
	s := loadState(t, w)
	if err := loadRulesMatch(h, s); err != nil {
		t.Error(err)
	}
	if err := loadPoolsMatch(h, s); err != nil {
		t.Error(err)
	}
	// Refreshing 300 resources at once reads each back as it is.
	if out, err := runLong(w, "plan", "-no-color", "-detailed-exitcode", "-parallelism=50"); err != nil {
		t.Log(out)
		t.Errorf("the plan after the apply is not empty: %v", err)
	}
}

// runLong runs terraform like tfWorkdir.run, with room for 300 resources
// through one agent (about 6 creates a second under -race, half that
// when other tests share the cores); the output
// is returned, not logged, to keep 300 progress lines out of the test log.
func runLong(w *tfWorkdir, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(w.t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("terraform %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// serveCountingProvider serves the provider, its applies counted, and
// returns the TF_REATTACH_PROVIDERS value for it; a later entry in the
// environment overrides newTFWorkdir's own.
func serveCountingProvider(t *testing.T, c *concurrencyCounter) string {
	t.Helper()
	s, err := testAccProviders()["iis"]()
	if err != nil {
		t.Fatal(err)
	}
	return serveProviderServer(t, countingServer{ProviderServer: s, c: c})
}

// loadState is each resource's attributes in `terraform show -json`, by
// address (iis_firewall_rule.load[7]).
func loadState(t *testing.T, w *tfWorkdir) map[string]map[string]any {
	t.Helper()
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(w.mustRun("show", "-json")), &doc); err != nil {
		t.Fatalf("read the state: %v", err)
	}
	out := map[string]map[string]any{}
	for _, r := range doc.Values.RootModule.Resources {
		out[r.Address] = r.Values
	}
	return out
}

// loadRulesMatch checks that exactly the configured rules exist on the
// host, and that each resource's state describes its own rule.
func loadRulesMatch(h *testHost, state map[string]map[string]any) error {
	rules, err := h.host.FirewallRules(context.Background())
	if err != nil {
		return err
	}
	onHost := map[string]int{}
	for i, r := range rules {
		if strings.HasPrefix(r.Name, "tfacc-load-") {
			onHost[r.Name] = i
		}
	}
	if len(onHost) != loadRules {
		return fmt.Errorf("%d load rules on the host, want %d", len(onHost), loadRules)
	}
	for i := range loadRules {
		name := fmt.Sprintf("tfacc-load-%03d", i)
		j, ok := onHost[name]
		if !ok {
			return fmt.Errorf("rule %s is not on the host", name)
		}
		r := rules[j]
		port := fmt.Sprint(20000 + i)
		if r.DisplayName != fmt.Sprintf("Load %d", i) || r.Description != fmt.Sprintf("rule %d of the load test", i) ||
			len(r.LocalPorts) != 1 || r.LocalPorts[0] != port {
			return fmt.Errorf("rule %s on the host: display %q, description %q, ports %v", name, r.DisplayName, r.Description, r.LocalPorts)
		}
		a, ok := state[fmt.Sprintf("iis_firewall_rule.load[%d]", i)]
		if !ok {
			return fmt.Errorf("iis_firewall_rule.load[%d] is not in state", i)
		}
		ports, _ := a["local_ports"].([]any)
		if a["name"] != name || a["display_name"] != r.DisplayName || a["description"] != r.Description || len(ports) != 1 || ports[0] != port {
			return fmt.Errorf("iis_firewall_rule.load[%d] state holds name %v display %v description %v ports %v, not its own rule's",
				i, a["name"], a["display_name"], a["description"], a["local_ports"])
		}
	}
	return nil
}

// loadPoolsMatch does the same for the pools.
func loadPoolsMatch(h *testHost, state map[string]map[string]any) error {
	pools, err := h.host.AppPools(context.Background())
	if err != nil {
		return err
	}
	onHost := map[string]string{}
	for _, p := range pools {
		if strings.HasPrefix(p.Name, "load-") {
			onHost[p.Name] = p.Attrs["managedPipelineMode"]
		}
	}
	if len(onHost) != loadPools {
		return fmt.Errorf("%d load pools on the host, want %d", len(onHost), loadPools)
	}
	for i := range loadPools {
		name := fmt.Sprintf("load-%02d", i)
		want := map[bool]string{true: "Integrated", false: "Classic"}[i%2 == 0]
		if got, ok := onHost[name]; !ok || got != want {
			return fmt.Errorf("pool %s on the host: present %v, pipeline %q, want %s", name, ok, got, want)
		}
		a, ok := state[fmt.Sprintf("iis_app_pool.load[%d]", i)]
		if !ok {
			return fmt.Errorf("iis_app_pool.load[%d] is not in state", i)
		}
		if a["name"] != name || a["pipeline_mode"] != want {
			return fmt.Errorf("iis_app_pool.load[%d] state holds name %v pipeline %v, not its own pool's", i, a["name"], a["pipeline_mode"])
		}
	}
	return nil
}

// concurrencyCounter records how many calls were in flight at once.
type concurrencyCounter struct {
	mu        sync.Mutex
	now, most int
}

func (c *concurrencyCounter) enter() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now++
	c.most = max(c.most, c.now)
}

func (c *concurrencyCounter) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now--
}

func (c *concurrencyCounter) peak() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.most
}

// countingServer is the provider, unchanged, with its applies counted.
type countingServer struct {
	tfprotov6.ProviderServer
	c *concurrencyCounter
}

func (s countingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	s.c.enter()
	defer s.c.leave()
	return s.ProviderServer.ApplyResourceChange(ctx, req)
}
