package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

const fwAddr = "iis_firewall_rule.test"

func expectExposure(level string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(fwAddr, tfjsonpath.New("exposure"), knownvalue.StringExact(level))
}

// Create, update in place, widen to critical, change the group (replace),
// import, destroy.
func TestAccFirewallRuleLifecycle(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	name := uniqueRuleName(t, "dns")
	narrow := []string{`display_name = "Internal DNS"`, `protocol = "UDP"`, `local_ports = ["53"]`,
		`remote_addresses = ["10.1.2.0/24"]`, `profiles = ["Domain"]`}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkRuleGone(t, c, name),
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig() + fwRuleConfig("test", name, narrow...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionCreate),
					expectExposure("low"),
					plancheck.ExpectKnownValue(fwAddr, tfjsonpath.New("exposure_reason"), knownvalue.StringExact(
						"inbound UDP 53 from 10.1.2.0/255.255.255.0 on Domain: 1 port reachable from 256 addresses")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("direction"), knownvalue.StringExact("Inbound")),
					statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("exposure"), knownvalue.StringExact("low")),
				},
				Check: func(*terraform.State) error {
					r, ok := hostRule(t, c, name)
					if !ok || r.DisplayName != "Internal DNS" || r.Protocol != "UDP" || !slices.Equal(r.RemoteAddresses, []string{"10.1.2.0/255.255.255.0"}) {
						t.Errorf("rule on the host: %+v (exists %v)", r, ok)
					}
					return nil
				},
			},
			{
				// Everything but the group changes in place.
				Config: h.providerConfig() + fwRuleConfig("test", name, `display_name = "Internal DNS (resolvers)"`,
					`description = "Resolvers on the server subnet"`, `protocol = "UDP"`, `local_ports = ["53", "5353"]`,
					`remote_addresses = ["10.1.2.0/24"]`, `profiles = ["Domain"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionUpdate),
					expectExposure("low"),
				}},
			},
			{
				// UDP 1024-65535 from anywhere on every profile.
				Config: h.providerConfig() + fwRuleConfig("test", name, `display_name = "Internal DNS (resolvers)"`,
					`description = "Resolvers on the server subnet"`, `protocol = "UDP"`, `local_ports = ["1024-65535"]`,
					`remote_addresses = ["Any"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionUpdate),
					expectExposure("critical"),
					plancheck.ExpectKnownValue(fwAddr, tfjsonpath.New("exposure_reason"), knownvalue.StringExact(
						"inbound UDP 1024-65535 from Any on all profiles: 64512 ports reachable from the internet; more than 100 ports")),
				}},
			},
			{
				Config: h.providerConfig() + fwRuleConfig("test", name, `display_name = "Internal DNS (resolvers)"`,
					// Windows' spelling of the subnet, so that the import
					// below reads back exactly this configuration.
					`group = "Name resolution"`, `protocol = "UDP"`, `local_ports = ["53"]`, `remote_addresses = ["10.1.2.0/255.255.255.0"]`,
					`profiles = ["Domain"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionReplace),
					expectExposure("low"),
				}},
				Check: func(*terraform.State) error {
					if r, ok := hostRule(t, c, name); !ok || r.Group != "Name resolution" {
						t.Errorf("after the group change the host holds %+v (exists %v)", r, ok)
					}
					return nil
				},
			},
			{
				ResourceName:      fwAddr,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
		},
	})
}

// A rule on another host than the provider's is imported as host/name.
func TestAccFirewallRuleImportByHostAndName(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	elsewhere := *h
	elsewhere.Host = "127.0.0.2" // nothing listens there: the rule's host must be used
	name := uniqueRuleName(t, "https")
	config := elsewhere.providerConfig() + fwRuleConfig("test", name, `host = `+hclString(h.Host),
		`display_name = "HTTPS"`, `protocol = "TCP"`, `local_ports = ["443"]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkRuleGone(t, c, name),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("exposure"), knownvalue.StringExact("critical")),
			}},
			{Config: config, ResourceName: fwAddr, ImportState: true, ImportStateId: h.Host + "/" + name, ImportStateVerify: true},
		},
	})
}

