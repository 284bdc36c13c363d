package host

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

func call(t *testing.T, h *Host, op string, args, result any) *protocol.Error {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	res, perr := h.Handle(context.Background(), op, raw)
	if perr == nil && result != nil {
		if err := json.Unmarshal(res, result); err != nil {
			t.Fatalf("%s result: %v", op, err)
		}
	}
	return perr
}

func mustCall(t *testing.T, h *Host, op string, args, result any) {
	t.Helper()
	if err := call(t, h, op, args, result); err != nil {
		t.Fatalf("%s: %v", op, err)
	}
}

func webRule(f func(*hostapi.FirewallRule)) hostapi.FirewallRule {
	r := hostapi.FirewallRule{Name: "web-in", DisplayName: "Web in", Enabled: "True", Protocol: "TCP",
		LocalPort: []string{"443"}, RemoteAddress: []string{"10.1.2.0/24"}, Profile: "Domain"}
	if f != nil {
		f(&r)
	}
	return r
}

// Reads come back as the cmdlets print them: masked IPv4 subnets, the
// order given, Any for what was never set, flags as one string in flag
// order, protocol names for their numbers.
func TestFirewallReadsBackAsWindowsPrintsIt(t *testing.T) {
	h := New(Options{})
	var got hostapi.FirewallRule
	mustCall(t, h, hostapi.OpFirewallRuleCreate, hostapi.FirewallRule{
		Name: "web-in", DisplayName: "Web in", Protocol: "6",
		LocalPort:     []string{"8443", "80", "5000-5020"},
		RemoteAddress: []string{"10.1.2.3/8", "localsubnet", "192.168.7.9/255.255.255.0", "10.9.9.9/32", "fe80::1/64"},
		Profile:       "Public, Domain",
		InterfaceType: "Wireless, Wired",
	}, &got)
	want := hostapi.FirewallRule{
		Name: "web-in", DisplayName: "Web in", Enabled: "True", Direction: "Inbound", Action: "Allow",
		Profile: "Domain, Public", EdgeTraversal: "Block", Protocol: "TCP",
		LocalPort: []string{"8443", "80", "5000-5020"}, RemotePort: []string{"Any"}, IcmpType: []string{"Any"},
		LocalAddress:  []string{"Any"},
		RemoteAddress: []string{"10.0.0.0/255.0.0.0", "LocalSubnet", "192.168.7.0/255.255.255.0", "10.9.9.9", "fe80::1/64"},
		Program:       "Any", Service: "Any", InterfaceType: "Wired, Wireless",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("created rule reads\n %+v\nwant\n %+v", got, want)
	}
	var again hostapi.FirewallRule
	mustCall(t, h, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: "WEB-IN"}, &again)
	if !reflect.DeepEqual(again, want) {
		t.Fatalf("get (names are case-insensitive) reads %+v", again)
	}
}

func TestFirewallNameIsUniqueDisplayNameIsNot(t *testing.T) {
	h := New(Options{})
	mustCall(t, h, hostapi.OpFirewallRuleCreate, webRule(nil), nil)
	err := call(t, h, hostapi.OpFirewallRuleCreate, webRule(func(r *hostapi.FirewallRule) { r.DisplayName = "other" }), nil)
	if err == nil || err.Kind != protocol.AlreadyExists || !strings.Contains(err.Message, "'web-in' already exists") {
		t.Fatalf("second rule with the same name: %v", err)
	}
	mustCall(t, h, hostapi.OpFirewallRuleCreate, webRule(func(r *hostapi.FirewallRule) { r.Name = "web-in-2" }), nil)
	var list hostapi.FirewallRuleList
	mustCall(t, h, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, &list)
	n := 0
	for _, r := range list.Rules {
		if r.DisplayName == "Web in" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d rules display as 'Web in', want 2", n)
	}
}

