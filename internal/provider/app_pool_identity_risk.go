package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// poolVerdict is who a pool runs as and how much that account can do.
type poolVerdict struct {
	Account string
	Level   risk.Privilege
	Reason  string
}

// needsHost reports whether judging an identity type needs the host: only
// a specific user's power depends on its group membership there.
func needsHost(identityType string) bool {
	return strings.EqualFold(identityType, hostapi.IdentitySpecificUser)
}

// classifyPoolIdentity judges a pool's identity. The built-in types are
// judged from their type alone, so plans know them without a host; the
// host's computer name, when known, only names its computer account in the
// reason. A specific user is judged by the groups the host resolves it to
// (c must not be nil then). An account the host cannot resolve is "high":
// nobody can say what it may do.
func classifyPoolIdentity(ctx context.Context, c iis.Caller, computer, pool, identityType, user string) (poolVerdict, error) {
	account := iis.AccountFor(pool, identityType, user)
	if !needsHost(identityType) {
		level, reason := risk.ClassifyIdentity(risk.Identity{Type: identityType, Account: account, ComputerName: computer})
		return poolVerdict{Account: account, Level: level, Reason: reason}, nil
	}
	acct, err := iis.ResolveAccount(ctx, c, user)
	if err != nil {
		return poolVerdict{}, err
	}
	if !acct.Found {
		return poolVerdict{Account: account, Level: risk.PrivilegeHigh,
			Reason: user + ": the host cannot resolve this account, so what it may do is unknown (and the pool would fail to start); needs review"}, nil
	}
	id := risk.Identity{Type: identityType, Account: user, Groups: acct.Groups, Resolved: acct.GroupsResolved, ComputerName: computer}
	level, reason := risk.ClassifyIdentity(id)
	if acct.Kind == hostapi.AccountUser && !acct.Enabled {
		reason += " (the account is disabled: the pool cannot start)"
	}
	return poolVerdict{Account: account, Level: level, Reason: reason}, nil
}

// escalationWarning is the plan warning for a pool whose privilege rises:
// the pool, the old and new account and level, and what will run with the
// new one: its sites and applications, and anonymous requests that run as
// the pool's identity.
func escalationWarning(pool string, before, after poolVerdict, apps []iis.PoolApplication) (summary, detail string) {
	summary = fmt.Sprintf("Application pool %q: privilege rises from %s to %s", pool, before.Level, after.Level)
	var b strings.Builder
	fmt.Fprintf(&b, "Application pool %q will run as %s (%s) instead of %s (%s).\n\n%s.\n\n",
		pool, after.Account, after.Level, before.Account, before.Level, after.Reason)
	if len(apps) == 0 {
		fmt.Fprintf(&b, "No site or application runs in this pool yet; any added later will run as %s.\n", after.Account)
	} else {
		fmt.Fprintf(&b, "What will run as %s:\n", after.Account)
		for _, a := range apps {
			fmt.Fprintf(&b, "  - application %s\n", a)
		}
		for _, a := range apps {
			if a.AnonymousUsesPoolIdentity {
				fmt.Fprintf(&b, "  - anonymous requests to %s (anonymous authentication uses the pool identity there)\n", a)
			}
		}
	}
	b.WriteString("\nPrefer ApplicationPoolIdentity, and grant that per-pool account only what the application needs.")
	return summary, b.String()
}

// parseKnownPrivilege reads a planned privilege; an error when it is not
// known yet.
func parseKnownPrivilege(v types.String) (risk.Privilege, error) {
	if v.IsNull() || v.IsUnknown() {
		return 0, fmt.Errorf("privilege not known")
	}
	return risk.ParsePrivilege(v.ValueString())
}

// hostComputerName asks the host for its NetBIOS name.
func hostComputerName(ctx context.Context, c iis.Caller) (string, error) {
	var info hostapi.HostInfo
	if err := c.Call(ctx, hostapi.OpHostInfo, nil, &info); err != nil {
		return "", fmt.Errorf("read host facts: %w", err)
	}
	return info.ComputerName, nil
}