// Written either way, the same rule plans empty: CIDR as prefix or as
// Windows' masked form, lists in any order, names and numbers, Any.
func TestAccFirewallRuleNoPerpetualDiff(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	name := uniqueRuleName(t, "spelling")
	var updates uint64
	config := h.providerConfig() + fwRuleConfig("test", name, `display_name = "Spelling"`, `protocol = "tcp"`,
		`local_ports = ["8443", "80", "81"]`,
		`remote_addresses = ["LocalSubnet", "10.1.2.3/8", "192.168.1.0/255.255.255.0", "172.16.0.9/32"]`,
		`local_addresses = ["Any"]`, `profiles = ["Private", "Domain"]`, `interface_types = ["Wireless", "Wired"]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkRuleGone(t, c, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The configuration's spelling stays in state.
					statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("protocol"), knownvalue.StringExact("tcp")),
					statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("remote_addresses"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("LocalSubnet"), knownvalue.StringExact("10.1.2.3/8"),
						knownvalue.StringExact("192.168.1.0/255.255.255.0"), knownvalue.StringExact("172.16.0.9/32"),
					})),
				},
				Check: func(*terraform.State) error {
					// ...while the host holds its own.
					r, _ := hostRule(t, c, name)
					want := []string{"LocalSubnet", "10.0.0.0/255.0.0.0", "172.16.0.9", "192.168.1.0/255.255.255.0"}
					if !slices.Equal(r.RemoteAddresses, want) {
						t.Errorf("host holds remote addresses %v, want %v", r.RemoteAddresses, want)
					}
					return nil
				},
			},
			{Config: config, PlanOnly: true},
			{
				// Respelling the configuration in Windows' own form is a
				// change of configuration, so it plans an update, but one
				// that leaves the host alone; after it the plan is empty.
				PreConfig: func() { updates = hostOps(h, hostapi.OpFirewallRuleUpdate) },
				Config: h.providerConfig() + fwRuleConfig("test", name, `display_name = "Spelling"`, `protocol = "6"`,
					`local_ports = ["80-81", "8443"]`,
					`remote_addresses = ["10.0.0.0/255.0.0.0", "172.16.0.9", "192.168.1.0/24", "LocalSubnet"]`,
					`profiles = ["Domain", "Private"]`, `interface_types = ["Wired", "Wireless"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{expectExposure("medium")},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if n := hostOps(h, hostapi.OpFirewallRuleUpdate); n != updates {
						t.Errorf("a respelling sent %d updates to the host", n-updates)
					}
					return nil
				},
			},
			{
				// A real change still shows.
				Config: h.providerConfig() + fwRuleConfig("test", name, `display_name = "Spelling"`, `protocol = "tcp"`,
					`local_ports = ["8443", "80", "81"]`,
					`remote_addresses = ["LocalSubnet", "10.1.2.3/16", "192.168.1.0/255.255.255.0", "172.16.0.9/32"]`,
					`profiles = ["Private", "Domain"]`, `interface_types = ["Wireless", "Wired"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// An administrator widens the rule out of band: the refresh shows the rule
// as it now is, exposure included, and the next plan takes it back.
func TestAccFirewallRuleDrift(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	name := uniqueRuleName(t, "drift")
	config := h.providerConfig() + fwRuleConfig("test", name, `display_name = "Metrics"`, `protocol = "UDP"`,
		`local_ports = ["8125"]`, `remote_addresses = ["10.20.0.0/24"]`, `profiles = ["Domain"]`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy:             checkRuleGone(t, c, name),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(fwAddr, tfjsonpath.New("exposure"), knownvalue.StringExact("low")),
			}},
			{
				PreConfig:          func() { widenOutOfBand(t, h, c, name, "1024-65535") },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionUpdate),
					// The plan puts back exactly what the administrator
					// changed, and the exposure with it.
					expectOnlyChanges(fwAddr, map[string]move{
						"local_ports": moved(knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("1024-65535")}),
							knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("8125")})),
						"remote_addresses": moved(knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Any")}),
							knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("10.20.0.0/24")})),
						"exposure": movedStr("high", "low"),
						"exposure_reason": moved(knownvalue.StringRegexp(regexp.MustCompile(`1024-65535 from Any on Domain`)),
							knownvalue.StringRegexp(regexp.MustCompile(`8125 from 10\.20\.0\.0/255\.255\.255\.0 on Domain`))),
					}),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(fwAddr, "exposure", "high"),
					resource.TestCheckResourceAttr(fwAddr, "remote_addresses.#", "1"),
					resource.TestCheckTypeSetElemAttr(fwAddr, "remote_addresses.*", "Any"),
					resource.TestCheckTypeSetElemAttr(fwAddr, "local_ports.*", "1024-65535"),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionUpdate),
					expectExposure("low"),
				}},
				Check: func(*terraform.State) error {
					r, ok := hostRule(t, c, name)
					if !ok || !slices.Equal(r.LocalPorts, []string{"8125"}) || !slices.Equal(r.RemoteAddresses, []string{"10.20.0.0/255.255.255.0"}) {
						return fmt.Errorf("after the apply the host holds %+v (exists %v), want the configured rule back", r, ok)
					}
					return nil
				},
			},
			{
				// Deleted out of band: the plan creates it again.
				PreConfig: func() { removeOutOfBand(t, h, c, name) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fwAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					if _, ok := hostRule(t, c, name); !ok {
						return fmt.Errorf("rule %s was not created again", name)
					}
					return nil
				},
			},
		},
	})
}

// A rule that already exists is never adopted silently.
func TestAccFirewallRuleExistingIsNotAdopted(t *testing.T) {
	h := newTestHost(t, simOptions{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: h.providerConfig() + fwRuleConfig("test", "WINRM-HTTP-In-TCP", `display_name = "WinRM"`,
				`protocol = "TCP"`, `local_ports = ["5985"]`),
			ExpectError: regexp.MustCompile(`already has a firewall rule named "WINRM-HTTP-In-TCP"[\s\S]*import it`),
		}},
	})
}

// Every combination New-NetFirewallRule refuses (windows-host.md 4.1)
// fails at plan time, at the attribute at fault, saying what is accepted.
func TestAccFirewallRuleInvalidCombinations(t *testing.T) {
	h := newTestHost(t, simOptions{})
	tests := []struct {
		attrs []string
		want  string
	}{
		{[]string{`local_ports = ["80"]`}, `ports need protocol TCP or UDP`},
		{[]string{`protocol = "ICMPv4"`, `remote_ports = ["443"]`}, `ports need protocol TCP or UDP`},
		{[]string{`protocol = "TCP"`, `icmp_types = ["8"]`}, `set protocol to ICMPv4 or ICMPv6`},
		{[]string{`protocol = "TCP"`, `local_ports = ["PlayToDiscovery"]`}, `One of the port keywords is invalid[\s\S]*only with protocol UDP`},
		{[]string{`protocol = "UDP"`, `local_ports = ["RPC"]`}, `RPC works only with protocol TCP`},
		{[]string{`protocol = "TCP"`, `remote_ports = ["RPCEPMap"]`}, `RPCEPMap is a local-port keyword`},
		{[]string{`protocol = "TCP"`, `local_ports = ["Any", "80"]`}, `Any means every value and must stand alone`},
		{[]string{`remote_addresses = ["Any", "10.0.0.1"]`}, `Any means every value and must stand alone`},
		{[]string{`profiles = ["Any", "Public"]`}, `Any means every value and must stand alone`},
		{[]string{`interface_types = ["Any", "Wired"]`}, `Any means every value and must stand alone`},
		{[]string{`protocol = "ICMPv4"`, `icmp_types = ["Any", "8"]`}, `Any means every value and must stand alone`},
		{[]string{`local_addresses = ["LocalSubnet"]`}, `only valid on the remote address`},
		{[]string{`remote_addresses = ["10.0.0.300"]`}, `The address is invalid`},
		{[]string{`remote_addresses = ["10.0.0.9-10.0.0.1"]`}, `end address is less than the beginning address`},
		{[]string{`remote_addresses = ["10.0.0.0/255.0.255.0"]`}, `subnet masks is invalid`},
		{[]string{`protocol = "TCP"`, `local_ports = ["0"]`}, `0 was used as a port number`},
		{[]string{`protocol = "TCP"`, `local_ports = ["90-80"]`}, `invalid port range`},
		{[]string{`protocol = "TCP"`, `local_ports = ["http"]`}, `The port is invalid`},
		{[]string{`protocol = "ICMPv4"`, `icmp_types = ["3:300"]`}, `Invalid ICMP code`},
		{[]string{`protocol = "ICMP"`}, `Windows names the ICMP versions separately`},
		{[]string{`protocol = "256"`}, `not a known name or a number from 0 to 255`},
		{[]string{`profiles = ["Home"]`}, `The profile type is invalid`},
		{[]string{`direction = "Outbound"`, `edge_traversal = "Allow"`}, `Edge traversal is valid only when the direction is Inbound`},
		{[]string{`protocol = "TCP"`, `edge_traversal = "DeferToUser"`}, `'Defer to user' setting can only be used[\s\S]*program path`},
		{[]string{`direction = "inbound"`}, `value must be one of`},
		{[]string{`display_name = "All"`}, `cannot be set to All`},
		{[]string{`display_name = "web | api"`}, `must not contain the "\|" character`},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		attrs := append([]string{`display_name = "Invalid"`}, tt.attrs...)
		if len(tt.attrs) == 1 && regexp.MustCompile(`^display_name`).MatchString(tt.attrs[0]) {
			attrs = tt.attrs
		}
		steps = append(steps, resource.TestStep{
			Config:   h.providerConfig() + fwRuleConfig("test", "tfacc-invalid", attrs...),
			PlanOnly: true,
			// Terraform wraps diagnostics, so any space may be a line break.
			ExpectError: regexp.MustCompile(strings.ReplaceAll(tt.want, " ", `\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders(), Steps: steps})
}