// New-NetFirewallRule refuses what Windows refuses, with Windows' words.
func TestFirewallRefusesWhatWindowsRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(*hostapi.FirewallRule)
		want string
	}{
		{"ports without TCP or UDP", func(r *hostapi.FirewallRule) { r.Protocol = "Any" }, msgProtocolOptions},
		{"ports with ICMP", func(r *hostapi.FirewallRule) { r.Protocol = "ICMPv4" }, msgProtocolOptions},
		{"ICMP types with TCP", func(r *hostapi.FirewallRule) { r.IcmpType = []string{"8"} }, msgProtocolOptions},
		{"UDP keyword with TCP", func(r *hostapi.FirewallRule) { r.LocalPort = []string{"PlayToDiscovery"} }, msgPortKeyword},
		{"local keyword on the remote side", func(r *hostapi.FirewallRule) { r.RemotePort = []string{"RPCEPMap"} }, msgPortInvalid},
		{"Any with a port", func(r *hostapi.FirewallRule) { r.LocalPort = []string{"Any", "80"} }, msgPortInvalid},
		{"port 0", func(r *hostapi.FirewallRule) { r.LocalPort = []string{"0"} }, msgPortRange},
		{"reversed range", func(r *hostapi.FirewallRule) { r.LocalPort = []string{"90-80"} }, msgPortRange},
		{"Any with an address", func(r *hostapi.FirewallRule) { r.RemoteAddress = []string{"Any", "10.0.0.1"} }, msgAddressInvalid},
		{"not an address", func(r *hostapi.FirewallRule) { r.RemoteAddress = []string{"10.0.0.300"} }, msgAddressInvalid},
		{"keyword on the local side", func(r *hostapi.FirewallRule) { r.LocalAddress = []string{"LocalSubnet"} }, msgLocalKeyword},
		{"non-contiguous mask", func(r *hostapi.FirewallRule) { r.RemoteAddress = []string{"10.0.0.0/255.0.255.0"} }, msgMaskInvalid},
		{"edge traversal outbound", func(r *hostapi.FirewallRule) { r.Direction = "Outbound"; r.EdgeTraversal = "Allow" }, msgEdgeOutbound},
		{"defer to user without program", func(r *hostapi.FirewallRule) { r.EdgeTraversal = "DeferToUser" }, msgDeferToUser},
		{"display name All", func(r *hostapi.FirewallRule) { r.DisplayName = "all" }, msgDisplayNameAll},
		{"no display name", func(r *hostapi.FirewallRule) { r.DisplayName = "" }, msgDisplayNameEmpty},
		{"bad profile", func(r *hostapi.FirewallRule) { r.Profile = "Home" }, "Unable to match the identifier name Home"},
		{"bad protocol", func(r *hostapi.FirewallRule) { r.Protocol = "ICMP" }, msgProtocolInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(Options{})
			before, _ := h.FirewallRules(context.Background())
			err := call(t, h, hostapi.OpFirewallRuleCreate, webRule(tt.edit), nil)
			if err == nil || err.Kind != protocol.InvalidArgument || !strings.Contains(err.Message, tt.want) {
				t.Fatalf("got %v, want invalid_argument %q", err, tt.want)
			}
			after, _ := h.FirewallRules(context.Background())
			if len(after) != len(before) {
				t.Fatal("a refused rule was stored")
			}
		})
	}
}

// Profile flags OR together as PowerShell converts them: Any is 0.
func TestFirewallProfileAnyIsZeroFlag(t *testing.T) {
	h := New(Options{})
	var got hostapi.FirewallRule
	mustCall(t, h, hostapi.OpFirewallRuleCreate, webRule(func(r *hostapi.FirewallRule) { r.Profile = "Any, Private" }), &got)
	if got.Profile != "Private" {
		t.Fatalf("profile %q, want Private", got.Profile)
	}
}

