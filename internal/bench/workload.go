// Package bench is `make bench`: it runs the real terraform CLI against
// simulated hosts (`terraform-provider-iis simulate`) with the latency
// model at published figures, for a few workloads, in the provider's
// default mode and in two baselines (one-shot mode as shipped, and
// per-resource: one process and one read per resource, as peer providers
// work), and reports what each run cost: wall time, HTTP round trips and
// PowerShell starts (counted by the simulator, server side), the
// provider's peak memory, and how close the run came to the lower bound
// the hosts' own work sets and to the terraform floor (terraform alone on
// the same graph).
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
	return w.render(hosts, false)
}

// FloorConfig is Config with every resource replaced by the builtin
// terraform_data, with the same for_each and the same attribute values as
// its input, and the references between resources kept: the same graph for
// Terraform to walk, without a provider process or a host. Timing it gives
// what Terraform alone costs for the workload (the terraform floor).
func (w Workload) FloorConfig(hosts []string) string {
	return w.render(hosts, true)
}

// block is one resource block of the workload: its for_each and its
// attributes as HCL expressions.
type block struct {
	typ, name, forEach string
	attrs              [][2]string
}

// floorName is the name of the terraform_data block that stands in for a
// resource of typ and name.
func floorName(typ, name string) string { return typ + "_" + name }

func (w Workload) render(hosts []string, floor bool) string {
	m := w.PerHost()
	quoted := make([]string, len(hosts))
	for i, h := range hosts {
		quoted[i] = fmt.Sprintf("%q", h)
	}
	// ref is an attribute of another resource's instance of the same key,
	// which is what orders the identities after their pools.
	ref := func(typ, name, attr string) string {
		if floor {
			return fmt.Sprintf("terraform_data.%s[each.key].output.%s", floorName(typ, name), attr)
		}
		return fmt.Sprintf("%s.%s[each.key].%s", typ, name, attr)
	}
	blocks := []block{
		{"iis_app_pool", "p", "local.pools", [][2]string{
			{"host", "each.value.host"},
			{"name", `"bench-pool-${each.value.i}"`},
		}},
		{"iis_app_pool_identity", "p", fmt.Sprintf("{ for k, v in local.pools : k => v if v.i < %d }", m.Identities), [][2]string{
			{"host", "each.value.host"},
			{"pool", ref("iis_app_pool", "p", "name")},
			{"identity_type", "local.identity_types[each.value.i % length(local.identity_types)]"},
		}},
		{"iis_anonymous_authentication", "a", "local.anon", [][2]string{
			{"host", "each.value.host"},
			{"location", fmt.Sprintf(`"Default Web Site/%s${each.value.i}"`, strings.TrimSuffix(appName(0), "0"))},
			{"identity", `each.value.i % 3 == 0 ? "iusr" : "app_pool"`},
		}},
		{"iis_firewall_rule", "r", "local.rules", [][2]string{
			{"host", "each.value.host"},
			{"name", `"bench-rule-${each.value.i}"`},
			{"display_name", `"Benchmark rule ${each.value.i}"`},
			{"protocol", `"TCP"`},
			{"local_ports", "[tostring(20000 + each.value.i)]"},
			{"remote_addresses", `["10.${floor(each.value.i / 250)}.${each.value.i % 250}.0/24"]`},
			{"profiles", `["Domain"]`},
		}},
	}

	var b strings.Builder
	if !floor {
		b.WriteString(`terraform {
  required_providers {
    iis = { source = "iisguard/iis" }
  }
}

provider "iis" {}

`)
	}
	fmt.Fprintf(&b, `locals {
  hosts = [%s]
  # One object per host and index, keyed "host/index".
  pools = { for p in setproduct(local.hosts, range(%d)) : "${p[0]}/${p[1]}" => { host = p[0], i = p[1] } }
  anon  = { for p in setproduct(local.hosts, range(%d)) : "${p[0]}/${p[1]}" => { host = p[0], i = p[1] } }
  rules = { for p in setproduct(local.hosts, range(%d)) : "${p[0]}/${p[1]}" => { host = p[0], i = p[1] } }
  identity_types = ["ApplicationPoolIdentity", "ApplicationPoolIdentity", "NetworkService", "LocalService"]
}
`, strings.Join(quoted, ", "), m.Pools, m.Anonymous, m.Rules)
	for _, bl := range blocks {
		if floor {
			fmt.Fprintf(&b, "\nresource \"terraform_data\" %q {\n  for_each = %s\n  input = {\n", floorName(bl.typ, bl.name), bl.forEach)
			writeAttrs(&b, "    ", bl.attrs)
			b.WriteString("  }\n}\n")
			continue
		}
		fmt.Fprintf(&b, "\nresource %q %q {\n", bl.typ, bl.name)
		writeAttrs(&b, "  ", append([][2]string{{"for_each", bl.forEach}}, bl.attrs...))
		b.WriteString("}\n")
	}
	return b.String()
}

// writeAttrs writes name = expression lines, aligned as terraform fmt
// would.
func writeAttrs(b *strings.Builder, indent string, attrs [][2]string) {
	width := 0
	for _, a := range attrs {
		width = max(width, len(a[0]))
	}
	for _, a := range attrs {
		fmt.Fprintf(b, "%s%-*s = %s\n", indent, width, a[0], a[1])
	}
}
