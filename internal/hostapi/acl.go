package hostapi

// NTFS access control on a directory, through Get-Acl / Set-Acl and
// System.Security.AccessControl.FileSystemAccessRule. Grants are explicit
// (non-inherited) Allow entries that apply to the directory, its
// subdirectories and files ("ContainerInherit, ObjectInherit"); inherited
// entries are read, never written.
const (
	// OpACLGet takes ACLPath and returns ACL, or fails with not_found
	// ("Cannot find path 'X' because it does not exist.").
	OpACLGet = "acl.get"
	// OpACLGrant takes ACLGrant, replaces the identity's explicit Allow
	// entries on the directory with one entry of the given rights
	// (FileSystemSecurity.SetAccessRule), and returns the ACL as read back.
	// An identity the host cannot translate fails with invalid_argument
	// (MsgIdentityNotMapped).
	OpACLGrant = "acl.grant"
	// OpACLRevoke takes ACLRevoke, removes the identity's explicit Allow
	// entries (RemoveAccessRuleAll) and returns the ACL as read back.
	// Inherited entries and Deny entries stay; revoking an identity that
	// has no explicit entry succeeds.
	OpACLRevoke = "acl.revoke"
)

// FileSystemRights values a grant may give, by the names .NET parses.
const (
	RightsRead   = "ReadAndExecute"
	RightsModify = "Modify"
	RightsFull   = "FullControl"
)

// Inheritance of every grant: the directory, its subdirectories and files.
const GrantInheritance = "ContainerInherit, ObjectInherit"

// MsgIdentityNotMapped is IdentityNotMappedException's text: an account
// that does not exist, or IIS AppPool\X for a pool that does not.
const MsgIdentityNotMapped = "Some or all identity references could not be translated."

// MsgPathNotFound is Get-Acl's text for a path that does not exist.
const MsgPathNotFound = "Cannot find path '%s' because it does not exist."

// ACLPath names a directory: "D:\sites\shop", environment variables such
// as %SystemDrive% allowed, as IIS physical paths use them.
type ACLPath struct {
	Path string `json:"path"`
}

// ACL is a directory's access control list as Get-Acl reads it, explicit
// entries first, in canonical order.
type ACL struct {
	// Path is the directory as the file system spells it, variables
	// expanded ("C:\inetpub\wwwroot").
	Path  string `json:"path"`
	Owner string `json:"owner"`
	// Protected says the directory does not inherit from its parent
	// (AreAccessRulesProtected).
	Protected bool  `json:"protected"`
	Entries   []ACE `json:"entries"`
}

// ACE is one access rule with its values as .NET formats them.
type ACE struct {
	// Identity is the translated account: "IIS APPPOOL\shop",
	// "NT AUTHORITY\IUSR", "BUILTIN\IIS_IUSRS", "WEB01\alice".
	Identity string `json:"identity"`
	// Rights is FileSystemRights.ToString(): "ReadAndExecute,
	// Synchronize", "Modify, Synchronize", "FullControl".
	Rights           string `json:"rights"`
	Type             string `json:"type"` // Allow or Deny
	Inherited        bool   `json:"inherited"`
	InheritanceFlags string `json:"inheritance_flags"` // "None", "ContainerInherit, ObjectInherit", ...
	PropagationFlags string `json:"propagation_flags"` // "None", "InheritOnly", "NoPropagateInherit"
}

// ACLGrant gives Identity Rights (RightsRead, RightsModify or RightsFull)
// on Path.
type ACLGrant struct {
	Path     string `json:"path"`
	Identity string `json:"identity"`
	Rights   string `json:"rights"`
}

// ACLRevoke removes Identity's explicit Allow entries on Path.
type ACLRevoke struct {
	Path     string `json:"path"`
	Identity string `json:"identity"`
}