func TestFirewallUpdateInPlaceButNotTheGroup(t *testing.T) {
	h := New(Options{})
	mustCall(t, h, hostapi.OpFirewallRuleCreate, webRule(func(r *hostapi.FirewallRule) { r.Group = "Web" }), nil)
	var got hostapi.FirewallRule
	mustCall(t, h, hostapi.OpFirewallRuleUpdate, webRule(func(r *hostapi.FirewallRule) {
		r.Group = "Web"
		r.DisplayName = "Web in (renamed)"
		r.Protocol = "UDP"
		r.LocalPort = []string{"1024-65535"}
		r.RemoteAddress = []string{"Any"}
	}), &got)
	if got.DisplayName != "Web in (renamed)" || got.Protocol != "UDP" || !reflect.DeepEqual(got.RemoteAddress, []string{"Any"}) || got.Group != "Web" {
		t.Fatalf("updated rule reads %+v", got)
	}
	err := call(t, h, hostapi.OpFirewallRuleUpdate, webRule(func(r *hostapi.FirewallRule) { r.Group = "Other" }), nil)
	if err == nil || err.Kind != protocol.InvalidArgument || !strings.Contains(err.Message, "only when the rule is created") {
		t.Fatalf("group change: %v", err)
	}
	err = call(t, h, hostapi.OpFirewallRuleUpdate, webRule(func(r *hostapi.FirewallRule) { r.Name = "gone" }), nil)
	if err == nil || err.Kind != protocol.NotFound || !strings.Contains(err.Message, "equal to 'gone'") {
		t.Fatalf("update of a missing rule: %v", err)
	}
}

// Names with wildcard characters mean that one rule: the agent escapes
// them, and the store honours the escapes as Get-NetFirewallRule does.
func TestFirewallWildcardNamesAreLiteral(t *testing.T) {
	h := New(Options{})
	for _, n := range []string{"web*", "web-1", "web[1]", "web`tick"} {
		mustCall(t, h, hostapi.OpFirewallRuleCreate, webRule(func(r *hostapi.FirewallRule) { r.Name = n }), nil)
	}
	mustCall(t, h, hostapi.OpFirewallRuleDelete, hostapi.FirewallRuleName{Name: "web*"}, nil)
	mustCall(t, h, hostapi.OpFirewallRuleDelete, hostapi.FirewallRuleName{Name: "web[1]"}, nil)
	for _, n := range []string{"web-1", "web`tick"} {
		mustCall(t, h, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: n}, nil)
	}
	if err := call(t, h, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: "web?1"}, nil); err == nil || err.Kind != protocol.NotFound {
		t.Fatalf("get web?1 matched a rule: %v", err)
	}

	// The store itself treats -Name as a pattern: unescaped, web* would
	// have taken web-1 with it.
	s, err := h.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := getNetFirewallRule(s, "web*")
	if err != nil || len(idx) != 2 {
		t.Fatalf("unescaped pattern web* matched %v (%v), want both remaining web rules", idx, err)
	}
}

// An empty selector never reaches Remove-NetFirewallRule; the store shows
// why it must not: without a selector, every rule goes.
func TestFirewallEmptySelectorGuard(t *testing.T) {
	h := New(Options{})
	before, _ := h.FirewallRules(context.Background())
	for _, name := range []string{"", "   "} {
		err := call(t, h, hostapi.OpFirewallRuleDelete, hostapi.FirewallRuleName{Name: name}, nil)
		if err == nil || err.Kind != protocol.InvalidArgument || err.Message != msgEmptyName {
			t.Fatalf("delete %q: %v", name, err)
		}
	}
	if err := call(t, h, hostapi.OpFirewallRuleDelete, map[string]any{}, nil); err == nil || err.Kind != protocol.InvalidArgument {
		t.Fatalf("delete without a name argument: %v", err)
	}
	after, _ := h.FirewallRules(context.Background())
	if len(after) != len(before) || len(before) == 0 {
		t.Fatalf("rules before %d, after %d", len(before), len(after))
	}

	s, _ := h.Snapshot(context.Background())
	if err := removeNetFirewallRule(s, nil); err != nil || len(s.Firewall) != 0 {
		t.Fatalf("Remove-NetFirewallRule without a selector left %d rules (%v); the guard would protect nothing", len(s.Firewall), err)
	}
}