// A name full of wildcard and quoting characters means that one rule: it
// is created, read and deleted alone, every stock rule survives, and
// hostile text in the description comes back as plain data.
func TestAccFirewallRuleHostileName(t *testing.T) {
	h := newTestHost(t, simOptions{})
	c := agentClient(t, h)
	name := "tfacc-*[x]?`'\"$(Remove-NetFirewallRule)"
	desc := "'; Remove-NetFirewallRule; $(whoami) `n ]]> <!-- \u00e9\u00e8 \u65e5\u672c"
	before := hostRuleCount(t, c)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		CheckDestroy: func(s *terraform.State) error {
			if err := checkRuleGone(t, c, name)(s); err != nil {
				return err
			}
			if n := hostRuleCount(t, c); n != before {
				t.Errorf("%d rules on the host after destroy, %d before the test", n, before)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig() + fwRuleConfig("test", name, `display_name = "Hostile"`,
					`description = `+hclString(desc), `protocol = "TCP"`, `local_ports = ["8080"]`, `remote_addresses = ["LocalSubnet"]`),
				Check: func(*terraform.State) error {
					r, ok := hostRule(t, c, name)
					if !ok || r.Description != desc {
						t.Errorf("rule on the host: %+v (exists %v)", r, ok)
					}
					if n := hostRuleCount(t, c); n != before+1 {
						t.Errorf("%d rules on the host, want %d", n, before+1)
					}
					return nil
				},
			},
			{ResourceName: fwAddr, ImportState: true, ImportStateId: name, ImportStateVerify: true},
		},
	})
}
