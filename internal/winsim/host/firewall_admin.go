package host

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// firewallAdminUsage documents the firewall admin commands.
const firewallAdminUsage = `  add-rule NAME DISPLAY-NAME [FIELD=VALUE ...]   New-NetFirewallRule -Name NAME
  set-rule NAME FIELD=VALUE [FIELD=VALUE ...]    Set-NetFirewallRule -Name NAME
      FIELD: enabled direction action protocol local-ports remote-ports
      icmp-types local-addresses remote-addresses profiles program service
      interface-types edge-traversal display-name description (add-rule
      also: group). Lists are comma-separated: remote-addresses=Any,
      local-ports=1024-65535, profiles=Domain,Private
`

// fwAdminFields maps admin field names to the cmdlet parameter they set.
var fwAdminFields = map[string]func(p *FWParams, v string){
	"display-name":     func(p *FWParams, v string) { p.DisplayName = Str(v) },
	"description":      func(p *FWParams, v string) { p.Description = Str(v) },
	"group":            func(p *FWParams, v string) { p.Group = Str(v) },
	"enabled":          func(p *FWParams, v string) { p.Enabled = Str(v) },
	"direction":        func(p *FWParams, v string) { p.Direction = Str(v) },
	"action":           func(p *FWParams, v string) { p.Action = Str(v) },
	"protocol":         func(p *FWParams, v string) { p.Protocol = Str(v) },
	"program":          func(p *FWParams, v string) { p.Program = Str(v) },
	"service":          func(p *FWParams, v string) { p.Service = Str(v) },
	"edge-traversal":   func(p *FWParams, v string) { p.EdgeTraversalPolicy = Str(v) },
	"local-ports":      func(p *FWParams, v string) { p.LocalPort = []string{v} },
	"remote-ports":     func(p *FWParams, v string) { p.RemotePort = []string{v} },
	"icmp-types":       func(p *FWParams, v string) { p.IcmpType = []string{v} },
	"local-addresses":  func(p *FWParams, v string) { p.LocalAddress = []string{v} },
	"remote-addresses": func(p *FWParams, v string) { p.RemoteAddress = []string{v} },
	"profiles":         func(p *FWParams, v string) { p.Profile = []string{v} },
	"interface-types":  func(p *FWParams, v string) { p.InterfaceType = []string{v} },
}

// fwAdminParams parses FIELD=VALUE arguments.
func fwAdminParams(args []string) (FWParams, error) {
	var p FWParams
	for _, a := range args {
		field, value, ok := strings.Cut(a, "=")
		set, known := fwAdminFields[field]
		if !ok || !known {
			names := make([]string, 0, len(fwAdminFields))
			for n := range fwAdminFields {
				names = append(names, n)
			}
			sort.Strings(names)
			return p, fmt.Errorf("%q is not FIELD=VALUE with FIELD one of %s", a, strings.Join(names, ", "))
		}
		set(&p, value)
	}
	return p, nil
}

func adminAddRule(ctx context.Context, h *Host, a []string, out io.Writer) error {
	p, err := fwAdminParams(a[2:])
	if err != nil {
		return err
	}
	p.DisplayName = Str(a[1])
	if err := h.NewFirewallRule(ctx, a[0], p); err != nil {
		return err
	}
	fmt.Fprintf(out, "firewall rule %s created\n", a[0])
	return nil
}

func adminSetRule(ctx context.Context, h *Host, a []string, out io.Writer) error {
	p, err := fwAdminParams(a[1:])
	if err != nil {
		return err
	}
	if err := h.SetFirewallRule(ctx, a[0], p); err != nil {
		return err
	}
	fmt.Fprintf(out, "firewall rule %s changed\n", a[0])
	return nil
}