func TestFirewallListFiltersAndStockRules(t *testing.T) {
	h := New(Options{})
	var all hostapi.FirewallRuleList
	mustCall(t, h, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{}, &all)
	names := map[string]hostapi.FirewallRule{}
	for _, r := range all.Rules {
		names[r.Name] = r
	}
	for _, n := range []string{"IIS-WebServerRole-HTTP-In-TCP", "RemoteDesktop-UserMode-In-TCP", "WINRM-HTTP-In-TCP-PUBLIC", "FPS-ICMP4-ERQ-In"} {
		if _, ok := names[n]; !ok {
			t.Errorf("stock rule %s missing", n)
		}
	}
	if r := names["WINRM-HTTP-In-TCP"]; r.Profile != "Domain, Private" || r.RemoteAddress[0] != "Any" {
		t.Errorf("WinRM rule reads %+v", r)
	}
	var rdp hostapi.FirewallRuleList
	mustCall(t, h, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{Group: "remote desktop"}, &rdp)
	if len(rdp.Rules) != 2 {
		t.Errorf("group Remote Desktop (display group) has %d rules, want 2", len(rdp.Rules))
	}
	var out hostapi.FirewallRuleList
	mustCall(t, h, hostapi.OpFirewallRuleList, hostapi.FirewallRuleFilter{Direction: "Outbound", Enabled: "True"}, &out)
	if len(out.Rules) != 1 || out.Rules[0].Name != "CoreNet-DNS-Out-UDP" {
		t.Errorf("enabled outbound rules: %+v", out.Rules)
	}
}

// Every firewall operation costs in proportion to the rules on the host,
// however few it returns (windows-host.md 4.2).
func TestFirewallCostFollowsRuleCount(t *testing.T) {
	h := New(Options{Latency: Latency{PerFirewallRule: time.Millisecond}})
	ctx := context.Background()
	base := h.cost(ctx, hostapi.OpFirewallRuleGet)
	for i := 0; i < 2*len(stockFirewall()); i++ {
		if err := h.NewFirewallRule(ctx, fmt.Sprintf("extra-%d", i), FWParams{DisplayName: Str("extra")}); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.cost(ctx, hostapi.OpFirewallRuleGet); got != 3*base {
		t.Fatalf("get costs %v with three times the rules, want %v", got, 3*base)
	}
}

func TestFirewallAdminChangeIsValidated(t *testing.T) {
	h := New(Options{})
	ctx := context.Background()
	mustCall(t, h, hostapi.OpFirewallRuleCreate, webRule(nil), nil)
	if err := h.SetFirewallRule(ctx, "web-in", FWParams{RemoteAddress: []string{"Any"}, LocalPort: []string{"1-65535"}}); err != nil {
		t.Fatal(err)
	}
	var got hostapi.FirewallRule
	mustCall(t, h, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: "web-in"}, &got)
	if got.RemoteAddress[0] != "Any" || got.LocalPort[0] != "1-65535" {
		t.Fatalf("after the admin's change: %+v", got)
	}
	if err := h.SetFirewallRule(ctx, "web-in", FWParams{Protocol: Str("ICMPv4")}); err == nil {
		t.Fatal("an admin could set ICMP on a rule with ports")
	}
}

// The simulator's own messages are the agent's, word for word.
func TestFirewallMessagesMatchTheAgent(t *testing.T) {
	ps := string(hostscript.Scripts()["firewall.ps1"])
	for _, msg := range []string{msgEmptyName, msgAlreadyExists, msgGroupFixed,
		"No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to '%s'.  Verify the value of the property and retry."} {
		n := 0
		psForm := msg
		for strings.Contains(psForm, "%s") {
			psForm = strings.Replace(psForm, "%s", fmt.Sprintf("{%d}", n), 1)
			n++
		}
		if !strings.Contains(ps, psForm) {
			t.Errorf("firewall.ps1 does not say %q", psForm)
		}
	}
}
