package hostapi

// The out-of-band operations: the changes an administrator makes behind
// Terraform's back, which the acceptance tests make on their host. The
// provider never sends them. On a real host internal/acchost sends them to
// its own agent (acchost/oob.ps1, which runs the cmdlets); the simulator
// answers them from its model when a test has it run that agent, so the
// path a test takes against a real host can be taken without Windows.
const (
	OpOOBFirewallWiden      = "oob.firewall.widen"
	OpOOBFirewallRemove     = "oob.firewall.remove"
	OpOOBAppPoolAdd         = "oob.apppool.add"
	OpOOBAppPoolRemove      = "oob.apppool.remove"
	OpOOBAppPoolSet         = "oob.apppool.set"
	OpOOBAppPoolGet         = "oob.apppool.get"
	OpOOBUserAdd            = "oob.user.add"
	OpOOBGroupAddMember     = "oob.group.add_member"
	OpOOBGroupRemoveMember  = "oob.group.remove_member"
	OpOOBApplicationAdd     = "oob.application.add"
	OpOOBApplicationSetPool = "oob.application.set_pool"
	OpOOBApplicationRemove  = "oob.application.remove"
	OpOOBAnonAuthSet        = "oob.anonauth.set"
	OpOOBAnonAuthClear      = "oob.anonauth.clear"
	OpOOBAnonAuthGet        = "oob.anonauth.get"
	OpOOBUserRemove         = "oob.user.remove"
	OpOOBSiteAdd            = "oob.site.add"
	OpOOBSiteRemove         = "oob.site.remove"
	OpOOBSiteState          = "oob.site.state"
	OpOOBDirMake            = "oob.dir.make"
	OpOOBACLSetRule         = "oob.acl.set_rule"
	OpOOBACLRemoveRules     = "oob.acl.remove_rules"
	OpOOBCleanup            = "oob.cleanup"
	OpOOBCleanupIIS         = "oob.cleanup.apppools"
)

// OOBArgs holds every argument an out-of-band operation may take; each
// operation reads its own (acchost's tests hold each request to what its
// PowerShell handler reads).
type OOBArgs struct {
	Name         string   `json:"name,omitempty"`
	LocalPort    []string `json:"local_port,omitempty"`
	Pool         string   `json:"pool,omitempty"`
	Attribute    string   `json:"attribute,omitempty"`
	Value        string   `json:"value,omitempty"`
	Password     string   `json:"password,omitempty"`
	Group        string   `json:"group,omitempty"`
	Member       string   `json:"member,omitempty"`
	Site         string   `json:"site,omitempty"`
	Path         string   `json:"path,omitempty"`
	PhysicalPath string   `json:"physical_path,omitempty"`
	Location     string   `json:"location,omitempty"`
	Started      bool     `json:"started,omitempty"`
	Identity     string   `json:"identity,omitempty"`
	Rights       string   `json:"rights,omitempty"`
	Type         string   `json:"type,omitempty"`
	Inheritance  string   `json:"inheritance,omitempty"`
}

// OOBValue is the result of OpOOBAppPoolGet and OpOOBAnonAuthGet.
type OOBValue struct {
	Value string `json:"value"`
}
