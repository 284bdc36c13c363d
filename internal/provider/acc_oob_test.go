package provider

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/acchost"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// hostAdmin is every change an acceptance test makes to its host behind
// Terraform's back, as an administrator would at the console. A simulated
// host makes it through its admin API (*host.Host); a real one with the
// cmdlets themselves, run by the out-of-band agent (*acchost.Admin), never
// through the provider's own handlers. The assertions below stop the build
// when a step has one implementation and not the other, so no test can
// depend on a change only the simulator can make. (Firewall rules go
// through widenOutOfBand and removeOutOfBand, whose simulator side takes
// the simulator's own rule parameters.)
type hostAdmin interface {
	AddAppPool(ctx context.Context, name string) error
	RemoveAppPool(ctx context.Context, name string) error
	SetAppPoolAttr(ctx context.Context, pool, attr, value string) error
	AppPoolValue(ctx context.Context, pool, attr string) (string, error)
	AddUser(ctx context.Context, name, password string) error
	RemoveUser(ctx context.Context, name string) error
	AddGroupMember(ctx context.Context, group, member string) error
	RemoveGroupMember(ctx context.Context, group, member string) error
	AddApplication(ctx context.Context, site, path, pool, physicalPath string) error
	SetApplicationPool(ctx context.Context, site, path, pool string) error
	RemoveApplication(ctx context.Context, site, path string) error
	SetAnonymousAuth(ctx context.Context, location, attr, value string) error
	ClearAnonymousAuth(ctx context.Context, location string) error
	AnonymousAuthValue(ctx context.Context, location, attr string) (string, error)
	AddSite(ctx context.Context, name, pool, physicalPath string) error
	RemoveSite(ctx context.Context, name string) error
	SetSiteState(ctx context.Context, name string, started bool) error
	MakeDir(ctx context.Context, path string) error
	SetAccessRule(ctx context.Context, path, identity, rights, typ, inheritance string) error
	RemoveAccessRules(ctx context.Context, path, identity string) error
}

var (
	_ hostAdmin = (*host.Host)(nil)
	_ hostAdmin = (*acchost.Admin)(nil)
)

// admin is how a test changes its host out of band: the simulator's admin
// API, or PowerShell on the real host (one connection per test host).
func (h *testHost) admin(t *testing.T) hostAdmin {
	t.Helper()
	if h.host != nil {
		return h.host
	}
	if h.real == nil {
		h.real = realAdmin(t, h)
	}
	return h.real
}

// oob is admin wrapped to fail the test on error.
func (h *testHost) oob(t *testing.T) oobAdmin { return oobAdmin{t, h.admin(t)} }

// addPoolOutOfBand creates a pool behind Terraform's back. On a real host it
// is removed when the test ends, whatever became of it: Terraform may
// never manage it.
func (h *testHost) addPoolOutOfBand(t *testing.T, name string) {
	t.Helper()
	h.oob(t).do("add pool "+name, h.admin(t).AddAppPool(context.Background(), name))
	if h.host == nil {
		t.Cleanup(func() { _ = h.admin(t).RemoveAppPool(context.Background(), name) })
	}
}

// addApplicationOutOfBand adds an application behind Terraform's back,
// removed again when the test ends on a real host.
func (h *testHost) addApplicationOutOfBand(t *testing.T, site, path, pool string) {
	t.Helper()
	h.oob(t).do("add application "+site+path, h.admin(t).AddApplication(context.Background(), site, path, pool, ""))
	if h.host == nil {
		t.Cleanup(func() { _ = h.admin(t).RemoveApplication(context.Background(), site, path) })
	}
}

// addSiteOutOfBand adds a site behind Terraform's back, removed again when
// the test ends on a real host.
func (h *testHost) addSiteOutOfBand(t *testing.T, name, pool, physicalPath string) {
	t.Helper()
	h.oob(t).do("add site "+name, h.admin(t).AddSite(context.Background(), name, pool, physicalPath))
	if h.host == nil {
		t.Cleanup(func() { _ = h.admin(t).RemoveSite(context.Background(), name) })
	}
}

