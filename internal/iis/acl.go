package iis

import (
	"context"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// Content access levels, as the provider names them, and the
// FileSystemRights each grants.
const (
	AccessRead   = "read"
	AccessModify = "modify"
	AccessFull   = "full"
)

// AccessLevels lists the levels, weakest first.
func AccessLevels() []string { return []string{AccessRead, AccessModify, AccessFull} }

// RightsFor is the FileSystemRights name a level grants.
func RightsFor(access string) string {
	switch access {
	case AccessModify:
		return hostapi.RightsModify
	case AccessFull:
		return hostapi.RightsFull
	}
	return hostapi.RightsRead
}

// ACL is a directory's access control list.
type ACL struct {
	Path      string
	Owner     string
	Protected bool
	Entries   []ACE
}

// ACE is one access rule; Access is the level it amounts to, or "" when
// its rights or inheritance are not one a grant writes.
type ACE struct {
	Identity         string
	Rights           string
	Type             string
	Inherited        bool
	InheritanceFlags string
	PropagationFlags string
	Access           string
}

// AccessOf reads rights as Windows reports them ("Modify, Synchronize")
// back to a level; "" for anything else.
func AccessOf(rights string) string {
	parts := map[string]bool{}
	for _, p := range strings.Split(rights, ",") {
		parts[strings.TrimSpace(p)] = true
	}
	delete(parts, "Synchronize")
	if len(parts) != 1 {
		return ""
	}
	switch {
	case parts[hostapi.RightsRead]:
		return AccessRead
	case parts[hostapi.RightsModify]:
		return AccessModify
	case parts[hostapi.RightsFull]:
		return AccessFull
	}
	return ""
}

// Describe says what an entry grants, in the provider's terms when it is
// one a grant writes ("modify"), else in Windows' ("Write, Synchronize;
// inheritance None").
func (e ACE) Describe() string {
	if e.Access != "" {
		return e.Access
	}
	return fmt.Sprintf("%s; inheritance %s; propagation %s", e.Rights, e.InheritanceFlags, e.PropagationFlags)
}

// Explicit returns the identity's explicit Allow entries: the ones a grant
// owns.
func (a ACL) Explicit(identity string) []ACE {
	var out []ACE
	for _, e := range a.Entries {
		if !e.Inherited && e.Type == "Allow" && SameAccount(e.Identity, identity) {
			out = append(out, e)
		}
	}
	return out
}

func aclFromWire(w hostapi.ACL) ACL {
	out := ACL{Path: w.Path, Owner: w.Owner, Protected: w.Protected, Entries: make([]ACE, 0, len(w.Entries))}
	for _, e := range w.Entries {
		ace := ACE{Identity: e.Identity, Rights: e.Rights, Type: e.Type, Inherited: e.Inherited,
			InheritanceFlags: e.InheritanceFlags, PropagationFlags: e.PropagationFlags}
		if e.InheritanceFlags == hostapi.GrantInheritance && e.PropagationFlags == "None" {
			ace.Access = AccessOf(e.Rights)
		}
		out.Entries = append(out.Entries, ace)
	}
	return out
}

// GetACL reads a directory's ACL.
func GetACL(ctx context.Context, c Caller, path string) (ACL, error) {
	var w hostapi.ACL
	if err := c.Call(ctx, hostapi.OpACLGet, hostapi.ACLPath{Path: path}, &w); err != nil {
		return ACL{}, fmt.Errorf("read the ACL of %s: %w", path, err)
	}
	return aclFromWire(w), nil
}

// Grant gives identity the access level on path as one explicit entry,
// replacing the identity's other explicit Allow entries there.
func Grant(ctx context.Context, c Caller, path, identity, access string) (ACL, error) {
	var w hostapi.ACL
	args := hostapi.ACLGrant{Path: path, Identity: identity, Rights: RightsFor(access)}
	if err := c.Call(ctx, hostapi.OpACLGrant, args, &w); err != nil {
		return ACL{}, fmt.Errorf("grant %s %s access to %s: %w", identity, access, path, err)
	}
	return aclFromWire(w), nil
}

// Revoke removes identity's explicit Allow entries on path.
func Revoke(ctx context.Context, c Caller, path, identity string) (ACL, error) {
	var w hostapi.ACL
	if err := c.Call(ctx, hostapi.OpACLRevoke, hostapi.ACLRevoke{Path: path, Identity: identity}, &w); err != nil {
		return ACL{}, fmt.Errorf("revoke the access of %s to %s: %w", identity, path, err)
	}
	return aclFromWire(w), nil
}

// PoolAccountName is how Windows writes a pool's virtual account in an
// ACL: "IIS APPPOOL\shop".
func PoolAccountName(pool string) string { return `IIS APPPOOL\` + pool }

// NormalizePath writes a local path for comparison: '\' separators, no
// trailing '\' (but "C:\"), %SystemDrive% as C:, lower case, because
// Windows paths are case-insensitive. It is for comparing, not for
// sending: the host expands variables itself.
func NormalizePath(p string) string {
	p = strings.ReplaceAll(strings.TrimSpace(p), "/", `\`)
	if len(p) >= len("%SystemDrive%") && strings.EqualFold(p[:len("%SystemDrive%")], "%SystemDrive%") {
		p = "C:" + p[len("%SystemDrive%"):]
	}
	p = strings.TrimRight(p, `\`)
	if len(p) == 2 && p[1] == ':' {
		p += `\`
	}
	return strings.ToLower(p)
}

// PathWithin reports whether path is root or below it.
func PathWithin(path, root string) bool {
	p, r := NormalizePath(path), NormalizePath(root)
	return p == r || strings.HasPrefix(p, strings.TrimSuffix(r, `\`)+`\`)
}
