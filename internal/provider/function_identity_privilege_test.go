package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// functionsNeedTF18 skips below Terraform 1.8, which brought provider
// functions.
var functionsNeedTF18 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

// The function gives each built-in identity the level the resource gives
// it on a host, and names what it cannot know without one.
func TestAccFunctionIdentityPrivilegeMatchesResource(t *testing.T) {
	h := newSimHost(t, simOptions{})
	config := h.providerConfig() + `
locals {
  # count, not for_each: plugin-testing's state shim cannot index by key.
  types = ["LocalSystem", "NetworkService", "LocalService", "ApplicationPoolIdentity"]
}
resource "iis_app_pool" "p" {
  count = length(local.types)
  name  = "fn-${count.index}"
}
resource "iis_app_pool_identity" "p" {
  count         = length(local.types)
  pool          = iis_app_pool.p[count.index].name
  identity_type = local.types[count.index]
}
output "same_level" {
  value = { for r in iis_app_pool_identity.p : r.identity_type => provider::iis::identity_privilege(r.identity_type, r.username).level == r.privilege }
}
output "system" {
  value = provider::iis::identity_privilege("LocalSystem", null) == { level = iis_app_pool_identity.p[0].privilege, reason = iis_app_pool_identity.p[0].privilege_reason }
}
output "ordinary_user" {
  value = provider::iis::identity_privilege("SpecificUser", "CORP\\svc-web")
}
output "gmsa" {
  value = provider::iis::identity_privilege("SpecificUser", "CORP\\gmsa-web$").level
}
output "anonymous" {
  value = provider::iis::identity_privilege(null, "IUSR").level
}
`
	allTrue := knownvalue.MapExact(map[string]knownvalue.Check{
		"LocalSystem": knownvalue.Bool(true), "NetworkService": knownvalue.Bool(true),
		"LocalService": knownvalue.Bool(true), "ApplicationPoolIdentity": knownvalue.Bool(true),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   functionsNeedTF18,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("same_level", allTrue),
				statecheck.ExpectKnownOutputValue("system", knownvalue.Bool(true)),
				// Without the host, an account's groups are unknown.
				statecheck.ExpectKnownOutputValue("ordinary_user", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"level":  knownvalue.StringExact("high"),
					"reason": knownvalue.StringExact(`CORP\svc-web: group membership unknown, needs review`),
				})),
				statecheck.ExpectKnownOutputValue("gmsa", knownvalue.StringExact("medium")),
				statecheck.ExpectKnownOutputValue("anonymous", knownvalue.StringExact("least")),
			},
		}},
	})
}

// Arguments the resource would refuse are errors that say what is wrong.
func TestAccFunctionIdentityPrivilegeErrors(t *testing.T) {
	step := func(call string, want ...string) resource.TestStep {
		return resource.TestStep{
			Config:      "output \"x\" {\n  value = " + call + "\n}\n",
			ExpectError: wrappedText(want...),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		TerraformVersionChecks:   functionsNeedTF18,
		Steps: []resource.TestStep{
			step(`provider::iis::identity_privilege("Administrator", null)`, `identity_type "Administrator" is not one of LocalSystem,`, `ApplicationPoolIdentity`),
			step(`provider::iis::identity_privilege("LocalSystem", "CORP\\x")`, `a username goes only with SpecificUser`),
			step(`provider::iis::identity_privilege("SpecificUser", null)`, `SpecificUser needs a username`),
			step(`provider::iis::identity_privilege(null, null)`, `give an identity_type, a username, or both`),
		},
	})
}
