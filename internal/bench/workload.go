// Package bench is `make bench`: it runs the real terraform CLI against
// simulated hosts (`terraform-provider-iis simulate`) with the latency
// model at published figures, for a few workloads, in the provider's
// default mode and in one-shot mode, and reports what each run cost:
// wall time, HTTP round trips and PowerShell starts (counted by the
// simulator, server side), the provider's peak memory, and how close the
// run came to the lower bound the hosts' own work sets.
package bench

import (
	"fmt"
	"strings"
)

// PreexistingRules is how many firewall rules each host has before
// Terraform manages any, because the cost of a firewall read follows the
// number of rules in the store (reference/windows-host.md 4.2).
const PreexistingRules = 300

// Workload is one configuration to run: Resources managed resources
// spread evenly over Hosts hosts.
type Workload struct {
	Resources int
	Hosts     int
}

// Name is how tables and JSON name the workload: "500" or "500/5 hosts".
func (w Workload) Name() string {
	if w.Hosts <= 1 {
		return fmt.Sprint(w.Resources)
	}
	return fmt.Sprintf("%d/%d hosts", w.Resources, w.Hosts)
}

// Mix is how one host's share of a workload divides between the resource
// types: a fifth each of pools, pool identities and anonymous
// authentication locations, and the rest firewall rules (a rule or two per
// site is the common case).
type Mix struct {
	Pools, Identities, Anonymous, Rules int
}

// PerHost is one host's share.
func (w Workload) PerHost() Mix {
	n := w.Resources / max(w.Hosts, 1)
	fifth := n / 5
	return Mix{Pools: fifth, Identities: fifth, Anonymous: fifth, Rules: n - 3*fifth}
}

// Total is the number of resources of the mix.
func (m Mix) Total() int { return m.Pools + m.Identities + m.Anonymous + m.Rules }

// appName is the application an anonymous authentication resource manages;
// the host is seeded with it (SeedHost), as a deployment would have made it.
func appName(i int) string { return fmt.Sprintf("bench-app-%d", i) }

// Config is the Terraform configuration of the workload, for hosts named
// by hosts (one per Workload.Hosts). The provider block is empty: the
// connection comes from the environment, as in CI.
func (w Workload) Config(hosts []string) string {
	m := w.PerHost()
	quoted := make([]string, len(hosts))
	for i, h := range hosts {
		quoted[i] = fmt.Sprintf("%q", h)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    iis = { source = "iisguard/iis" }
  }
}

provider "iis" {}

locals {
  hosts = [%s]
  # One object per host and index, keyed "host/index".
  pools = { for p in setproduct(local.hosts, range(%d)) : "${p[0]}/${p[1]}" => { host = p[0], i = p[1] } }
  anon  = { for p in setproduct(local.hosts, range(%d)) : "${p[0]}/${p[1]}" => { host = p[0], i = p[1] } }
  rules = { for p in setproduct(local.hosts, range(%d)) : "${p[0]}/${p[1]}" => { host = p[0], i = p[1] } }
  identity_types = ["ApplicationPoolIdentity", "ApplicationPoolIdentity", "NetworkService", "LocalService"]
}

resource "iis_app_pool" "p" {
  for_each = local.pools
  host     = each.value.host
  name     = "bench-pool-${each.value.i}"
}

resource "iis_app_pool_identity" "p" {
  for_each      = { for k, v in local.pools : k => v if v.i < %d }
  host          = each.value.host
  pool          = iis_app_pool.p[each.key].name
  identity_type = local.identity_types[each.value.i %% length(local.identity_types)]
}

resource "iis_anonymous_authentication" "a" {
  for_each = local.anon
  host     = each.value.host
  location = "Default Web Site/%s${each.value.i}"
  identity = each.value.i %% 3 == 0 ? "iusr" : "app_pool"
}

resource "iis_firewall_rule" "r" {
  for_each         = local.rules
  host             = each.value.host
  name             = "bench-rule-${each.value.i}"
  display_name     = "Benchmark rule ${each.value.i}"
  protocol         = "TCP"
  local_ports      = [tostring(20000 + each.value.i)]
  remote_addresses = ["10.${floor(each.value.i / 250)}.${each.value.i %% 250}.0/24"]
  profiles         = ["Domain"]
}
`, strings.Join(quoted, ", "), m.Pools, m.Anonymous, m.Rules, m.Identities, strings.TrimSuffix(appName(0), "0"))
	return b.String()
}
