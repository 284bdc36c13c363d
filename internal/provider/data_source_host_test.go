package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// hostChecks are the state checks of data.iis_host.test against h.
func hostChecks(h *testHost) []statecheck.StateCheck {
	addr := "data.iis_host.test"
	exactOrSet := func(want string) knownvalue.Check {
		if want == "" {
			return knownvalue.NotNull()
		}
		return knownvalue.StringExact(want)
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("computer_name"), exactOrSet(h.ComputerName)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("iis_version"), exactOrSet(h.IISVersion)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("host"), knownvalue.StringExact(h.Host)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("os_version"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("ps_version"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain_joined"), knownvalue.NotNull()),
	}
}

func TestAccHostDataSource(t *testing.T) {
	h := newTestHost(t, simOptions{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:            h.providerConfig() + `data "iis_host" "test" {}`,
			ConfigStateChecks: hostChecks(h),
		}},
	})
}

// The CA the simulator generated is the only trust anchor: the connection
// works because ca_cert is honoured, not because verification is off.
func TestAccHostDataSourceOverHTTPSWithCACert(t *testing.T) {
	h := newTestHost(t, simOptions{TLS: true})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config:            h.providerConfig() + `data "iis_host" "test" {}`,
			ConfigStateChecks: hostChecks(h),
		}},
	})
}

// A data source's own host overrides the provider's: one provider block
// can read a fleet.
func TestAccHostDataSourceHostOverride(t *testing.T) {
	h := newSimHost(t, simOptions{})
	provider := *h
	// Nothing listens on 127.0.0.2: the read succeeds only if the data
	// source's host is the one used.
	provider.Host = "127.0.0.2"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders(),
		Steps: []resource.TestStep{{
			Config: provider.providerConfig() + `data "iis_host" "test" { host = "` + h.Host + `" }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.iis_host.test", tfjsonpath.New("host"), knownvalue.StringExact(h.Host)),
				statecheck.ExpectKnownValue("data.iis_host.test", tfjsonpath.New("computer_name"), knownvalue.StringExact(simComputer)),
			},
		}},
	})
}