// addUserOutOfBand adds a local user of the test's own (anonTestUser)
// behind Terraform's back and returns its name; on a real host it is
// deleted when the test ends.
func (h *testHost) addUserOutOfBand(t *testing.T, password string) string {
	t.Helper()
	name := anonTestUser(t)
	h.oob(t).addUser(name, password)
	if h.host == nil {
		t.Cleanup(func() { _ = h.admin(t).RemoveUser(context.Background(), name) })
	}
	return name
}

// hostComputer is the computer name the host reports through the agent,
// which qualifies its local accounts.
func (h *testHost) hostComputer(t *testing.T) string {
	t.Helper()
	name, err := hostComputerName(context.Background(), agentClient(t, h))
	if err != nil || name == "" {
		t.Fatalf("read the host's computer name: %q (%v)", name, err)
	}
	return name
}

// realAdmin connects to the real host a test runs against (IIS_ACC_HOST)
// with the out-of-band agent, so a step that changes the host behind
// Terraform's back runs the cmdlets an administrator would, not the
// provider's own handlers. Against the simulator, tests use its admin API
// (h.host) instead.
func realAdmin(t *testing.T, h *testHost) *acchost.Admin {
	t.Helper()
	if h.host != nil {
		t.Fatal("realAdmin is for a real host; a simulated one is changed through h.host")
	}
	pool := remote.NewPool(nil)
	t.Cleanup(func() { pool.Close() })
	a, err := acchost.New(pool, remote.Config{
		Host: h.Host, Port: h.Port, HTTPS: h.HTTPS, Insecure: h.Insecure, CACert: []byte(h.CACert),
		Auth: remote.Auth(h.Auth), Username: h.Username, Password: h.Password,
	})
	if err != nil {
		t.Fatalf("connect to the test host for out-of-band changes: %v", err)
	}
	return a
}

// The path the suite takes against a real host (IIS_ACC_HOST), taken
// against the simulator: every test that runs on a real host runs again
// here with its simulated host handed over as a real one (simOptions.
// AsReal). Its out-of-band steps then have no admin API to fall back on
// and go through acchost's agent over WinRM, which the simulator answers
// from its model, and its checks read through the provider's agent, as on
// Windows. What this cannot run is oob.ps1's PowerShell itself: pscheck
// checks it, and acchost's tests hold each request to what its handler
// reads.
func TestAccRealHostPath(t *testing.T) {
	for name, test := range realHostPathTests() {
		t.Run(name, test)
	}
}

