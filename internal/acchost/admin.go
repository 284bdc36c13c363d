package acchost

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// Prefix starts the name of everything the acceptance tests create on a
// real host; Cleanup removes exactly what carries it.
const Prefix = "tfacc-"

// Admin runs out-of-band changes on one host. Its methods that change IIS,
// accounts and directories have the signatures of the simulator's admin
// API (winsim/host.Host), so a test can make the same change on either
// host through one interface.
type Admin struct {
	c caller
}

// caller is what Admin needs of a remote.Client.
type caller interface {
	Call(ctx context.Context, op string, args, result any) error
}

// New connects to the host cfg names with the out-of-band agent; cfg's own
// Scripts are replaced. The pool owns the connection.
func New(pool *remote.Pool, cfg remote.Config) (*Admin, error) {
	s, err := Scripts()
	if err != nil {
		return nil, err
	}
	cfg.Scripts = s
	c, err := pool.Client(cfg)
	if err != nil {
		return nil, fmt.Errorf("acchost: connect to %s: %w", cfg.Host, err)
	}
	return &Admin{c: c}, nil
}

// WidenFirewallRule opens rule name to every remote address and, when
// localPorts is not empty, to those local ports, with Set-NetFirewallRule.
func (a *Admin) WidenFirewallRule(ctx context.Context, name string, localPorts []string) error {
	return a.do(ctx, fmt.Sprintf("widen firewall rule %q", name), hostapi.OpOOBFirewallWiden, map[string]any{"name": name, "local_port": localPorts})
}

// RemoveFirewallRule deletes rule name with Remove-NetFirewallRule.
func (a *Admin) RemoveFirewallRule(ctx context.Context, name string) error {
	return a.do(ctx, fmt.Sprintf("remove firewall rule %q", name), hostapi.OpOOBFirewallRemove, map[string]any{"name": name})
}

// do runs one out-of-band operation; what says what it was for the error.
func (a *Admin) do(ctx context.Context, what, op string, args map[string]any) error {
	if err := a.c.Call(ctx, op, args, nil); err != nil {
		return fmt.Errorf("%s out of band: %w", what, err)
	}
	return nil
}

// AddAppPool creates a pool with New-WebAppPool.
func (a *Admin) AddAppPool(ctx context.Context, name string) error {
	return a.do(ctx, "add application pool "+name, hostapi.OpOOBAppPoolAdd, map[string]any{"pool": name})
}

// RemoveAppPool deletes a pool with Remove-WebAppPool.
func (a *Admin) RemoveAppPool(ctx context.Context, name string) error {
	return a.do(ctx, "remove application pool "+name, hostapi.OpOOBAppPoolRemove, map[string]any{"pool": name})
}

// SetAppPoolAttr sets one attribute by its configuration name
// (processModel.identityType) with Set-ItemProperty IIS:\AppPools\<pool>.
func (a *Admin) SetAppPoolAttr(ctx context.Context, pool, attr, value string) error {
	return a.do(ctx, "set "+attr+" of application pool "+pool, hostapi.OpOOBAppPoolSet,
		map[string]any{"pool": pool, "attribute": attr, "value": value})
}

// AppPoolValue reads one attribute with Get-ItemProperty, as text.
func (a *Admin) AppPoolValue(ctx context.Context, pool, attr string) (string, error) {
	var r hostapi.OOBValue
	if err := a.c.Call(ctx, hostapi.OpOOBAppPoolGet, map[string]any{"pool": pool, "attribute": attr}, &r); err != nil {
		return "", fmt.Errorf("read %s of application pool %s out of band: %w", attr, pool, err)
	}
	return r.Value, nil
}

// AddUser creates a local user with New-LocalUser; the password travels as
// request data, never in a message.
func (a *Admin) AddUser(ctx context.Context, name, password string) error {
	return a.do(ctx, "add local user "+name, hostapi.OpOOBUserAdd, map[string]any{"name": name, "password": password})
}

// RemoveUser deletes a local user with Remove-LocalUser.
func (a *Admin) RemoveUser(ctx context.Context, name string) error {
	return a.do(ctx, "remove local user "+name, hostapi.OpOOBUserRemove, map[string]any{"name": name})
}

// AddGroupMember runs Add-LocalGroupMember.
func (a *Admin) AddGroupMember(ctx context.Context, group, member string) error {
	return a.do(ctx, "add "+member+" to "+group, hostapi.OpOOBGroupAddMember, map[string]any{"group": group, "member": member})
}

// RemoveGroupMember runs Remove-LocalGroupMember.
func (a *Admin) RemoveGroupMember(ctx context.Context, group, member string) error {
	return a.do(ctx, "remove "+member+" from "+group, hostapi.OpOOBGroupRemoveMember, map[string]any{"group": group, "member": member})
}

// AddApplication runs New-WebApplication; an empty physicalPath is the
// directory of the same name under %SystemDrive%\inetpub\wwwroot.
func (a *Admin) AddApplication(ctx context.Context, site, path, pool, physicalPath string) error {
	return a.do(ctx, "add application "+site+path, hostapi.OpOOBApplicationAdd,
		map[string]any{"site": site, "path": path, "pool": pool, "physical_path": physicalPath})
}

