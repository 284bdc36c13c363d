package provider

import (
	"context"
	"fmt"
	"slices"
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
// "blog"`) would run code as accounts, as the others already do: its
// worker process as poolAccount (in pool), and anonymous requests as any
// other account in accounts. ok is false when nobody else runs as any of
// them.
func boundaryWarning(what, pool, poolAccount string, accounts []string, others []risk.Runner) (summary, detail string, ok bool) {
	shared := risk.SharedAccounts(risk.Runner{Name: what, Accounts: accounts}, others)
	if len(shared) == 0 {
		return "", "", false
	}
	var with, facts []string
	anonymous := false
	for _, s := range shared {
		for _, n := range s.With {
			if !slices.ContainsFunc(with, func(w string) bool { return strings.EqualFold(w, n) }) {
				with = append(with, n)
			}
		}
		if iis.SameAccount(s.Account, poolAccount) {
			facts = append(facts, fmt.Sprintf("In pool %q, %s would run code as %s, and so do %s (as their worker process or for anonymous requests).",
				pool, what, s.Account, quoteJoin(s.With)))
			continue
		}
		anonymous = true
		fact := fmt.Sprintf("Anonymous requests to %s would run as %s, an account that already runs code in %s.",
			what, s.Account, quoteJoin(s.With))
		if iis.SameAccount(s.Account, iis.AccountIUSR) {
			fact += " IUSR is the account anonymous requests run as on every site that does not say otherwise."
		}
		facts = append(facts, fact)
	}
	summary = fmt.Sprintf("The boundary between %s and %s is gone", what, quoteJoin(with))
	fix := "Give each site or application a pool of its own (iis_app_pool with ApplicationPoolIdentity, whose virtual account " +
		"IIS AppPool\\<pool> is unique), and anonymous requests the pool identity (iis_anonymous_authentication identity = \"app_pool\")."
	if anonymous {
		fix = "Run anonymous requests as each site's pool identity: iis_anonymous_authentication with identity = \"app_pool\" at this site, " +
			"or at location = \"\" for every site, with each site in a pool of its own (iis_app_pool with ApplicationPoolIdentity, " +
			"whose virtual account IIS AppPool\\<pool> is unique); or give each site an anonymous account of its own (identity = \"specific_user\"). " +
			"The plan reads the host as it is now: other anonymous settings that this same apply changes count from the next plan."
	}
	detail = strings.Join(facts, "\n") + "\nCode in one can then read and change whatever the other can: its files, its configuration, its secrets.\n\n" + fix
	return summary, detail, true
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
