package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The audit view: every pool, managed or not, with its account and
// privilege; a specific user in Administrators is full, and min_privilege
// keeps only what needs a look.
func TestAccAppPoolsDataSource(t *testing.T) {
	h := newSimHost(t, simOptions{})
	admin := h.oob(t)
	ctx := context.Background()
	admin.do("add pool", h.admin(t).AddAppPool(ctx, "legacy"))
	admin.setPool("legacy", "processModel.identityType", "LocalSystem")
	admin.addUser("svc-batch", "pw")
	admin.addToGroup("Administrators", "svc-batch")
	admin.do("add pool", h.admin(t).AddAppPool(ctx, "batch"))
	admin.setPool("batch", "processModel.identityType", "SpecificUser")
	admin.setPool("batch", "processModel.userName", `.\svc-batch`)
	admin.do("add app", h.admin(t).AddApplication(ctx, "Default Web Site", "/batch", "batch", ""))
	admin.do("anonymous as pool", h.admin(t).SetAnonymousAuth(ctx, "Default Web Site/batch", "userName", ""))

	all := "data.iis_app_pools.all"
	risky := "data.iis_app_pools.risky"
	pool := func(i int) tfjsonpath.Path { return tfjsonpath.New("pools").AtSliceIndex(i) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: h.providerConfig() + `data "iis_app_pools" "all" {}` + "\n" +
				`data "iis_app_pools" "risky" { min_privilege = "high" }` + "\n",
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(all, tfjsonpath.New("pools"), knownvalue.ListSizeExact(5)),
				statecheck.ExpectKnownValue(all, pool(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name":         knownvalue.StringExact("DefaultAppPool"),
					"account":      knownvalue.StringExact(`IIS AppPool\DefaultAppPool`),
					"privilege":    knownvalue.StringExact("least"),
					"applications": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Default Web Site/")}),
				})),
				statecheck.ExpectKnownValue(risky, tfjsonpath.New("pools"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue(risky, pool(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name":      knownvalue.StringExact("legacy"),
					"account":   knownvalue.StringExact(`NT AUTHORITY\SYSTEM`),
					"privilege": knownvalue.StringExact("full"),
				})),
				statecheck.ExpectKnownValue(risky, pool(1), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"name":                    knownvalue.StringExact("batch"),
					"state":                   knownvalue.StringExact("Started"),
					"managed_runtime_version": knownvalue.StringExact("v4.0"),
					"pipeline_mode":           knownvalue.StringExact("Integrated"),
					"identity_type":           knownvalue.StringExact("SpecificUser"),
					"username":                knownvalue.StringExact(`.\svc-batch`),
					"account":                 knownvalue.StringExact(`.\svc-batch`),
					"privilege":               knownvalue.StringExact("full"),
					"privilege_reason":        knownvalue.StringExact(`.\svc-batch: member of Administrators: full control of the host`),
					"applications":            knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Default Web Site/batch")}),
					"anonymous_applications":  knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Default Web Site/batch")}),
				})),
			},
		}},
	})
}
