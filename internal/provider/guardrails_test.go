package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

func TestResolveGuardrails(t *testing.T) {
	env := func(m map[string]string) lookupEnv {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cases := []struct {
		name         string
		priv, exp    types.String
		env          map[string]string
		want         guardrails
		wantErrorsOn []string
	}{
		{name: "unset", priv: types.StringNull(), exp: types.StringNull()},
		{name: "block, any case", priv: types.StringValue("Medium"), exp: types.StringValue("HIGH"), want: guardrails{"medium", "high"}},
		{name: "environment", priv: types.StringNull(), exp: types.StringNull(),
			env: map[string]string{"IIS_MAX_PRIVILEGE": " low ", "IIS_MAX_EXPOSURE": "none"}, want: guardrails{"low", "none"}},
		{name: "block wins over environment", priv: types.StringValue("high"), exp: types.StringNull(),
			env: map[string]string{"IIS_MAX_PRIVILEGE": "least"}, want: guardrails{MaxPrivilege: "high"}},
		// Known only at apply: Terraform plans again then, with the value.
		{name: "unknown", priv: types.StringUnknown(), exp: types.StringUnknown()},
		{name: "invalid", priv: types.StringValue("admin"), exp: types.StringNull(),
			env: map[string]string{"IIS_MAX_EXPOSURE": "egress"}, wantErrorsOn: []string{"max_privilege", "max_exposure"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, diags := resolveGuardrails(c.priv, c.exp, env(c.env))
			var errs []string
			for _, d := range diags.Errors() {
				errs = append(errs, d.Summary())
			}
			if len(errs) != len(c.wantErrorsOn) {
				t.Fatalf("errors %v, want errors on %v", errs, c.wantErrorsOn)
			}
			for i, attr := range c.wantErrorsOn {
				if !strings.Contains(errs[i], attr) {
					t.Errorf("error %q does not name %s", errs[i], attr)
				}
			}
			if len(errs) == 0 && got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestExposureSeverityPutsOutboundBelowInternetInbound(t *testing.T) {
	if exposureSeverity(risk.ExposureEgress) != exposureSeverity(risk.ExposureMedium) ||
		exposureSeverity(risk.ExposureEgressLow) != exposureSeverity(risk.ExposureLow) ||
		exposureSeverity(risk.ExposureCritical) <= exposureSeverity(risk.ExposureHigh) {
		t.Error("outbound levels must rank as medium and low, inbound ones in their own order")
	}
}

// A pool identity above max_privilege fails the plan with the resource,
// the level and the reason; the same plan passes once the resource accepts
// that level, and keeps passing on refresh; an acceptance below the level
// does not cover it; without the guardrail, as before, only a warning.
func TestAccGuardrailPrivilege(t *testing.T) {
	h := newSimHost(t, simOptions{})
	config := func(providerExtra string, attrs ...string) string {
		var extra []string
		if providerExtra != "" {
			extra = append(extra, providerExtra)
		}
		return h.providerConfig(extra...) + poolConfig("shop", "shop") +
			identityConfig("test", "iis_app_pool.shop.name", append([]string{`identity_type = "LocalSystem"`}, attrs...)...)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config: config(`max_privilege = "medium"`),
				ExpectError: wrappedText(`Privilege full is above max_privilege "medium"`,
					`with iis_app_pool_identity.test`,
					`application pool "shop" would have privilege full, above the provider's max_privilege = "medium":`,
					`LocalSystem: full control of the host`,
					`set accept_privilege = "full" on this resource`),
			},
			{
				Config: config(`max_privilege = "medium"`, `accept_privilege = "high"`),
				ExpectError: wrappedText(`Privilege full is above max_privilege "medium"`,
					`accept_privilege = "high" on this resource does not cover full`),
			},
			{
				// Accepted in code: it applies, and the refresh after apply
				// plans nothing (the acceptance stays in state).
				Config: config(`max_privilege = "medium"`, `accept_privilege = "full"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionCreate),
					expectPrivilege("full"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(identityAddr, tfjsonpath.New("accept_privilege"), knownvalue.StringExact("full")),
				},
			},
			{
				// Removing the acceptance while the pool still runs as
				// LocalSystem fails again: the guardrail holds on every plan.
				Config:      config(`max_privilege = "medium"`),
				ExpectError: wrappedText(`Privilege full is above max_privilege "medium"`),
			},
			{
				// No guardrail: the plan goes through as before.
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(identityAddr, plancheck.ResourceActionUpdate),
					expectChange(identityAddr, "accept_privilege", "full", nil),
				}},
			},
			{
				// A level known only at apply is judged then: the user comes
				// from a resource created in the same apply, and is the
				// built-in Administrator.
				Config: h.providerConfig(`max_privilege = "medium"`) + poolConfig("shop", "shop") +
					identityConfig("test", "iis_app_pool.shop.name", `identity_type = "SpecificUser"`,
						`username = terraform_data.user.output`, `password = "not checked before apply"`) +
					"resource \"terraform_data\" \"user\" {\n  input = \"Administrator\"\n}\n",
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(identityAddr, tfjsonpath.New("privilege")),
				}},
				ExpectError: wrappedText(`Privilege full is above max_privilege "medium"`, `Administrator`),
			},
		},
	})
}

// A firewall rule above max_exposure fails the plan; accept_exposure lets
// it through; an outbound rule to anywhere counts as medium.
func TestAccGuardrailExposure(t *testing.T) {
	h := newSimHost(t, simOptions{})
	wide := []string{`display_name = "Media"`, `protocol = "UDP"`, `local_ports = ["1024-65535"]`, `remote_addresses = ["Any"]`}
	const ruleAddr = "iis_firewall_rule.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig(`max_exposure = "medium"`) + fwRuleConfig("test", "guard-media", wide...),
				ExpectError: wrappedText(`Exposure critical is above max_exposure "medium"`, `with iis_firewall_rule.test`,
					`firewall rule "guard-media" would have exposure critical`,
					`inbound UDP 1024-65535 from Any on all profiles: 64512 ports reachable from the internet`,
					`set accept_exposure = "critical" on this resource`),
			},
			{
				Config: h.providerConfig(`max_exposure = "medium"`) + fwRuleConfig("test", "guard-media", append(wide, `accept_exposure = "critical"`)...),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("exposure"), knownvalue.StringExact("critical")),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("accept_exposure"), knownvalue.StringExact("critical")),
				},
			},
			{
				Config: h.providerConfig(`max_exposure = "low"`) + fwRuleConfig("test", "guard-media",
					`display_name = "Media"`, `direction = "Outbound"`, `protocol = "UDP"`, `remote_ports = ["1024-65535"]`),
				ExpectError: wrappedText(`Exposure egress is above max_exposure "low"`),
			},
			{
				Config: h.providerConfig(`max_exposure = "medium"`) + fwRuleConfig("test", "guard-media",
					`display_name = "Media"`, `direction = "Outbound"`, `protocol = "UDP"`, `remote_ports = ["1024-65535"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("exposure"), knownvalue.StringExact("egress")),
				},
			},
		},
	})
}

// Anonymous authentication is held to max_privilege too.
func TestAccGuardrailAnonymousAuthentication(t *testing.T) {
	h := newAnonSimHost(t)
	user := []string{`identity = "specific_user"`, `username = "` + anonUser + `"`, `password = ` + hclString(anonUserPassword)}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{
			{
				Config: h.providerConfig(`max_privilege = "least"`) + anonConfig("test", anonShop, user...),
				ExpectError: wrappedText(`Privilege medium is above max_privilege "least"`, `with iis_anonymous_authentication.test`,
					`anonymous authentication at location "Default Web Site/shop" would have privilege medium`, `ordinary local account`),
			},
			{
				Config: h.providerConfig(`max_privilege = "least"`) + anonConfig("test", anonShop, append(user, `accept_privilege = "medium"`)...),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(anonAddr, tfjsonpath.New("privilege"), knownvalue.StringExact("medium")),
				},
			},
		},
	})
}
