package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// siteView is what the plans of iis_website, iis_application and
// iis_content_access read from a host: every site and application with
// who runs code in it, and every pool with its identity. Two round trips,
// whatever the number of sites.
type siteView struct {
	sites iis.SiteList
	pools iis.PoolList
}

func loadSiteView(ctx context.Context, c iis.Caller) (*siteView, error) {
	sites, err := iis.ListSites(ctx, c)
	if err != nil {
		return nil, err
	}
	pools, err := iis.ListAppPools(ctx, c)
	if err != nil {
		return nil, err
	}
	return &siteView{sites: sites, pools: pools}, nil
}

// poolAccount is the account a pool's worker process runs as, and the
// pool's name as the host spells it; ok is false when the host has no such
// pool (it may be created in the same apply, so the account is not known).
func (v *siteView) poolAccount(pool string) (account, canonical string, ok bool) {
	for _, p := range v.pools.Pools {
		if strings.EqualFold(p.Name, pool) {
			return iis.AccountFor(p.Name, p.Identity.Type, p.Identity.UserName), p.Name, true
		}
	}
	return "", "", false
}

// runners lists every application with the accounts that run code in it,
// leaving out those skip says are the object being planned.
func (v *siteView) runners(skip func(iis.Application) bool) []risk.Runner {
	var out []risk.Runner
	for _, s := range v.sites.Sites {
		for _, a := range s.Applications {
			if skip(a) {
				continue
			}
			out = append(out, risk.Runner{Name: a.Location(), Accounts: a.Identities()})
		}
	}
	return out
}

// boundaryWarning explains that what is being planned (what, e.g. `site
// "blog"`) would run code as account, as the others already do. ok is
// false when nobody else runs as account.
func boundaryWarning(what, pool, account string, others []risk.Runner) (summary, detail string, ok bool) {
	shared := risk.SharedAccounts(risk.Runner{Name: what, Accounts: []string{account}}, others)
	if len(shared) == 0 {
		return "", "", false
	}
	with := shared[0].With
	summary = fmt.Sprintf("The boundary between %s and %s is gone", what, quoteJoin(with))
	detail = fmt.Sprintf("In pool %q, %s would run code as %s, and so do %s (as their worker process or for anonymous requests). "+
		"Code in one can then read and change whatever the other can: its files, its configuration, its secrets.\n\n"+
		"Give each site or application a pool of its own (iis_app_pool with ApplicationPoolIdentity, whose virtual account "+
		"IIS AppPool\\<pool> is unique), and anonymous requests the pool identity (iis_anonymous_authentication identity = \"app_pool\").",
		pool, what, account, quoteJoin(with))
	return summary, detail, true
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
