package provider

import (
	"context"
	"fmt"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// anonRisk is who anonymous requests at a location run as, and how much
// that account can do.
type anonRisk struct {
	Account   string
	Privilege risk.Privilege
	Reason    string
}

// anonAssessor works out anonRisk for several identities at one host,
// asking the host about each account once.
type anonAssessor struct {
	c        iis.Caller
	locs     iis.Locations
	accounts map[string]iis.Account
}

func newAnonAssessor(ctx context.Context, c iis.Caller) (*anonAssessor, error) {
	locs, err := iis.ResolveLocations(ctx, c)
	if err != nil {
		return nil, err
	}
	return &anonAssessor{c: c, locs: locs, accounts: map[string]iis.Account{}}, nil
}

func (a *anonAssessor) account(ctx context.Context, name string) (iis.Account, error) {
	if acct, ok := a.accounts[name]; ok {
		return acct, nil
	}
	acct, err := iis.ResolveAccount(ctx, a.c, name)
	if err != nil {
		return iis.Account{}, err
	}
	a.accounts[name] = acct
	return acct, nil
}

// assess classifies the identity configured at location (which must exist,
// see iis.Locations.Find). For the pool identity the account is the pool's:
// at a site or application that of the pool serving it, at the server level
// the most privileged pool of any application, since each application that
// inherits the setting runs anonymous requests as its own pool.
func (a *anonAssessor) assess(ctx context.Context, location string, enabled bool, identity, user string) (anonRisk, error) {
	var r anonRisk
	var err error
	switch identity {
	case iis.AnonIUSR:
		r.Account = iis.AccountIUSR
		r.Privilege, r.Reason = risk.ClassifyIdentity(risk.Identity{Account: iis.AccountIUSR})
	case iis.AnonSpecificUser:
		r, err = a.user(ctx, user, "")
	case iis.AnonAppPool:
		r, err = a.pools(ctx, location)
	default:
		return anonRisk{}, fmt.Errorf("identity %q is not one of iusr, app_pool, specific_user", identity)
	}
	if err != nil {
		return anonRisk{}, err
	}
	if !enabled {
		r.Reason += " (anonymous authentication is disabled here: no request runs as this account until it is enabled)"
	}
	return r, nil
}

// user classifies a specific account by its group membership on the host.
func (a *anonAssessor) user(ctx context.Context, name, identityType string) (anonRisk, error) {
	acct, err := a.account(ctx, name)
	if err != nil {
		return anonRisk{}, err
	}
	level, reason := risk.ClassifyIdentity(risk.Identity{
		Type: identityType, Account: name, Groups: acct.Groups,
		Resolved: acct.Found && acct.GroupsResolved, ComputerName: a.locs.ComputerName,
	})
	if !acct.Found {
		reason += fmt.Sprintf("; %s does not resolve to an account on %s, so anonymous logons would fail", name, a.locs.ComputerName)
	}
	return anonRisk{Account: name, Privilege: level, Reason: reason}, nil
}

func (a *anonAssessor) pools(ctx context.Context, location string) (anonRisk, error) {
	apps := a.locs.Serving(location)
	if len(apps) == 0 {
		return anonRisk{Privilege: risk.PrivilegeLeast,
			Reason: "application pool identity: no application on the host inherits it yet"}, nil
	}
	var worst anonRisk
	var worstApp iis.LocationApp
	for i, app := range apps {
		r, err := a.pool(ctx, app)
		if err != nil {
			return anonRisk{}, err
		}
		if i == 0 || r.Privilege > worst.Privilege {
			worst, worstApp = r, app
		}
	}
	if location == "" {
		worst.Reason = fmt.Sprintf("application pool identity: each application runs anonymous requests as its own pool; the most privileged is pool %q (%s): %s",
			worstApp.Pool, worstApp.Location(), worst.Reason)
	} else {
		worst.Reason = fmt.Sprintf("application pool identity of pool %q, which serves %s: %s", worstApp.Pool, worstApp.Location(), worst.Reason)
	}
	return worst, nil
}

// pool classifies the identity of the pool an application runs in.
func (a *anonAssessor) pool(ctx context.Context, app iis.LocationApp) (anonRisk, error) {
	if !app.PoolFound {
		return anonRisk{Privilege: risk.PrivilegeHigh,
			Reason: "the pool does not exist, so requests get HTTP 503; whatever pool takes its name decides the account: needs review"}, nil
	}
	account := app.PoolAccount()
	if app.IdentityType == "SpecificUser" {
		return a.user(ctx, account, app.IdentityType)
	}
	level, reason := risk.ClassifyIdentity(risk.Identity{Type: app.IdentityType, Account: account, ComputerName: a.locs.ComputerName})
	return anonRisk{Account: account, Privilege: level, Reason: reason}, nil
}
