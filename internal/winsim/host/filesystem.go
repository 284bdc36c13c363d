package host

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// The file system: directories with their NTFS ACLs, enough to grant, read
// back and see drift as Get-Acl / Set-Acl do on a real host. Only
// directories are modelled; each holds its explicit entries, and its
// inherited ones are derived from its parent on every read, as Windows
// propagates them, unless the directory is protected.

// FileSystem is every directory the host knows, drive roots included.
type FileSystem struct {
	Dirs []Dir `json:"dirs"`
}

// Dir is one directory and its explicit access rules.
type Dir struct {
	// Path as the file system spells it: "C:\inetpub\wwwroot"; a drive
	// root is "C:\".
	Path  string `json:"path"`
	Owner string `json:"owner"`
	// Protected directories do not inherit (AreAccessRulesProtected).
	Protected bool      `json:"protected,omitempty"`
	Entries   []FSEntry `json:"entries"`
}

// FSEntry is an explicit access rule, its values as .NET formats them.
type FSEntry struct {
	Identity    string `json:"identity"`
	Rights      string `json:"rights"`
	Type        string `json:"type"`
	Inheritance string `json:"inheritance"`
	Propagation string `json:"propagation"`
}

const (
	inheritAll  = hostapi.GrantInheritance
	inheritNone = "None"
	propNone    = "None"
	propIO      = "InheritOnly"
	propNP      = "NoPropagateInherit"
	ownerAdmins = `BUILTIN\Administrators`
)

