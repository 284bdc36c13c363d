package host

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// showHost prints what an administrator would check first: the machine,
// who the pools and anonymous requests run as, who is an administrator,
// and which firewall rules are open. Secrets are never printed.
func showHost(ctx context.Context, h *Host, out io.Writer) error {
	s, err := h.Snapshot(ctx)
	if err != nil {
		return err
	}
	sys := s.System
	joined := "workgroup"
	if sys.DomainJoined {
		joined = "domain"
	}
	fmt.Fprintf(out, "Computer   %s (%s %s)\n", sys.ComputerName, joined, sys.Domain)
	lang := ""
	if sys.LanguageMode != "" {
		lang = " in " + sys.LanguageMode
	}
	fmt.Fprintf(out, "OS         %s %s, IIS %d.%d, PowerShell %s%s\n\n", sys.OSCaption, sys.OSVersion, sys.IISMajor, sys.IISMinor, sys.PSVersion, lang)

	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APP POOL\tSTATE\tIDENTITY\tRUNTIME\tPIPELINE")
	for _, p := range s.IIS.Pools {
		e := effective(poolSchema, s.IIS.PoolDefaults, p.Attrs)
		id := e["processModel.identityType"]
		if id == "SpecificUser" {
			id += " " + e["processModel.userName"]
		}
		rt := e["managedRuntimeVersion"]
		if rt == "" {
			rt = "No Managed Code"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.State, id, rt, e["managedPipelineMode"])
	}
	tw.Flush()
	fmt.Fprintln(out)

	fmt.Fprintln(tw, "SITE\tID\tBINDINGS\tAPPLICATION\tPOOL")
	for _, site := range s.IIS.Sites {
		var b []string
		for _, x := range site.Bindings {
			b = append(b, x.Protocol+" "+x.BindingInformation)
		}
		for _, a := range site.Applications {
			pool := a.ApplicationPool
			if pool == "" {
				pool = s.IIS.DefaultAppPoolForApps
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", site.Name, site.ID, strings.Join(b, ","), a.Path, pool)
		}
	}
	tw.Flush()
	fmt.Fprintln(out)

	anon := s.IIS.AnonymousAuth
	fmt.Fprintf(out, "Anonymous authentication (overrideModeDefault=%s)\n", anon.OverrideModeDefault)
	fmt.Fprintf(out, "  server: %s\n", showAttrs(anon.Server))
	for _, l := range anon.Locations {
		fmt.Fprintf(out, "  %s: %s\n", l.Path, showAttrs(l.Attrs))
	}
	fmt.Fprintln(out)

	fmt.Fprintln(tw, "USER\tENABLED\tSID")
	for _, u := range s.Accounts.Users {
		fmt.Fprintf(tw, "%s\t%t\t%s\n", u.Name, !u.Disabled, u.SID)
	}
	tw.Flush()
	fmt.Fprintln(out)
	fmt.Fprintln(tw, "GROUP\tMEMBERS")
	for _, g := range s.Accounts.Groups {
		fmt.Fprintf(tw, "%s\t%s\n", g.Name, strings.Join(g.Members, ", "))
	}
	tw.Flush()
	fmt.Fprintln(out)

	fmt.Fprintln(tw, "FIREWALL RULE\tENABLED\tDIR\tACTION\tPROTOCOL\tLOCAL PORT\tREMOTE ADDRESS\tPROFILE")
	for _, r := range s.Firewall {
		fmt.Fprintf(tw, "%s\t%t\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Enabled, r.Direction, r.Action,
			anyIfEmpty(r.Protocol), anyList(r.LocalPorts), anyList(r.RemoteAddresses), anyList(r.Profiles))
	}
	return tw.Flush()
}

// showAttrs prints attributes in name order; sealed secrets show as set.
func showAttrs(a Attrs) string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := a[k]
		if strings.HasPrefix(v, "[enc:") {
			v = "(set)"
		}
		parts = append(parts, fmt.Sprintf("%s=%q", k, v))
	}
	if len(parts) == 0 {
		return "(nothing set)"
	}
	return strings.Join(parts, " ")
}

func anyIfEmpty(s string) string {
	if s == "" {
		return "Any"
	}
	return s
}

func anyList(l []string) string {
	if len(l) == 0 {
		return "Any"
	}
	return strings.Join(l, ",")
}
