package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

const identityAddr = "iis_app_pool_identity.test"

// identityConfig renders an iis_app_pool_identity block; attrs are HCL
// lines.
func identityConfig(label, pool string, attrs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"iis_app_pool_identity\" %q {\n  pool = %s\n", label, pool)
	for _, a := range attrs {
		b.WriteString("  " + a + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// oobAdmin runs out-of-band changes on the test host (simulated or real,
// see hostAdmin), as an administrator would on the console, failing the
// test on error.
type oobAdmin struct {
	t *testing.T
	h hostAdmin
}

func (a oobAdmin) do(what string, err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatalf("%s: %v", what, err)
	}
}

func (a oobAdmin) addUser(name, password string) {
	a.t.Helper()
	a.do("add user "+name, a.h.AddUser(context.Background(), name, password))
}

func (a oobAdmin) addToGroup(group, member string) {
	a.t.Helper()
	a.do("add "+member+" to "+group, a.h.AddGroupMember(context.Background(), group, member))
}

func (a oobAdmin) removeFromGroup(group, member string) {
	a.t.Helper()
	a.do("remove "+member+" from "+group, a.h.RemoveGroupMember(context.Background(), group, member))
}

func (a oobAdmin) poolValue(pool, attr string) string {
	a.t.Helper()
	v, err := a.h.AppPoolValue(context.Background(), pool, attr)
	a.do("read "+pool+" "+attr, err)
	return v
}

func (a oobAdmin) setPool(pool, attr, value string) {
	a.t.Helper()
	a.do("set "+pool+" "+attr, a.h.SetAppPoolAttr(context.Background(), pool, attr, value))
}

// expectChange checks that the plan changes addr's attr from before to
// after: a plan that says `privilege: "least" -> "full"`.
func expectChange(addr, attr string, before, after any) plancheck.PlanCheck {
	return changeCheck{addr: addr, attr: attr, before: before, after: after}
}

// expectDrift checks that the refresh found addr's attr changed outside
// Terraform, from before to after.
func expectDrift(addr, attr string, before, after any) plancheck.PlanCheck {
	return changeCheck{addr: addr, attr: attr, before: before, after: after, drift: true}
}

type changeCheck struct {
	addr, attr    string
	before, after any
	drift         bool
}

func (c changeCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	changes, what := req.Plan.ResourceChanges, "planned change"
	if c.drift {
		changes, what = req.Plan.ResourceDrift, "change outside Terraform"
	}
	for _, rc := range changes {
		if rc.Address != c.addr {
			continue
		}
		b, a := attrOf(rc.Change.Before, c.attr), attrOf(rc.Change.After, c.attr)
		if b != c.before || a != c.after {
			resp.Error = fmt.Errorf("%s of %s.%s: %v -> %v, want %v -> %v", what, c.addr, c.attr, b, a, c.before, c.after)
		}
		return
	}
	resp.Error = fmt.Errorf("no %s for %s", what, c.addr)
}

func attrOf(v any, attr string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return m[attr]
}

// secretNowhere fails when the secret appears in any attribute of any
// resource in the state Terraform wrote, in any form.
func secretNowhere(secret string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		for _, m := range s.Modules {
			for addr, r := range m.Resources {
				if r.Primary == nil {
					continue
				}
				for k, v := range r.Primary.Attributes {
					if strings.Contains(v, secret) {
						return fmt.Errorf("state of %s holds the password in %s", addr, k)
					}
				}
			}
		}
		return nil
	}
}
