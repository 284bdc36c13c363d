package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

const (
	anonAddr = "iis_anonymous_authentication.test"
	// anonShop is the application every anonymous-authentication test
	// host has, running in its own pool "shop".
	anonShop = "Default Web Site/shop"
	// anonUser is a local account in no administrative group.
	anonUser         = "anon-web"
	anonUserPassword = `An0n "pw" $(whoami) ${x}`
)

// newAnonSimHost is a simulated host with pool "shop" serving
// Default Web Site/shop and a local user for specific_user. These tests set
// pools and applications up through the simulator's admin API, so they
// always run against the simulator.
func newAnonSimHost(t *testing.T) *testHost {
	t.Helper()
	h := newSimHost(t, simOptions{})
	ctx := context.Background()
	for _, step := range []func() error{
		func() error { return h.admin(t).AddAppPool(ctx, "shop") },
		func() error { return h.admin(t).AddApplication(ctx, "Default Web Site", "/shop", "shop", "") },
		func() error { return h.admin(t).AddUser(ctx, anonUser, anonUserPassword) },
	} {
		if err := step(); err != nil {
			t.Fatalf("prepare the simulated host: %v", err)
		}
	}
	return h
}

// anonNames are the objects newAnonTestHost prepares for one test.
type anonNames struct {
	pool     string // the application's own pool
	location string // Default Web Site/<pool>
	user     string // a local account in no administrative group
}

// newAnonTestHost is newAnonSimHost for the test host, real or simulated:
// the pool, application and user carry tfacc- names of this test's own,
// since tests share a real host, and on a real host they are removed when
// the test ends. A local user name has at most 20 characters, so the
// user's is the test name's digest.
func newAnonTestHost(t *testing.T) (*testHost, anonNames) {
	t.Helper()
	h := newTestHost(t, simOptions{})
	n := anonNames{pool: uniquePoolName(t, "anon")}
	n.location = "Default Web Site/" + n.pool
	h.addPoolOutOfBand(t, n.pool)
	h.addApplicationOutOfBand(t, "Default Web Site", "/"+n.pool, n.pool)
	n.user = h.addUserOutOfBand(t, anonUserPassword)
	return h, n
}

// anonTestUser is the name of a local user of the test's own: a local
// user name has at most 20 characters, so it is the test name's digest.
func anonTestUser(t *testing.T) string {
	sum := sha256.Sum256([]byte(t.Name()))
	return "tfacc-" + hex.EncodeToString(sum[:])[:8]
}

// newAnonSiteTestHost is the test host with a pool and a directory
// C:\sites\<name> of the test's own (tfacc-), for a site the test's
// configuration creates; on a real host the pool is removed at the end.
func newAnonSiteTestHost(t *testing.T) (h *testHost, name, dir string) {
	t.Helper()
	h = newTestHost(t, simOptions{})
	name = uniquePoolName(t, "anon")
	dir = `C:\sites\` + name
	h.addPoolOutOfBand(t, name)
	h.oob(t).do("create "+dir, h.admin(t).MakeDir(context.Background(), dir))
	return h, name, dir
}

// anonConfig renders an iis_anonymous_authentication block; attrs are
// HCL lines.
func anonConfig(label, location string, attrs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"iis_anonymous_authentication\" %q {\n  location = %s\n", label, hclString(location))
	for _, a := range attrs {
		b.WriteString("  " + a + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// anonOnHost reads the section at a location as an administrator would.
func anonOnHost(t *testing.T, h *testHost, loc string) host.AnonView {
	t.Helper()
	v, err := h.host.AnonymousAuth(context.Background(), loc)
	if err != nil {
		t.Fatalf("read anonymous authentication at %q: %v", loc, err)
	}
	return v
}

// setPoolIdentity changes a pool's identity out of band, as an
// administrator would in IIS Manager.
func setPoolIdentity(t *testing.T, h *testHost, pool, identityType string) {
	t.Helper()
	if err := h.admin(t).SetAppPoolAttr(context.Background(), pool, "processModel.identityType", identityType); err != nil {
		t.Fatalf("set pool %s to %s: %v", pool, identityType, err)
	}
}

// checkInherits is a CheckDestroy: the location has no settings of its own
// left in applicationHost.config (IsLocallyStored, read through the agent),
// and requests there get what it inherits.
func checkInherits(t *testing.T, h *testHost, loc, wantUserName string) func(*terraform.State) error {
	c := agentClient(t, h)
	return func(*terraform.State) error {
		v, err := iis.GetAnonymousAuth(context.Background(), c, loc, iis.PasswordProof{})
		if err != nil {
			return err
		}
		if v.Configured {
			return fmt.Errorf("%q still has its own settings after destroy", loc)
		}
		if got, _ := h.admin(t).AnonymousAuthValue(context.Background(), loc, "userName"); got != wantUserName || !v.Enabled {
			return fmt.Errorf("%q inherits userName=%q enabled=%v, want %q and true", loc, got, v.Enabled, wantUserName)
		}
		return nil
	}
}

// anonPoolReason is privilege_reason for identity app_pool at n.location
// while its pool runs as ApplicationPoolIdentity (the rest names the
// computer account, which is the host's own).
func anonPoolReason(n anonNames) knownvalue.Check {
	return knownvalue.StringRegexp(regexp.MustCompile(`^application pool identity of pool "` + regexp.QuoteMeta(n.pool) + `", which serves ` +
		regexp.QuoteMeta(n.location) + `: ApplicationPoolIdentity: per-pool virtual account IIS AppPool\\` + regexp.QuoteMeta(n.pool) +
		`, isolated from other pools; on the network it acts as the computer account \([^)]+\$\)$`))
}

func expectPlanned(attr, want string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(anonAddr, tfjsonpath.New(attr), knownvalue.StringExact(want))
}
