package host

import (
	"context"
	"crypto/subtle"
	"slices"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// wellKnown are the built-in principals that are not SAM accounts. Their
// names are never localised; IUSR is S-1-5-17 (windows-host.md 3).
var wellKnown = map[string]string{
	`NT AUTHORITY\SYSTEM`:              "S-1-5-18",
	`NT AUTHORITY\LOCAL SERVICE`:       "S-1-5-19",
	`NT AUTHORITY\NETWORK SERVICE`:     "S-1-5-20",
	`NT AUTHORITY\IUSR`:                "S-1-5-17",
	`NT AUTHORITY\INTERACTIVE`:         "S-1-5-4",
	`NT AUTHORITY\Authenticated Users`: "S-1-5-11",
	`Everyone`:                         "S-1-1-0",
}

// Messages follow Microsoft.PowerShell.LocalAccounts, the cmdlets the
// agent uses, so the simulator and a real host fail alike.
func userNotFound(name string) error { return errf(protocol.NotFound, "User %s was not found.", name) }
func groupNotFound(name string) error {
	return errf(protocol.NotFound, "Group %s was not found.", name)
}

// validAccountName applies the SAM rules: at most 20 characters for users
// (256 for groups), none of " / \ [ ] : ; | = , + * ? < > @, and not only
// dots and spaces.
func validAccountName(name string, max int) error {
	if name == "" || len([]rune(name)) > max || strings.ContainsAny(name, `"/\[]:;|=,+*?<>@`) ||
		strings.Trim(name, ". ") == "" || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 }) {
		return errf(protocol.InvalidArgument, "The name %s is not a valid account name.", strconv.Quote(name))
	}
	return nil
}

func findUser(s *State, name string) int {
	return slices.IndexFunc(s.Accounts.Users, func(u User) bool { return strings.EqualFold(u.Name, name) })
}

func findGroup(s *State, name string) int {
	return slices.IndexFunc(s.Accounts.Groups, func(g Group) bool { return strings.EqualFold(g.Name, name) })
}