// stockFiles is the system drive of a fresh server with the Web Server
// role: the drive root's ACL (where Authenticated Users may create and
// modify below the root), C:\inetpub as IIS setup protects it, and
// wwwroot, where setup grants IIS_IUSRS read so that every pool's
// identity and IUSR can serve the default content.
func stockFiles() *FileSystem {
	e := func(id, rights, inh, prop string) FSEntry {
		return FSEntry{Identity: id, Rights: rights, Type: "Allow", Inheritance: inh, Propagation: prop}
	}
	const (
		full = "FullControl"
		rx   = "ReadAndExecute, Synchronize"
		mod  = "Modify, Synchronize"
	)
	return &FileSystem{Dirs: []Dir{
		{Path: `C:\`, Owner: `NT SERVICE\TrustedInstaller`, Entries: []FSEntry{
			e(`NT AUTHORITY\SYSTEM`, full, inheritAll, propNone),
			e(ownerAdmins, full, inheritAll, propNone),
			e(`BUILTIN\Users`, rx, inheritAll, propNone),
			e(`NT AUTHORITY\Authenticated Users`, mod, inheritAll, propIO),
			e(`NT AUTHORITY\Authenticated Users`, "AppendData", inheritNone, propNone),
			e(`CREATOR OWNER`, full, inheritAll, propIO),
		}},
		{Path: `C:\inetpub`, Owner: `NT SERVICE\TrustedInstaller`, Protected: true, Entries: []FSEntry{
			e(`NT SERVICE\TrustedInstaller`, full, inheritAll, propNone),
			e(`NT AUTHORITY\SYSTEM`, full, inheritAll, propNone),
			e(ownerAdmins, full, inheritAll, propNone),
			e(`BUILTIN\Users`, rx, inheritAll, propNone),
			e(`CREATOR OWNER`, full, inheritAll, propIO),
		}},
		{Path: `C:\inetpub\wwwroot`, Owner: `NT SERVICE\TrustedInstaller`, Entries: []FSEntry{
			e(`BUILTIN\IIS_IUSRS`, rx, inheritAll, propNone),
		}},
		{Path: `C:\inetpub\logs`, Owner: `NT SERVICE\TrustedInstaller`, Entries: []FSEntry{}},
	}}
}

// files returns the state's file system, giving a state file written
// before the file system existed the stock one.
func files(s *State) *FileSystem {
	if s.Files == nil {
		s.Files = stockFiles()
	}
	return s.Files
}

// envVars are the variables IIS physical paths use, as a stock host
// expands them.
var envVars = map[string]string{
	"%systemdrive%": "C:",
	"%systemroot%":  `C:\Windows`,
	"%windir%":      `C:\Windows`,
}

// normPath expands the variables IIS paths use, turns '/' into '\' and
// drops a trailing '\' (but keeps the root's, "C:\"). It does not decide
// whether the path exists.
func normPath(p string) string {
	p = strings.ReplaceAll(strings.TrimSpace(p), "/", `\`)
	for k, v := range envVars {
		if len(p) >= len(k) && strings.EqualFold(p[:len(k)], k) {
			p = v + p[len(k):]
		}
	}
	p = strings.TrimRight(p, `\`)
	if len(p) == 2 && p[1] == ':' {
		return strings.ToUpper(p) + `\`
	}
	if len(p) > 2 && p[1] == ':' {
		p = strings.ToUpper(p[:1]) + p[1:]
	}
	return p
}

// parentPath is the directory above p, or "" for a drive root.
func parentPath(p string) string {
	if strings.HasSuffix(p, `\`) {
		return ""
	}
	i := strings.LastIndex(p, `\`)
	if i < 0 {
		return ""
	}
	if i == 2 {
		return p[:3]
	}
	return p[:i]
}

func findDir(fs *FileSystem, p string) int {
	n := normPath(p)
	return slices.IndexFunc(fs.Dirs, func(d Dir) bool { return strings.EqualFold(d.Path, n) })
}

func pathNotFound(p string) error { return errf(protocol.NotFound, hostapi.MsgPathNotFound, p) }

// validDirPath refuses what is not an absolute local path, as the
// FileSystem provider would not find it either.
func validDirPath(p string) error {
	n := normPath(p)
	if len(n) < 3 || n[1] != ':' || n[2] != '\\' || strings.ContainsAny(n[2:], `<>"|?*:`) || strings.Contains(n, `\\`) {
		return errf(protocol.InvalidArgument, "'%s' is not a local directory path such as D:\\sites\\shop.", p)
	}
	return nil
}

// aclOf reads a directory's ACL as Get-Acl returns it: explicit entries
// first (Deny before Allow), then the ones inherited from above.
func aclOf(fs *FileSystem, i int) hostapi.ACL {
	d := fs.Dirs[i]
	out := hostapi.ACL{Path: d.Path, Owner: d.Owner, Protected: d.Protected, Entries: []hostapi.ACE{}}
	for _, want := range []string{"Deny", "Allow"} {
		for _, e := range d.Entries {
			if e.Type == want {
				out.Entries = append(out.Entries, hostapi.ACE{Identity: e.Identity, Rights: e.Rights, Type: e.Type,
					InheritanceFlags: e.Inheritance, PropagationFlags: e.Propagation})
			}
		}
	}
	out.Entries = append(out.Entries, inheritedFrom(fs, d)...)
	return out
}

// inheritedFrom is what d's parent passes down: each of its entries that
// applies to subdirectories (ContainerInherit) arrives as it is, one that
// applies only to files (ObjectInherit) arrives inherit-only, and one
// marked NoPropagateInherit arrives without inheritance.
func inheritedFrom(fs *FileSystem, d Dir) []hostapi.ACE {
	if d.Protected {
		return nil
	}
	pi := findDir(fs, parentPath(d.Path))
	if pi < 0 {
		return nil
	}
	var out []hostapi.ACE
	for _, e := range aclOf(fs, pi).Entries {
		ci := strings.Contains(e.InheritanceFlags, "ContainerInherit")
		oi := strings.Contains(e.InheritanceFlags, "ObjectInherit")
		child := hostapi.ACE{Identity: e.Identity, Rights: e.Rights, Type: e.Type, Inherited: true,
			InheritanceFlags: e.InheritanceFlags, PropagationFlags: propNone}
		switch {
		case ci && e.PropagationFlags == propNP:
			child.InheritanceFlags = inheritNone
		case ci:
		case oi && e.PropagationFlags != propNP:
			child.PropagationFlags = propIO
		default:
			continue
		}
		out = append(out, child)
	}
	return out
}

// grantRights turns a requested right into FileSystemRights.ToString() of
// the rule Windows stores: .NET adds Synchronize to every Allow rule, which
// FullControl already includes.
func grantRights(r string) (string, error) {
	for _, known := range []string{hostapi.RightsRead, hostapi.RightsModify, hostapi.RightsFull} {
		if strings.EqualFold(r, known) {
			if known == hostapi.RightsFull {
				return known, nil
			}
			return known + ", Synchronize", nil
		}
	}
	return "", errf(protocol.InvalidArgument, "Cannot convert value \"%s\" to type \"System.Security.AccessControl.FileSystemRights\". "+
		"Use one of: %s, %s, %s.", r, hostapi.RightsRead, hostapi.RightsModify, hostapi.RightsFull)
}

// translate is NTAccount.Translate: the account's canonical name, or
// IdentityNotMappedException's text.
func translate(s *State, identity string) (string, error) {
	a := resolveAccount(s, identity)
	if !a.Found || a.Name == "" {
		return "", errf(protocol.InvalidArgument, "%s", hostapi.MsgIdentityNotMapped)
	}
	return a.Name, nil
}

// removeExplicitAllow drops identity's explicit Allow rules from d, as
// RemoveAccessRuleAll does.
func removeExplicitAllow(d *Dir, identity string) {
	d.Entries = slices.DeleteFunc(d.Entries, func(e FSEntry) bool {
		return e.Type == "Allow" && strings.EqualFold(e.Identity, identity)
	})
}

// ACL reads a directory's ACL as an administrator's Get-Acl would.
func (h *Host) ACL(ctx context.Context, path string) (hostapi.ACL, error) {
	var out hostapi.ACL
	err := h.view(ctx, func(s *State) error {
		fs := s.Files
		if fs == nil {
			fs = stockFiles()
		}
		i := findDir(fs, path)
		if i < 0 {
			return pathNotFound(path)
		}
		out = aclOf(fs, i)
		return nil
	})
	return out, err
}

// MakeDir creates a directory and any missing parents, as New-Item
// -ItemType Directory -Force does; each new directory inherits and is
// owned by Administrators. The drive must exist.
func (h *Host) MakeDir(ctx context.Context, path string) error {
	if err := validDirPath(path); err != nil {
		return err
	}
	n := normPath(path)
	return h.update(ctx, func(s *State) error {
		fs := files(s)
		var missing []string
		for p := n; p != "" && findDir(fs, p) < 0; p = parentPath(p) {
			if parentPath(p) == "" {
				return errf(protocol.NotFound, "Cannot find drive. A drive with the name '%s' does not exist.", p[:1])
			}
			missing = append(missing, p)
		}
		for i := len(missing) - 1; i >= 0; i-- {
			fs.Dirs = append(fs.Dirs, Dir{Path: missing[i], Owner: ownerAdmins, Entries: []FSEntry{}})
		}
		return nil
	})
}

// RemoveDir deletes a directory and everything below it.
func (h *Host) RemoveDir(ctx context.Context, path string) error {
	return h.update(ctx, func(s *State) error {
		fs := files(s)
		i := findDir(fs, path)
		if i < 0 {
			return pathNotFound(path)
		}
		root := strings.ToLower(fs.Dirs[i].Path)
		fs.Dirs = slices.DeleteFunc(fs.Dirs, func(d Dir) bool {
			p := strings.ToLower(d.Path)
			return p == root || strings.HasPrefix(p, strings.TrimSuffix(root, `\`)+`\`)
		})
		return nil
	})
}

// SetAccessRule gives identity an explicit rule on a directory, as an
// administrator would with icacls or the Security tab: any explicit Allow
// rule of that identity is replaced. typ is Allow or Deny; rights and
// inheritance are written as given (FileSystemRights and InheritanceFlags
// names), so tests can set up any entry Windows could hold.
func (h *Host) SetAccessRule(ctx context.Context, path, identity, rights, typ, inheritance string) error {
	return h.update(ctx, func(s *State) error {
		fs := files(s)
		i := findDir(fs, path)
		if i < 0 {
			return pathNotFound(path)
		}
		name, err := translate(s, identity)
		if err != nil {
			return err
		}
		d := &fs.Dirs[i]
		d.Entries = slices.DeleteFunc(d.Entries, func(e FSEntry) bool {
			return e.Type == typ && strings.EqualFold(e.Identity, name)
		})
		d.Entries = append(d.Entries, FSEntry{Identity: name, Rights: rights, Type: typ, Inheritance: inheritance, Propagation: propNone})
		return nil
	})
}

// RemoveAccessRules removes identity's explicit Allow rules on a
// directory.
func (h *Host) RemoveAccessRules(ctx context.Context, path, identity string) error {
	return h.update(ctx, func(s *State) error {
		fs := files(s)
		i := findDir(fs, path)
		if i < 0 {
			return pathNotFound(path)
		}
		name, err := translate(s, identity)
		if err != nil {
			return err
		}
		removeExplicitAllow(&fs.Dirs[i], name)
		return nil
	})
}

// SetInheritance protects a directory from inheritance or lets it inherit
// again; protecting copies the inherited rules as explicit ones when
// preserve is true, as SetAccessRuleProtection(true, preserve) does.
func (h *Host) SetInheritance(ctx context.Context, path string, protected, preserve bool) error {
	return h.update(ctx, func(s *State) error {
		fs := files(s)
		i := findDir(fs, path)
		if i < 0 {
			return pathNotFound(path)
		}
		if protected && preserve {
			for _, e := range inheritedFrom(fs, fs.Dirs[i]) {
				fs.Dirs[i].Entries = append(fs.Dirs[i].Entries, FSEntry{Identity: e.Identity, Rights: e.Rights, Type: e.Type,
					Inheritance: e.InheritanceFlags, Propagation: e.PropagationFlags})
			}
		}
		fs.Dirs[i].Protected = protected
		return nil
	})
}

func aclArgs(args json.RawMessage, v any) error {
	if err := json.Unmarshal(args, v); err != nil {
		return errf(protocol.InvalidArgument, "arguments are not the expected shape: %v", err)
	}
	return nil
}

func opACLGet(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.ACLPath
	if err := aclArgs(args, &a); err != nil {
		return nil, err
	}
	return h.ACL(ctx, a.Path)
}

// opACLGrant is the agent's Get-Acl, SetAccessRule, Set-Acl: the
// identity's explicit Allow rules give way to one rule with the rights
// asked for, inherited by subdirectories and files.
func opACLGrant(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.ACLGrant
	if err := aclArgs(args, &a); err != nil {
		return nil, err
	}
	rights, err := grantRights(a.Rights)
	if err != nil {
		return nil, err
	}
	var out hostapi.ACL
	err = h.update(ctx, func(s *State) error {
		fs := files(s)
		i := findDir(fs, a.Path)
		if i < 0 {
			return pathNotFound(a.Path)
		}
		name, err := translate(s, a.Identity)
		if err != nil {
			return err
		}
		d := &fs.Dirs[i]
		removeExplicitAllow(d, name)
		d.Entries = append(d.Entries, FSEntry{Identity: name, Rights: rights, Type: "Allow", Inheritance: inheritAll, Propagation: propNone})
		out = aclOf(fs, i)
		return nil
	})
	return out, err
}

// opACLRevoke is Get-Acl, RemoveAccessRuleAll, Set-Acl.
func opACLRevoke(ctx context.Context, h *Host, args json.RawMessage) (any, error) {
	var a hostapi.ACLRevoke
	if err := aclArgs(args, &a); err != nil {
		return nil, err
	}
	var out hostapi.ACL
	err := h.update(ctx, func(s *State) error {
		fs := files(s)
		i := findDir(fs, a.Path)
		if i < 0 {
			return pathNotFound(a.Path)
		}
		name, err := translate(s, a.Identity)
		if err != nil {
			return err
		}
		removeExplicitAllow(&fs.Dirs[i], name)
		out = aclOf(fs, i)
		return nil
	})
	return out, err
}
