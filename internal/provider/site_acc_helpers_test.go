package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const (
	siteAddr  = "iis_website.test"
	siteThumb = "3A5C0B17D2E4F6A8B9C0D1E2F3A4B5C6D7E8F901"
)

// newSiteSimHost is a simulated host with pools "shop" and "blog", the
// directories C:\sites\shop and C:\sites\blog, a certificate for
// shop.example.com in WebHosting and a local user "deploy". These tests
// prepare the host through the simulator's admin API, so they always run
// against the simulator.
func newSiteSimHost(t *testing.T) *testHost {
	t.Helper()
	h := newSimHost(t, simOptions{})
	ctx := context.Background()
	for _, step := range []func() error{
		func() error { return h.admin(t).AddAppPool(ctx, "shop") },
		func() error { return h.admin(t).AddAppPool(ctx, "blog") },
		func() error { return h.admin(t).MakeDir(ctx, `C:\sites\shop\uploads`) },
		func() error { return h.admin(t).MakeDir(ctx, `C:\sites\blog`) },
		func() error { return h.host.AddCertificate(ctx, "WebHosting", siteThumb, "CN=shop.example.com") },
		func() error { return h.admin(t).AddUser(ctx, "deploy", `D3ploy "pw" $(x)`) },
	} {
		if err := step(); err != nil {
			t.Fatalf("prepare the simulated host: %v", err)
		}
	}
	return h
}

// siteConfig renders an iis_website block; attrs are HCL lines.
func siteConfig(label, name string, attrs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"iis_website\" %q {\n  name = %s\n", label, hclString(name))
	for _, a := range attrs {
		b.WriteString("  " + a + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func httpBinding(host string) string {
	return fmt.Sprintf(`bindings = [{ protocol = "http", port = 80, host_name = %s }]`, hclString(host))
}

func expectStrings(addr, attr string, want ...string) plancheck.PlanCheck {
	vals := make([]knownvalue.Check, len(want))
	for i, w := range want {
		vals[i] = knownvalue.StringExact(w)
	}
	return plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.ListExact(vals))
}

func expectString(addr, attr, want string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.StringExact(want))
}

func tfjsonpathNew(attr string) tfjsonpath.Path { return tfjsonpath.New(attr) }

func knownRegexp(re string) knownvalue.Check { return knownvalue.StringRegexp(regexp.MustCompile(re)) }