// localName strips a "COMPUTER\" or ".\" qualifier that names this host.
func localName(s *State, name string) string {
	if dom, rest, ok := strings.Cut(name, `\`); ok && (dom == "." || strings.EqualFold(dom, s.System.ComputerName)) {
		return rest
	}
	return name
}

// resolvePrincipal returns the canonical name and SID of a principal this
// host can resolve: a local user or group, a built-in principal, an app
// pool's virtual account, or (when joined) a domain account, whose SID the
// simulator cannot know and leaves empty.
func resolvePrincipal(s *State, name string) (canon, sid string, ok bool) {
	n := localName(s, name)
	if i := findUser(s, n); i >= 0 {
		return s.Accounts.Users[i].Name, s.Accounts.Users[i].SID, true
	}
	if i := findGroup(s, n); i >= 0 {
		return s.Accounts.Groups[i].Name, s.Accounts.Groups[i].SID, true
	}
	for k, v := range wellKnown {
		if strings.EqualFold(k, n) || strings.EqualFold(k[strings.LastIndex(k, `\`)+1:], n) {
			return k, v, true
		}
	}
	if dom, rest, ok := strings.Cut(n, `\`); ok && rest != "" {
		if strings.EqualFold(dom, "IIS AppPool") && findPool(s, rest) >= 0 {
			return `IIS APPPOOL\` + s.IIS.Pools[findPool(s, rest)].Name, "", true
		}
		if s.System.DomainJoined && !strings.ContainsAny(rest, `\/`) {
			return n, "", true
		}
	}
	return "", "", false
}

// AddUser creates a local user. The password is stored sealed and never
// appears in an error.
func (h *Host) AddUser(ctx context.Context, name, password string) error {
	if err := validAccountName(name, 20); err != nil {
		return err
	}
	return h.update(ctx, func(s *State) error {
		if findUser(s, name) >= 0 {
			return errf(protocol.AlreadyExists, "User %s already exists.", name)
		}
		if findGroup(s, name) >= 0 {
			return errf(protocol.AlreadyExists, "Group %s already exists.", name)
		}
		s.Accounts.Users = append(s.Accounts.Users, User{Name: name, SID: nextSID(s), Password: sealSecret(password)})
		return nil
	})
}

// RemoveUser deletes a local user and its group memberships.
func (h *Host) RemoveUser(ctx context.Context, name string) error {
	return h.update(ctx, func(s *State) error {
		i := findUser(s, name)
		if i < 0 {
			return userNotFound(name)
		}
		canon := s.Accounts.Users[i].Name
		s.Accounts.Users = slices.Delete(s.Accounts.Users, i, i+1)
		for gi := range s.Accounts.Groups {
			g := &s.Accounts.Groups[gi]
			g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return strings.EqualFold(m, canon) })
		}
		return nil
	})
}

// SetUserEnabled enables or disables a local user.
func (h *Host) SetUserEnabled(ctx context.Context, name string, enabled bool) error {
	return h.update(ctx, func(s *State) error {
		i := findUser(s, name)
		if i < 0 {
			return userNotFound(name)
		}
		s.Accounts.Users[i].Disabled = !enabled
		return nil
	})
}

// SetUserPassword replaces a local user's password.
func (h *Host) SetUserPassword(ctx context.Context, name, password string) error {
	return h.update(ctx, func(s *State) error {
		i := findUser(s, name)
		if i < 0 {
			return userNotFound(name)
		}
		s.Accounts.Users[i].Password = sealSecret(password)
		return nil
	})
}

// CheckPassword reports whether user may log on with password: the account
// exists, is enabled and the password matches. It is what a logon (WinRM
// authentication, a pool's worker process start) would decide.
func (h *Host) CheckPassword(ctx context.Context, user, password string) (bool, error) {
	ok := false
	err := h.view(ctx, func(s *State) error {
		i := findUser(s, localName(s, user))
		if i < 0 || s.Accounts.Users[i].Disabled {
			return nil
		}
		stored := openSecret(s.Accounts.Users[i].Password)
		ok = subtle.ConstantTimeCompare([]byte(stored), []byte(password)) == 1
		return nil
	})
	return ok, err
}

// AddGroup creates a local group.
func (h *Host) AddGroup(ctx context.Context, name, description string) error {
	if err := validAccountName(name, 256); err != nil {
		return err
	}
	return h.update(ctx, func(s *State) error {
		if findGroup(s, name) >= 0 {
			return errf(protocol.AlreadyExists, "Group %s already exists.", name)
		}
		if findUser(s, name) >= 0 {
			return errf(protocol.AlreadyExists, "User %s already exists.", name)
		}
		s.Accounts.Groups = append(s.Accounts.Groups, Group{Name: name, SID: nextSID(s), Description: description, Members: []string{}})
		return nil
	})
}

// AddGroupMember adds a principal to a local group.
func (h *Host) AddGroupMember(ctx context.Context, group, member string) error {
	return h.update(ctx, func(s *State) error {
		gi := findGroup(s, group)
		if gi < 0 {
			return groupNotFound(group)
		}
		canon, _, ok := resolvePrincipal(s, member)
		if !ok {
			return errf(protocol.NotFound, "Principal %s was not found.", member)
		}
		g := &s.Accounts.Groups[gi]
		if strings.EqualFold(canon, g.Name) {
			return errf(protocol.InvalidArgument, "A group cannot be a member of itself.")
		}
		if slices.ContainsFunc(g.Members, func(m string) bool { return strings.EqualFold(m, canon) }) {
			return errf(protocol.AlreadyExists, "%s is already a member of group %s.", canon, g.Name)
		}
		g.Members = append(g.Members, canon)
		return nil
	})
}

// RemoveGroupMember removes a principal from a local group.
func (h *Host) RemoveGroupMember(ctx context.Context, group, member string) error {
	return h.update(ctx, func(s *State) error {
		gi := findGroup(s, group)
		if gi < 0 {
			return groupNotFound(group)
		}
		canon, _, ok := resolvePrincipal(s, member)
		if !ok {
			canon = member
		}
		g := &s.Accounts.Groups[gi]
		i := slices.IndexFunc(g.Members, func(m string) bool { return strings.EqualFold(m, canon) })
		if i < 0 {
			return errf(protocol.NotFound, "Member %s was not found in group %s.", member, g.Name)
		}
		g.Members = slices.Delete(g.Members, i, i+1)
		return nil
	})
}

// GroupsOf lists the local groups a principal is directly a member of.
func (h *Host) GroupsOf(ctx context.Context, principal string) ([]string, error) {
	var out []string
	err := h.view(ctx, func(s *State) error {
		canon, _, ok := resolvePrincipal(s, principal)
		if !ok {
			return errf(protocol.NotFound, "Principal %s was not found.", principal)
		}
		for _, g := range s.Accounts.Groups {
			if slices.ContainsFunc(g.Members, func(m string) bool { return strings.EqualFold(m, canon) }) {
				out = append(out, g.Name)
			}
		}
		return nil
	})
	return out, err
}

func nextSID(s *State) string {
	sid := s.System.MachineSID + "-" + strconv.Itoa(s.Meta.NextRID)
	s.Meta.NextRID++
	return sid
}
