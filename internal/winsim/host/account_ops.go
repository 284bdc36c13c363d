package host

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// opAccountResolve answers account.resolve as internal/hostscript/account.ps1
// does on a real host: NTAccount.Translate for the SID, the local groups
// that list the principal, and, for a domain account, its token groups when
// a domain controller can be asked. The simulator has no domain controller,
// so a domain account's membership is never complete here, as on a real
// host that cannot reach one.
func opAccountResolve(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.AccountName
	if err := poolArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.Account
	err := h.view(ctx, func(s *State) error {
		out = resolveAccount(s, strings.TrimSpace(a.Name))
		return nil
	})
	return out, err
}

func resolveAccount(s *State, name string) hostapi.Account {
	out := hostapi.Account{Groups: []string{}}
	if name == "" {
		return out
	}
	canon, sid, ok := resolvePrincipal(s, name)
	if !ok {
		return out
	}
	out.Found, out.SID, out.Enabled, out.GroupsResolved = true, sid, true, true
	local := localName(s, name)
	switch {
	case findUser(s, local) >= 0:
		u := s.Accounts.Users[findUser(s, local)]
		out.Kind, out.Name, out.Enabled = hostapi.AccountUser, s.System.ComputerName+`\`+u.Name, !u.Disabled
	case findGroup(s, local) >= 0:
		out.Kind, out.Name = hostapi.AccountGroup, groupAccountName(s, s.Accounts.Groups[findGroup(s, local)])
	case strings.HasPrefix(strings.ToUpper(canon), `IIS APPPOOL\`):
		out.Kind, out.Name = hostapi.AccountVirtual, canon
	case wellKnown[canon] != "":
		out.Kind, out.Name = hostapi.AccountBuiltin, canon
	default:
		// A domain principal: its SID and token groups would come from a
		// domain controller.
		out.Kind, out.Name, out.GroupsResolved = hostapi.AccountDomain, domainAccountName(canon), false
	}
	for _, g := range s.Accounts.Groups {
		if slices.ContainsFunc(g.Members, func(m string) bool { return strings.EqualFold(m, canon) }) {
			out.Groups = append(out.Groups, g.Name)
		}
	}
	return out
}

// groupAccountName is how NTAccount spells a local group: built-in groups
// (S-1-5-32-*) under BUILTIN, others under the computer's name.
func groupAccountName(s *State, g Group) string {
	if strings.HasPrefix(g.SID, "S-1-5-32-") {
		return `BUILTIN\` + g.Name
	}
	return s.System.ComputerName + `\` + g.Name
}

// domainAccountName writes DOMAIN\user with the NetBIOS domain name in
// upper case, as NTAccount.Translate returns it; user@domain is left as
// written.
func domainAccountName(name string) string {
	if d, u, ok := strings.Cut(name, `\`); ok {
		return strings.ToUpper(d) + `\` + u
	}
	return name
}