// realHostPathTests are the tests that run on a real host, by subtest name.
func realHostPathTests() map[string]func(*testing.T) {
	return map[string]func(*testing.T){
		"AppPoolLifecycle":                              TestAccAppPoolLifecycle,
		"AppPoolHostileName":                            TestAccAppPoolHostileName,
		"AppPoolImportByHostAndName":                    TestAccAppPoolImportByHostAndName,
		"AppPoolExistingAndDrift":                       TestAccAppPoolExistingAndDrift,
		"AppPoolIdentityDrift":                          TestAccAppPoolIdentityDrift,
		"AppPoolIdentityLifecycle":                      TestAccAppPoolIdentityLifecycle,
		"AppPoolIdentityDestroyReturnsToLeastPrivilege": TestAccAppPoolIdentityDestroyReturnsToLeastPrivilege,
		"AppPoolIdentityPrivilegeDrift":                 TestAccAppPoolIdentityPrivilegeDrift,
		"AppPoolIdentityPasswordDrift":                  TestAccAppPoolIdentityPasswordDrift,
		"AppPoolIdentitySensitivePasswordDrift":         TestAccAppPoolIdentitySensitivePasswordDrift,
		"AppPoolIdentityManagedServiceAccount":          TestAccAppPoolIdentityManagedServiceAccount,
		"AppPoolIdentityInvalidCombinations":            TestAccAppPoolIdentityInvalidCombinations,
		"AnonymousAuthPasswordRemovedOutOfBand":         TestAccAnonymousAuthPasswordRemovedOutOfBand,
		"AnonymousAuthDrift":                            TestAccAnonymousAuthDrift,
		"AnonymousAuthPasswordsNeverShown":              TestAccAnonymousAuthPasswordsNeverShown,
		"AnonymousAuthOnASiteCreatedInTheSameApply":     TestAccAnonymousAuthOnASiteCreatedInTheSameApply,
		"AnonymousAuthMissingLocationFailsTheApply":     TestAccAnonymousAuthMissingLocationFailsTheApply,
		"AnonymousAuthOnANewSiteHeldToMaxPrivilege":     TestAccAnonymousAuthOnANewSiteHeldToMaxPrivilege,
		"AnonymousAuthInvalidConfigurations":            TestAccAnonymousAuthInvalidConfigurations,
		"AnonymousAuthLifecycle":                        TestAccAnonymousAuthLifecycle,
		"AnonymousAuthFollowsThePool":                   TestAccAnonymousAuthFollowsThePool,
		"AnonymousAuthPasswordChangedOutOfBand":         TestAccAnonymousAuthPasswordChangedOutOfBand,
		"ApplicationLifecycle":                          TestAccApplicationLifecycle,
		"ApplicationInASiteCreatedInTheSameApply":       TestAccApplicationInASiteCreatedInTheSameApply,
		"WebsiteLifecycle":                              TestAccWebsiteLifecycle,
		"WebsitePlanTimeErrors":                         TestAccWebsitePlanTimeErrors,
		"ContentAccessLifecycle":                        TestAccContentAccessLifecycle,
		"ContentAccessIdentities":                       TestAccContentAccessIdentities,
		"ContentAccessOnASiteCreatedInTheSameApply":     TestAccContentAccessOnASiteCreatedInTheSameApply,
		"ContentAccessWarnings":                         TestAccContentAccessWarnings,
		"AppPoolForceDestroy":                           TestAccAppPoolForceDestroy,
		"FirewallRuleLifecycle":                         TestAccFirewallRuleLifecycle,
		"FirewallRuleDrift":                             TestAccFirewallRuleDrift,
		"FirewallRuleExistingIsNotAdopted":              TestAccFirewallRuleExistingIsNotAdopted,
		"FirewallRuleHostileName":                       TestAccFirewallRuleHostileName,
		"FirewallRuleImportByHostAndName":               TestAccFirewallRuleImportByHostAndName,
		"FirewallRuleInvalidCombinations":               TestAccFirewallRuleInvalidCombinations,
		"FirewallRuleNoPerpetualDiff":                   TestAccFirewallRuleNoPerpetualDiff,
		"FirewallRulesDataSource":                       TestAccFirewallRulesDataSource,
		"HostDataSource":                                TestAccHostDataSource,
		"HostDataSourceOverHTTPSWithCACert":             TestAccHostDataSourceOverHTTPSWithCACert,
	}
}

// Every test that can run on a real host (it takes its host from
// newTestHost, directly or through a helper) runs in TestAccRealHostPath,
// so no out-of-band step it takes can lean on the simulator unnoticed.
func TestEveryRealHostTestRunsInTheRealHostPath(t *testing.T) {
	names, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := map[string]map[string]bool{} // function -> functions it calls
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || fd.Recv != nil {
				continue
			}
			fn := fd.Name.Name
			calls[fn] = map[string]bool{}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok {
						calls[fn][id.Name] = true
					}
				}
				return true
			})
		}
	}
	real := map[string]bool{"newTestHost": true}
	for changed := true; changed; {
		changed = false
		for fn, callees := range calls {
			if real[fn] {
				continue
			}
			for c := range callees {
				if real[c] {
					real[fn], changed = true, true
					break
				}
			}
		}
	}
	listed := map[string]bool{}
	for _, test := range realHostPathTests() {
		full := runtime.FuncForPC(reflect.ValueOf(test).Pointer()).Name()
		listed[full[strings.LastIndex(full, ".")+1:]] = true
	}
	var n int
	for fn := range real {
		if !strings.HasPrefix(fn, "TestAcc") || fn == "TestAccRealHostPath" {
			continue
		}
		n++
		if !listed[fn] {
			t.Errorf("%s can run on a real host but is not in realHostPathTests", fn)
		}
	}
	if n < len(listed) {
		t.Errorf("found %d tests that take a real host, fewer than the %d listed: the search is broken", n, len(listed))
	}
}
