package provider

import (
	"context"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// The host's spelling of a value and the configuration's are the same
// value; a real difference is not hidden.
func TestFirewallSetSemanticEquality(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		kind        fwValueKind
		config      []string
		host        []string
		wantEqual   bool
		explanation string
	}{
		{fwRemoteAddresses, []string{"10.1.2.3/8", "LocalSubnet"}, []string{"LocalSubnet", "10.0.0.0/255.0.0.0"}, true, "masked CIDR, host order"},
		{fwRemoteAddresses, []string{"10.1.2.0/24"}, []string{"10.1.2.0/255.255.255.0"}, true, "prefix and dotted mask"},
		{fwRemoteAddresses, []string{"10.1.2.3/8"}, []string{"10.0.0.0/255.255.0.0"}, false, "a narrower subnet is another value"},
		{fwRemoteAddresses, []string{"10.1.2.3/8"}, []string{"Any"}, false, "widened to Any"},
		{fwLocalPorts, []string{"443", "80"}, []string{"80", "443"}, true, "order"},
		{fwLocalPorts, []string{"80", "81"}, []string{"80-81"}, true, "adjacent ports and their range"},
		{fwLocalPorts, []string{"80"}, []string{"80", "8080"}, false, "a port added"},
		{fwProfiles, []string{"Private", "Domain"}, []string{"Domain", "Private"}, true, "profile order"},
		{fwProfiles, []string{"Any"}, []string{"Domain", "Private", "Public"}, false, "Windows reads these back differently"},
		{fwRemoteAddresses, []string{"not an address"}, []string{"not an address"}, false, "unparseable values are not equal by canonical form"},
	}
	for _, tt := range tests {
		a, b := newFWSet(tt.kind, tt.config), newFWSet(tt.kind, tt.host)
		got, diags := b.SetSemanticEquals(ctx, a)
		if diags.HasError() {
			t.Fatalf("%s: %v", tt.explanation, diags)
		}
		if got != tt.wantEqual {
			t.Errorf("%s: %v vs %v: semantic equality %v, want %v", tt.explanation, tt.config, tt.host, got, tt.wantEqual)
		}
	}
}

func TestProtocolSemanticEquality(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"tcp", "TCP", true}, {"6", "TCP", true}, {"17", "UDP", true}, {"47", "47", true},
		{"TCP", "UDP", false}, {"Any", "TCP", false},
	} {
		got, _ := newProtocolValue(tt.a).StringSemanticEquals(ctx, newProtocolValue(tt.b))
		if got != tt.want {
			t.Errorf("%s vs %s: %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMinExposureFilter(t *testing.T) {
	tests := []struct {
		level, min risk.Exposure
		want       bool
	}{
		{risk.ExposureLow, risk.ExposureNone, true},
		{risk.ExposureEgress, risk.ExposureNone, true},
		{risk.ExposureCritical, risk.ExposureHigh, true},
		{risk.ExposureMedium, risk.ExposureHigh, false},
		{risk.ExposureEgress, risk.ExposureHigh, false},
		{risk.ExposureEgress, risk.ExposureEgressLow, true},
		{risk.ExposureEgressLow, risk.ExposureEgress, false},
		{risk.ExposureCritical, risk.ExposureEgressLow, false},
	}
	for _, tt := range tests {
		if got := atLeast(tt.level, tt.min); got != tt.want {
			t.Errorf("atLeast(%s, %s) = %v, want %v", tt.level, tt.min, got, tt.want)
		}
	}
}
