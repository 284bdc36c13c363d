package host

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// siteAdminUsage documents siteAdminCommands: what an administrator does
// with IIS Manager, Explorer's Security tab, icacls and the certificate
// snap-in.
const siteAdminUsage = `  start-site NAME | stop-site NAME
  set-site-path NAME PHYSICAL_PATH
  set-site-binding NAME PROTOCOL IP PORT [HOST]   replaces every binding (http only)
  add-cert STORE THUMBPRINT SUBJECT     LocalMachine\My or WebHosting
  mkdir PATH                            with missing parents, inheriting
  rmdir PATH
  acl PATH                              the ACL as icacls shows it
  grant PATH IDENTITY RIGHTS            explicit Allow, (OI)(CI): RIGHTS is
                                        ReadAndExecute, Modify or FullControl
  revoke PATH IDENTITY                  remove IDENTITY's explicit Allow rules
  protect PATH | inherit PATH           inheritance off (keeping copies) or on
`

func siteAdminCommands() map[string]adminCommand {
	none := func(f func(ctx context.Context, h *Host, a []string) error) func(context.Context, *Host, []string, io.Writer) error {
		return func(ctx context.Context, h *Host, a []string, _ io.Writer) error { return f(ctx, h, a) }
	}
	return map[string]adminCommand{
		"start-site": {1, 1, none(func(ctx context.Context, h *Host, a []string) error { return h.SetSiteState(ctx, a[0], true) })},
		"stop-site":  {1, 1, none(func(ctx context.Context, h *Host, a []string) error { return h.SetSiteState(ctx, a[0], false) })},
		"set-site-path": {2, 2, none(func(ctx context.Context, h *Host, a []string) error {
			return h.SetSitePhysicalPath(ctx, a[0], a[1])
		})},
		"set-site-binding": {4, 5, none(func(ctx context.Context, h *Host, a []string) error {
			port, err := strconv.Atoi(a[3])
			if err != nil {
				return errf(protocol.InvalidArgument, "port %q is not a number", a[3])
			}
			b := hostapi.Binding{Protocol: a[1], IPAddress: a[2], Port: port}
			if len(a) == 5 {
				b.HostName = a[4]
			}
			return h.SetSiteBindings(ctx, a[0], []hostapi.Binding{b})
		})},
		"add-cert": {3, 3, none(func(ctx context.Context, h *Host, a []string) error { return h.AddCertificate(ctx, a[0], a[1], a[2]) })},
		"mkdir":    {1, 1, none(func(ctx context.Context, h *Host, a []string) error { return h.MakeDir(ctx, a[0]) })},
		"rmdir":    {1, 1, none(func(ctx context.Context, h *Host, a []string) error { return h.RemoveDir(ctx, a[0]) })},
		"acl":      {1, 1, showACL},
		"grant": {3, 3, none(func(ctx context.Context, h *Host, a []string) error {
			rights, err := grantRights(a[2])
			if err != nil {
				return err
			}
			return h.SetAccessRule(ctx, a[0], a[1], rights, "Allow", hostapi.GrantInheritance)
		})},
		"revoke":  {2, 2, none(func(ctx context.Context, h *Host, a []string) error { return h.RemoveAccessRules(ctx, a[0], a[1]) })},
		"protect": {1, 1, none(func(ctx context.Context, h *Host, a []string) error { return h.SetInheritance(ctx, a[0], true, true) })},
		"inherit": {1, 1, none(func(ctx context.Context, h *Host, a []string) error { return h.SetInheritance(ctx, a[0], false, false) })},
	}
}

// showACL prints a directory's ACL in icacls' notation: (I) inherited,
// (OI)(CI) inheritance, (IO) inherit only, (F)/(M)/(RX) rights.
func showACL(ctx context.Context, h *Host, a []string, out io.Writer) error {
	acl, err := h.ACL(ctx, a[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s  owner %s", acl.Path, acl.Owner)
	if acl.Protected {
		fmt.Fprint(out, "  (inheritance off)")
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, e := range acl.Entries {
		fmt.Fprintf(tw, "  %s\t%s\n", e.Identity, icaclsFlags(e))
	}
	return tw.Flush()
}

func icaclsFlags(e hostapi.ACE) string {
	var b strings.Builder
	if e.Type == "Deny" {
		b.WriteString("(DENY)")
	}
	if e.Inherited {
		b.WriteString("(I)")
	}
	if strings.Contains(e.InheritanceFlags, "ObjectInherit") {
		b.WriteString("(OI)")
	}
	if strings.Contains(e.InheritanceFlags, "ContainerInherit") {
		b.WriteString("(CI)")
	}
	switch e.PropagationFlags {
	case propIO:
		b.WriteString("(IO)")
	case propNP:
		b.WriteString("(NP)")
	}
	switch {
	case strings.HasPrefix(e.Rights, "FullControl"):
		b.WriteString("(F)")
	case strings.HasPrefix(e.Rights, "Modify"):
		b.WriteString("(M)")
	case strings.HasPrefix(e.Rights, "ReadAndExecute"):
		b.WriteString("(RX)")
	case strings.HasPrefix(e.Rights, "AppendData"):
		b.WriteString("(AD)")
	default:
		b.WriteString("(" + e.Rights + ")")
	}
	return b.String()
}
