package host

import (
	"strings"
	"unicode"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// The NetSecurity cmdlets as the firewall store sees them. The operation
// handlers (firewall_ops.go) call these the way the PowerShell agent calls
// the real cmdlets, so the simulator also shows what a careless call would
// do: -Name is a wildcard pattern, and Remove-NetFirewallRule without a
// selector deletes every rule.

// FWParams are parameters of New-/Set-NetFirewallRule as PowerShell binds
// them: strings, and string lists for the filters. A nil field was not
// passed.
type FWParams struct {
	DisplayName         *string
	Description         *string
	Group               *string // New-NetFirewallRule only
	Enabled             *string // True or False
	Direction           *string
	Action              *string
	Profile             []string
	EdgeTraversalPolicy *string
	Protocol            *string
	LocalPort           []string
	RemotePort          []string
	IcmpType            []string
	LocalAddress        []string
	RemoteAddress       []string
	Program             *string
	Service             *string
	InterfaceType       []string
}

// Str returns a pointer to s, for building FWParams.
func Str(s string) *string { return &s }

// applyParams sets the passed parameters on r, each converted as the
// cmdlet would, then checks the rule as a whole as the firewall service
// does. r is left unchanged on error.
func applyParams(r *FWRule, p FWParams) error {
	next := *r
	next.Profiles = append([]string(nil), r.Profiles...)
	if p.DisplayName != nil {
		next.DisplayName = *p.DisplayName
	}
	if p.Description != nil {
		next.Description = *p.Description
	}
	if p.Group != nil {
		next.Group, next.DisplayGroup = *p.Group, *p.Group
	}
	steps := []func() error{
		func() (err error) {
			if p.Enabled == nil {
				return nil
			}
			v, err := winEnum("Enabled", "Enabled", *p.Enabled, []string{"True", "False"})
			next.Enabled = v == "True"
			return err
		},
		enumStep("Direction", "Direction", p.Direction, []string{"Inbound", "Outbound"}, &next.Direction),
		enumStep("Action", "Action", p.Action, []string{"NotConfigured", "Allow", "Block"}, &next.Action),
		enumStep("EdgeTraversalPolicy", "EdgeTraversal", p.EdgeTraversalPolicy, []string{"Block", "Allow", "DeferToUser", "DeferToApp"}, &next.EdgeTraversalPolicy),
		func() (err error) {
			if p.Profile != nil {
				next.Profiles, err = winFlags("Profile", "Profile", p.Profile, profileFlags, "NotApplicable")
			}
			return err
		},
		func() (err error) {
			if p.InterfaceType != nil {
				next.InterfaceTypes, err = winFlags("InterfaceType", "InterfaceType", p.InterfaceType, interfaceFlags)
			}
			return err
		},
		func() (err error) {
			if p.Protocol != nil {
				next.Protocol, err = winProtocol(*p.Protocol)
			}
			return err
		},
		listStep(p.LocalPort, &next.LocalPorts, func(v []string) ([]string, error) { return winPorts(v, localPortKeywords) }),
		listStep(p.RemotePort, &next.RemotePorts, func(v []string) ([]string, error) { return winPorts(v, remotePortKeywords) }),
		listStep(p.IcmpType, &next.IcmpTypes, winIcmpTypes),
		listStep(p.LocalAddress, &next.LocalAddresses, func(v []string) ([]string, error) { return winAddresses(v, false) }),
		listStep(p.RemoteAddress, &next.RemoteAddresses, func(v []string) ([]string, error) { return winAddresses(v, true) }),
		func() error {
			if p.Program != nil {
				next.Program = anyToEmpty(*p.Program)
			}
			if p.Service != nil {
				next.Service = anyToEmpty(*p.Service)
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if err := checkRule(next); err != nil {
		return err
	}
	*r = next
	return nil
}

func enumStep(param, typeName string, value *string, names []string, field *string) func() error {
	return func() error {
		if value == nil {
			return nil
		}
		v, err := winEnum(param, typeName, *value, names)
		if err == nil {
			*field = v
		}
		return err
	}
}

func listStep(values []string, field *[]string, conv func([]string) ([]string, error)) func() error {
	return func() error {
		if values == nil {
			return nil
		}
		v, err := conv(values)
		if err == nil {
			*field = v
		}
		return err
	}
}

func anyToEmpty(s string) string {
	if t := strings.TrimSpace(s); t == "" || strings.EqualFold(t, "Any") {
		return ""
	}
	return s
}

// checkRule applies the firewall service's checks of a whole rule.
func checkRule(r FWRule) error {
	switch {
	case strings.TrimSpace(r.DisplayName) == "":
		return invalid(msgDisplayNameEmpty)
	case strings.EqualFold(strings.TrimSpace(r.DisplayName), "All"):
		return invalid(msgDisplayNameAll)
	case strings.Contains(r.DisplayName, "|") || strings.Contains(r.Description, "|"):
		return invalid(msgPipeCharacter)
	}
	ports := r.Protocol == "TCP" || r.Protocol == "UDP"
	if (len(r.LocalPorts) > 0 || len(r.RemotePorts) > 0) && !ports {
		return invalid(msgProtocolOptions)
	}
	for _, kwSet := range []struct {
		list []string
		kws  map[string]string
	}{{r.LocalPorts, localPortKeywords}, {r.RemotePorts, remotePortKeywords}} {
		for _, p := range kwSet.list {
			if need, ok := kwSet.kws[p]; ok && need != r.Protocol {
				return invalid(msgPortKeyword)
			}
		}
	}
	if len(r.IcmpTypes) > 0 && r.Protocol != "ICMPv4" && r.Protocol != "ICMPv6" {
		return invalid(msgProtocolOptions)
	}
	edge := r.EdgeTraversalPolicy
	if edge != "" && edge != "Block" && r.Direction == "Outbound" {
		return invalid(msgEdgeOutbound)
	}
	if edge == "DeferToUser" && (r.Program == "" || !ports) {
		return invalid(msgDeferToUser)
	}
	return nil
}

// newNetFirewallRule is New-NetFirewallRule -Name name: the name is taken
// literally (it is not a pattern here) and must be unique in the store.
// Defaults are Windows': Inbound, Allow, enabled, Any everywhere.
func newNetFirewallRule(s *State, name string, p FWParams) (FWRule, error) {
	if findRule(s, name) >= 0 {
		return FWRule{}, errf(protocol.AlreadyExists, "Cannot create a file when that file already exists.")
	}
	r := FWRule{Name: name, Enabled: true, Direction: "Inbound", Action: "Allow", EdgeTraversalPolicy: "Block"}
	if err := applyParams(&r, p); err != nil {
		return FWRule{}, err
	}
	s.Firewall = append(s.Firewall, r)
	return r, nil
}

// getNetFirewallRule is Get-NetFirewallRule -Name pattern: the indexes of
// the matching rules in store order. A pattern without wildcards that
// matches nothing is ObjectNotFound, as on Windows; a wildcard pattern that
// matches nothing is an empty result.
func getNetFirewallRule(s *State, pattern string) ([]int, error) {
	var out []int
	for i, r := range s.Firewall {
		if wildcardMatch(pattern, r.Name) {
			out = append(out, i)
		}
	}
	if len(out) == 0 && !hasWildcard(pattern) {
		return nil, ruleNotFound(unescapeWildcard(pattern))
	}
	return out, nil
}

// setNetFirewallRule is Set-NetFirewallRule -Name pattern: every matching
// rule gets the parameters.
func setNetFirewallRule(s *State, pattern string, p FWParams) error {
	idx, err := getNetFirewallRule(s, pattern)
	if err != nil {
		return err
	}
	for _, i := range idx {
		if err := applyParams(&s.Firewall[i], p); err != nil {
			return err
		}
	}
	return nil
}

// removeNetFirewallRule is Remove-NetFirewallRule. With a nil or empty
// selector it does what Windows does: it deletes every static rule in the
// store. Callers must make that impossible; the agent's guard exists for
// exactly this.
func removeNetFirewallRule(s *State, pattern *string) error {
	if pattern == nil || *pattern == "" {
		s.Firewall = []FWRule{}
		return nil
	}
	idx, err := getNetFirewallRule(s, *pattern)
	if err != nil {
		return err
	}
	keep := s.Firewall[:0:0]
	drop := map[int]bool{}
	for _, i := range idx {
		drop[i] = true
	}
	for i, r := range s.Firewall {
		if !drop[i] {
			keep = append(keep, r)
		}
	}
	s.Firewall = keep
	return nil
}

// escapeWildcard is what the agent does to a name before -Name: a backtick
// before each of ` * ? [ ].
func escapeWildcard(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune("`*?[]", r) {
			b.WriteByte('`')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unescapeWildcard(p string) string {
	var b strings.Builder
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '`' && i+1 < len(rs) {
			i++
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

func hasWildcard(p string) bool {
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '`':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// wildcardMatch is PowerShell's WildcardPattern with IgnoreCase: * any run,
// ? one character, [abc] and [a-z] one of a set, ` escapes the next
// character.
func wildcardMatch(pattern, name string) bool {
	return matchRunes([]rune(pattern), []rune(name))
}

func matchRunes(p, s []rune) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := 0; i <= len(s); i++ {
				if matchRunes(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			p, s = p[1:], s[1:]
		case '[':
			end := closingBracket(p)
			if end < 0 || len(s) == 0 || !inClass(p[1:end], s[0]) {
				return false
			}
			p, s = p[end+1:], s[1:]
		default:
			c := p[0]
			if c == '`' && len(p) > 1 {
				p = p[1:]
				c = p[0]
			}
			if len(s) == 0 || unicode.ToLower(c) != unicode.ToLower(s[0]) {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}

func closingBracket(p []rune) int {
	for i := 1; i < len(p); i++ {
		if p[i] == '`' {
			i++
			continue
		}
		if p[i] == ']' {
			return i
		}
	}
	return -1
}

func inClass(class []rune, c rune) bool {
	c = unicode.ToLower(c)
	for i := 0; i < len(class); i++ {
		lo := class[i]
		if lo == '`' && i+1 < len(class) {
			i++
			lo = class[i]
		}
		hi := lo
		if i+2 < len(class) && class[i+1] == '-' {
			hi = class[i+2]
			i += 2
		}
		if unicode.ToLower(lo) <= c && c <= unicode.ToLower(hi) {
			return true
		}
	}
	return false
}
