// Package firewall is the typed host operations on Windows Defender
// Firewall rules: one function per hostapi operation, Go structs in and
// out, and the normalisation of what Windows returns into the canonical
// form of internal/fwrule, so that callers compare a rule read from the
// host with a configuration without caring how Windows spells it.
//
// It knows nothing of Terraform; the value rules themselves live in
// internal/fwrule, which the pure risk package shares.
package firewall

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/fwrule"
	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// Caller runs one operation on a host; *remote.Client is one.
type Caller interface {
	Call(ctx context.Context, op string, args, result any) error
}

// Rule is a firewall rule as the host holds it, in canonical form
// (fwrule.Normalize): sorted lists, masked IPv4 subnets, Any for unset
// filters. A value Windows returned that fwrule cannot read is kept as
// Windows wrote it, so nothing is lost or invented.
type Rule struct {
	fwrule.RuleSpec
	// DisplayGroup is the group as people see it. Stock rules keep an
	// indirect string in Group ("@FirewallAPI.dll,-28752") and the
	// resolved name here; for rules made with -Group they are the same.
	DisplayGroup string
}

// Filter narrows List. Empty strings and a nil Enabled do not filter.
type Filter struct {
	Group     string // matches Group or DisplayGroup, exactly
	Direction string // Inbound or Outbound
	Enabled   *bool
}

// InvalidRuleError is a rule Windows would refuse, found before any call
// to the host.
type InvalidRuleError struct {
	Name     string
	Problems []fwrule.Problem
}

func (e *InvalidRuleError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("firewall rule %q is not valid: %s", e.Name, strings.Join(lines, "; "))
}

// ErrEmptyName is returned before any host call when an operation that
// selects one rule gets no name. Remove-NetFirewallRule without a selector
// deletes every rule on the host, so an empty name must never travel.
var ErrEmptyName = errors.New("a firewall rule name is required: without one, Remove-NetFirewallRule would delete every rule on the host")

// IsNotFound reports whether err says the rule does not exist.
func IsNotFound(err error) bool { return remote.IsKind(err, protocol.NotFound) }

// IsAlreadyExists reports whether err says the name is already taken.
func IsAlreadyExists(err error) bool { return remote.IsKind(err, protocol.AlreadyExists) }

func checkName(name string) error {
	if strings.TrimSpace(name) == "" {
		return ErrEmptyName
	}
	return nil
}

// Get reads one rule by its unique name. A missing rule is an error for
// which IsNotFound is true.
func Get(ctx context.Context, c Caller, name string) (Rule, error) {
	if err := checkName(name); err != nil {
		return Rule{}, err
	}
	var w hostapi.FirewallRule
	if err := c.Call(ctx, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: name}, &w); err != nil {
		return Rule{}, fmt.Errorf("read firewall rule %q: %w", name, err)
	}
	return FromWire(w), nil
}

// List reads the host's rules that match f, in the host's order, with one
// bulk read per filter kind on the host whatever the number of rules.
func List(ctx context.Context, c Caller, f Filter) ([]Rule, error) {
	args := hostapi.FirewallRuleFilter{Group: f.Group, Direction: f.Direction}
	if f.Enabled != nil {
		args.Enabled = enabledText(*f.Enabled)
	}
	var res hostapi.FirewallRuleList
	if err := c.Call(ctx, hostapi.OpFirewallRuleList, args, &res); err != nil {
		return nil, fmt.Errorf("list firewall rules: %w", err)
	}
	out := make([]Rule, len(res.Rules))
	for i, w := range res.Rules {
		out[i] = FromWire(w)
	}
	return out, nil
}

// Create makes the rule and returns it as the host reads it back. The spec
// is checked against Windows' rules first; a name already in use is an
// error for which IsAlreadyExists is true, never an adoption of that rule.
func Create(ctx context.Context, c Caller, spec fwrule.RuleSpec) (Rule, error) {
	w, err := toWire(spec)
	if err != nil {
		return Rule{}, err
	}
	var got hostapi.FirewallRule
	if err := c.Call(ctx, hostapi.OpFirewallRuleCreate, w, &got); err != nil {
		return Rule{}, fmt.Errorf("create firewall rule %q: %w", spec.Name, err)
	}
	return FromWire(got), nil
}

// Update sets every attribute of the named rule but its group, in place,
// and returns it as read back. Windows cannot change a rule's group: a
// spec with another group fails on the host with invalid_argument, and the
// caller must delete and recreate the rule instead.
func Update(ctx context.Context, c Caller, spec fwrule.RuleSpec) (Rule, error) {
	w, err := toWire(spec)
	if err != nil {
		return Rule{}, err
	}
	var got hostapi.FirewallRule
	if err := c.Call(ctx, hostapi.OpFirewallRuleUpdate, w, &got); err != nil {
		return Rule{}, fmt.Errorf("update firewall rule %q: %w", spec.Name, err)
	}
	return FromWire(got), nil
}

// Delete removes the one rule with that name. An empty or blank name is
// refused here, before the host is asked (the agent refuses it too).
func Delete(ctx context.Context, c Caller, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := c.Call(ctx, hostapi.OpFirewallRuleDelete, hostapi.FirewallRuleName{Name: name}, nil); err != nil {
		return fmt.Errorf("delete firewall rule %q: %w", name, err)
	}
	return nil
}
