package firewall

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// A rule as Get-NetFirewallRule and its filters print it reads into the
// same canonical form as the configuration that made it.
func TestFromWireMatchesTheConfigurationThatMadeIt(t *testing.T) {
	host := hostapi.FirewallRule{
		Name: "web-in", DisplayName: "Web in", Enabled: "True", Direction: "Inbound", Action: "Allow",
		Profile: "Domain, Private", EdgeTraversal: "Block", Protocol: "TCP",
		LocalPort: []string{"8443", "80"}, RemotePort: []string{"Any"}, IcmpType: []string{"Any"},
		LocalAddress:  []string{"Any"},
		RemoteAddress: []string{"192.168.1.0/255.255.255.0", "10.0.0.0/255.0.0.0", "LocalSubnet"},
		Program:       "Any", Service: "Any", InterfaceType: "Any",
	}
	config, problems := fwrule.Normalize(fwrule.RuleSpec{
		Name: "web-in", DisplayName: "Web in", Enabled: true, Protocol: "tcp",
		LocalPorts:      []string{"80", "8443"},
		RemoteAddresses: []string{"10.1.2.3/8", "localsubnet", "192.168.1.7/24"},
		Profiles:        []string{"Private", "Domain"},
	})
	if len(problems) > 0 {
		t.Fatalf("config problems: %v", problems)
	}
	got := FromWire(host)
	if !reflect.DeepEqual(got.RuleSpec, config) {
		t.Fatalf("host and config differ:\nhost   %+v\nconfig %+v", got.RuleSpec, config)
	}
}

func TestFromWireKeepsWhatItCannotRead(t *testing.T) {
	got := FromWire(hostapi.FirewallRule{Name: "x", DisplayName: "x", Enabled: "False", Protocol: "TCP",
		RemoteAddress: []string{"SomeFutureKeyword"}, Profile: "Any", InterfaceType: "Wired, Wireless"})
	if got.Enabled {
		t.Error("Enabled False read as enabled")
	}
	if !reflect.DeepEqual(got.RemoteAddresses, []string{"SomeFutureKeyword"}) {
		t.Errorf("unreadable address list = %v, want it kept as given", got.RemoteAddresses)
	}
	if !reflect.DeepEqual(got.InterfaceTypes, []string{"Wired", "Wireless"}) {
		t.Errorf("interface types = %v", got.InterfaceTypes)
	}
}

func TestToWireSpellsWhatTheCmdletsTake(t *testing.T) {
	w, err := toWire(fwrule.RuleSpec{Name: "n", DisplayName: "d", Enabled: false, Protocol: "17",
		LocalPorts: []string{"1024-65535"}, Profiles: []string{"Public", "Domain"}, InterfaceTypes: []string{"wireless", "wired"}})
	if err != nil {
		t.Fatal(err)
	}
	want := hostapi.FirewallRule{Name: "n", DisplayName: "d", Enabled: "False", Direction: "Inbound", Action: "Allow",
		Profile: "Domain, Public", EdgeTraversal: "Block", Protocol: "UDP",
		LocalPort: []string{"1024-65535"}, RemotePort: []string{"Any"}, IcmpType: []string{"Any"},
		LocalAddress: []string{"Any"}, RemoteAddress: []string{"Any"}, Program: "Any", Service: "Any",
		InterfaceType: "Wired, Wireless"}
	if !reflect.DeepEqual(w, want) {
		t.Fatalf("wire args\n got %+v\nwant %+v", w, want)
	}
}

// failCaller fails the test if any operation reaches it.
type failCaller struct{ t *testing.T }

func (f failCaller) Call(_ context.Context, op string, _, _ any) error {
	f.t.Errorf("operation %s reached the host", op)
	return errors.New("unexpected call")
}

// An empty or blank name never leaves the process: on the host,
// Remove-NetFirewallRule without a selector deletes every rule.
func TestEmptyNameNeverReachesTheHost(t *testing.T) {
	ctx := context.Background()
	c := failCaller{t}
	for _, name := range []string{"", "  ", "\t"} {
		if err := Delete(ctx, c, name); !errors.Is(err, ErrEmptyName) {
			t.Errorf("Delete(%q) = %v, want ErrEmptyName", name, err)
		}
		if _, err := Get(ctx, c, name); !errors.Is(err, ErrEmptyName) {
			t.Errorf("Get(%q) = %v, want ErrEmptyName", name, err)
		}
		if _, err := Update(ctx, c, fwrule.RuleSpec{Name: name, DisplayName: "x"}); !errors.Is(err, ErrEmptyName) {
			t.Errorf("Update(%q) = %v, want ErrEmptyName", name, err)
		}
	}
}

func TestInvalidRuleIsRefusedBeforeTheHost(t *testing.T) {
	_, err := Create(context.Background(), failCaller{t}, fwrule.RuleSpec{Name: "n", DisplayName: "d", LocalPorts: []string{"80"}})
	var inv *InvalidRuleError
	if !errors.As(err, &inv) || len(inv.Problems) != 1 || inv.Problems[0].Attribute != fwrule.AttrLocalPorts {
		t.Fatalf("Create with ports and protocol Any = %v, want one local_ports problem", err)
	}
}