// SetApplicationPool moves an application to another pool.
func (a *Admin) SetApplicationPool(ctx context.Context, site, path, pool string) error {
	return a.do(ctx, "move application "+site+path+" to pool "+pool, hostapi.OpOOBApplicationSetPool,
		map[string]any{"site": site, "path": path, "pool": pool})
}

// RemoveApplication runs Remove-WebApplication.
func (a *Admin) RemoveApplication(ctx context.Context, site, path string) error {
	return a.do(ctx, "remove application "+site+path, hostapi.OpOOBApplicationRemove, map[string]any{"site": site, "path": path})
}

// SetAnonymousAuth sets one attribute of anonymousAuthentication at a
// location in applicationHost.config ("" is the server level).
func (a *Admin) SetAnonymousAuth(ctx context.Context, location, attr, value string) error {
	return a.do(ctx, "set anonymous authentication "+attr+" at "+location, hostapi.OpOOBAnonAuthSet,
		map[string]any{"location": location, "attribute": attr, "value": value})
}

// AnonymousAuthValue reads one effective attribute of anonymousAuthentication
// at a location with Get-WebConfigurationProperty; booleans read as
// applicationHost.config writes them ("true", "false").
func (a *Admin) AnonymousAuthValue(ctx context.Context, location, attr string) (string, error) {
	var r hostapi.OOBValue
	if err := a.c.Call(ctx, hostapi.OpOOBAnonAuthGet, map[string]any{"location": location, "attribute": attr}, &r); err != nil {
		return "", fmt.Errorf("read anonymous authentication %s at %s out of band: %w", attr, location, err)
	}
	return r.Value, nil
}

// ClearAnonymousAuth removes a location's own anonymousAuthentication
// settings with Clear-WebConfiguration.
func (a *Admin) ClearAnonymousAuth(ctx context.Context, location string) error {
	return a.do(ctx, "clear anonymous authentication at "+location, hostapi.OpOOBAnonAuthClear, map[string]any{"location": location})
}

// AddSite runs New-Website with one HTTP binding on port 80 for the site's
// name; an empty physicalPath is %SystemDrive%\inetpub\<name>.
func (a *Admin) AddSite(ctx context.Context, name, pool, physicalPath string) error {
	return a.do(ctx, "add site "+name, hostapi.OpOOBSiteAdd, map[string]any{"name": name, "pool": pool, "physical_path": physicalPath})
}

// RemoveSite runs Remove-Website.
func (a *Admin) RemoveSite(ctx context.Context, name string) error {
	return a.do(ctx, "remove site "+name, hostapi.OpOOBSiteRemove, map[string]any{"name": name})
}

// SetSiteState runs Start-Website or Stop-Website.
func (a *Admin) SetSiteState(ctx context.Context, name string, started bool) error {
	return a.do(ctx, "start or stop site "+name, hostapi.OpOOBSiteState, map[string]any{"name": name, "started": started})
}

// MakeDir creates a directory and its parents (New-Item -Force).
func (a *Admin) MakeDir(ctx context.Context, path string) error {
	return a.do(ctx, "create directory "+path, hostapi.OpOOBDirMake, map[string]any{"path": path})
}

// SetAccessRule replaces identity's rules of that type on path with one
// rule: rights, type and inheritance by their .NET enum names.
func (a *Admin) SetAccessRule(ctx context.Context, path, identity, rights, typ, inheritance string) error {
	return a.do(ctx, "set an access rule for "+identity+" on "+path, hostapi.OpOOBACLSetRule,
		map[string]any{"path": path, "identity": identity, "rights": rights, "type": typ, "inheritance": inheritance})
}

// RemoveAccessRules removes every explicit rule of identity on path.
func (a *Admin) RemoveAccessRules(ctx context.Context, path, identity string) error {
	return a.do(ctx, "remove the access rules of "+identity+" on "+path, hostapi.OpOOBACLRemoveRules,
		map[string]any{"path": path, "identity": identity})
}

// Cleanup removes every firewall rule, local user, site, application and
// application pool whose name starts with Prefix, and says what it
// removed. A host without IIS has no pools to remove; any other failure is
// returned after the parts that worked.
func (a *Admin) Cleanup(ctx context.Context) ([]string, error) {
	type result struct {
		Removed []string `json:"removed"`
	}
	var all []string
	var errs []error
	for _, op := range []string{hostapi.OpOOBCleanup, hostapi.OpOOBCleanupIIS} {
		var r result
		if err := a.c.Call(ctx, op, map[string]any{}, &r); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", op, err))
			continue
		}
		all = append(all, r.Removed...)
	}
	return all, errors.Join(errs...)
}

// Describe says what Cleanup removes, for the README and the clean command.
func Describe() string {
	return strings.Join([]string{
		"firewall rules in the PersistentStore named " + Prefix + "*",
		"local users named " + Prefix + "*",
		"IIS sites named " + Prefix + "* and applications whose path starts with /" + Prefix,
		"IIS application pools named " + Prefix + "* (stopped first)",
	}, "; ")
}
