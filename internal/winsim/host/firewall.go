package host

import (
	"context"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// Rule names work like file names (one per store), so they compare
// without regard to case.
func findRule(s *State, name string) int {
	return slices.IndexFunc(s.Firewall, func(r FWRule) bool { return strings.EqualFold(r.Name, name) })
}

func ruleNotFound(name string) error {
	return errf(protocol.NotFound, "No MSFT_NetFirewallRule objects found with property 'InstanceID' equal to '%s'.  Verify the value of the property and retry.", name)
}

// FirewallRules returns every rule in the persistent store, in store order.
func (h *Host) FirewallRules(ctx context.Context) ([]FWRule, error) {
	var out []FWRule
	err := h.view(ctx, func(s *State) error {
		out = slices.Clone(s.Firewall)
		return nil
	})
	return out, err
}

// FirewallRule returns the rule with that Name.
func (h *Host) FirewallRule(ctx context.Context, name string) (FWRule, error) {
	var out FWRule
	err := h.view(ctx, func(s *State) error {
		i := findRule(s, name)
		if i < 0 {
			return ruleNotFound(name)
		}
		out = s.Firewall[i]
		return nil
	})
	return out, err
}

// AddFirewallRule stores a rule. It checks only what the store itself
// enforces (a unique Name, a DisplayName that is present and not "All");
// the value checks of New-NetFirewallRule belong to the operation that
// calls it.
func (h *Host) AddFirewallRule(ctx context.Context, r FWRule) error {
	if r.Name == "" || r.DisplayName == "" || strings.EqualFold(r.DisplayName, "All") {
		return errf(protocol.InvalidArgument, "A firewall rule needs a Name and a DisplayName other than 'All'.")
	}
	return h.update(ctx, func(s *State) error {
		if findRule(s, r.Name) >= 0 {
			return errf(protocol.AlreadyExists, "Cannot create a file when that file already exists.")
		}
		s.Firewall = append(s.Firewall, r)
		return nil
	})
}

// ReplaceFirewallRule overwrites the stored rule of the same Name.
func (h *Host) ReplaceFirewallRule(ctx context.Context, r FWRule) error {
	return h.update(ctx, func(s *State) error {
		i := findRule(s, r.Name)
		if i < 0 {
			return ruleNotFound(r.Name)
		}
		s.Firewall[i] = r
		return nil
	})
}

// SetFirewallRuleEnabled enables or disables a rule.
func (h *Host) SetFirewallRuleEnabled(ctx context.Context, name string, enabled bool) error {
	return h.update(ctx, func(s *State) error {
		i := findRule(s, name)
		if i < 0 {
			return ruleNotFound(name)
		}
		s.Firewall[i].Enabled = enabled
		return nil
	})
}

// RemoveFirewallRule deletes one rule. An empty name is refused: the real
// Remove-NetFirewallRule with no selector deletes every rule.
func (h *Host) RemoveFirewallRule(ctx context.Context, name string) error {
	if name == "" {
		return errf(protocol.InvalidArgument, "refusing to remove a firewall rule without a name")
	}
	return h.update(ctx, func(s *State) error {
		i := findRule(s, name)
		if i < 0 {
			return ruleNotFound(name)
		}
		s.Firewall = slices.Delete(s.Firewall, i, i+1)
		return nil
	})
}
