package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
)

// plugin-testing cannot assert warnings, so the plan-time warning is
// tested here, through ModifyPlan with a real schema, plan and state.

func ruleModel(t *testing.T, f func(*fwrule.RuleSpec)) firewallRuleModel {
	t.Helper()
	spec := fwrule.RuleSpec{Name: "dns-in", DisplayName: "DNS in", Enabled: true, Protocol: "UDP",
		LocalPorts: []string{"53"}, RemoteAddresses: []string{"10.1.2.0/24"}, Profiles: []string{"Domain"}}
	if f != nil {
		f(&spec)
	}
	canon, problems := fwrule.Normalize(spec)
	if len(problems) > 0 {
		t.Fatalf("test rule is invalid: %v", problems)
	}
	return firewallRuleState(firewall.Rule{RuleSpec: canon}, types.StringNull())
}

func modifyPlan(t *testing.T, prior *firewallRuleModel, planned firewallRuleModel) (string, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	r := &firewallRuleResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	null := tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)

	// As the framework hands it over: computed values unknown on a change.
	planned.Exposure, planned.ExposureReason = types.StringUnknown(), types.StringUnknown()
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: null}
	if d := plan.Set(ctx, &planned); d.HasError() {
		t.Fatal(d)
	}
	state := tfsdk.State{Schema: sr.Schema, Raw: null}
	if prior != nil {
		if d := state.Set(ctx, prior); d.HasError() {
			t.Fatal(d)
		}
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, resource.ModifyPlanRequest{Plan: plan, State: state}, &resp)
	var exposure types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("exposure"), &exposure)...)
	return exposure.ValueString(), resp.Diagnostics
}

func TestWideningWarnsWithLevelsAndChanges(t *testing.T) {
	low := ruleModel(t, nil)
	critical := ruleModel(t, func(s *fwrule.RuleSpec) {
		s.RemoteAddresses, s.LocalPorts, s.Profiles = []string{"Any"}, []string{"1024-65535"}, nil
	})
	exposure, diags := modifyPlan(t, &low, critical)
	if exposure != "critical" {
		t.Errorf("planned exposure %q, want critical", exposure)
	}
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", diags)
	}
	w := diags.Warnings()[0]
	text := w.Summary() + "\n" + w.Detail()
	for _, want := range []string{
		`Firewall rule "dns-in" widens exposure from low to critical`,
		"remote addresses: added Any; removed 10.1.2.0/255.255.255.0",
		"local ports: added 1024-65535; removed 53 (1 -> 64512 ports)",
		"profiles: added Any; removed Domain",
		"inbound UDP 1024-65535 from Any on all profiles: 64512 ports reachable from the internet",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("warning lacks %q:\n%s", want, text)
		}
	}
}

func TestNoWarningWhenExposureHoldsOrFalls(t *testing.T) {
	low := ruleModel(t, nil)
	critical := ruleModel(t, func(s *fwrule.RuleSpec) { s.RemoteAddresses, s.Profiles = []string{"Any"}, nil })
	renamed := ruleModel(t, func(s *fwrule.RuleSpec) { s.DisplayName = "DNS (resolvers)"; s.LocalPorts = []string{"53", "5353"} })
	for _, tt := range []struct {
		name         string
		prior, plan  firewallRuleModel
		wantExposure string
	}{
		{"no-op", low, low, "low"},
		{"narrowing", critical, low, "low"},
		{"same level, other ports", low, renamed, "low"},
	} {
		exposure, diags := modifyPlan(t, &tt.prior, tt.plan)
		if exposure != tt.wantExposure || diags.HasError() || diags.WarningsCount() != 0 {
			t.Errorf("%s: exposure %q, diagnostics %v", tt.name, exposure, diags)
		}
	}
}

func TestCreateWarnsOnlyWhenHighlyExposed(t *testing.T) {
	if _, diags := modifyPlan(t, nil, ruleModel(t, nil)); diags.WarningsCount() != 0 {
		t.Errorf("creating a low rule warned: %v", diags)
	}
	exposure, diags := modifyPlan(t, nil, ruleModel(t, func(s *fwrule.RuleSpec) { s.RemoteAddresses = []string{"Internet"} }))
	if exposure != "high" || diags.WarningsCount() != 1 || !strings.Contains(diags.Warnings()[0].Summary(), `New firewall rule "dns-in" has exposure high`) {
		t.Errorf("creating a high rule: exposure %q, diagnostics %v", exposure, diags)
	}
}
