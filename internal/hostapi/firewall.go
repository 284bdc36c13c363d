package hostapi

// Windows Defender Firewall operations. Every operation works on the
// PersistentStore (the local rules New-NetFirewallRule writes, and what the
// Get cmdlets read without -PolicyStore); GPO rules are out of scope.
const (
	// OpFirewallRuleGet takes FirewallRuleName and returns FirewallRule, or
	// fails with not_found when no rule has that name.
	OpFirewallRuleGet = "firewall.rule.get"
	// OpFirewallRuleList takes FirewallRuleFilter and returns
	// FirewallRuleList. It reads every rule and each filter kind once, and
	// joins them by InstanceID, so its cost follows the number of rules on
	// the host, not the number returned.
	OpFirewallRuleList = "firewall.rule.list"
	// OpFirewallRuleCreate takes FirewallRule and returns the rule as read
	// back. It fails with already_exists when the name is taken (names are
	// unique in a store, display names are not) and with invalid_argument
	// when Windows refuses a value.
	OpFirewallRuleCreate = "firewall.rule.create"
	// OpFirewallRuleUpdate takes FirewallRule, sets every attribute but the
	// group on the rule of that name, and returns the rule as read back. It
	// fails with not_found when the rule is gone, and with invalid_argument
	// when the group differs: Windows sets a rule's group only when it is
	// created.
	OpFirewallRuleUpdate = "firewall.rule.update"
	// OpFirewallRuleDelete takes FirewallRuleName and returns nothing. An
	// empty name fails with invalid_argument before any cmdlet runs:
	// Remove-NetFirewallRule without a selector deletes every rule.
	OpFirewallRuleDelete = "firewall.rule.delete"
)

// FirewallRuleName selects one rule by its unique Name (InstanceID). The
// agent escapes wildcard characters, so a name always means that one rule.
type FirewallRuleName struct {
	Name string `json:"name"`
}

// FirewallRuleFilter narrows a list. Empty fields do not filter. Values are
// compared exactly (case-insensitively), never as wildcards.
type FirewallRuleFilter struct {
	// Group matches the rule's Group or its DisplayGroup, so both the
	// indirect string of stock rules ("@FirewallAPI.dll,-28752") and the
	// name people see ("Remote Desktop") find them.
	Group     string `json:"group,omitempty"`
	Direction string `json:"direction,omitempty"` // Inbound or Outbound
	Enabled   string `json:"enabled,omitempty"`   // True or False
}

// FirewallRuleList is the result of a list, in the host's order.
type FirewallRuleList struct {
	Rules []FirewallRule `json:"rules"`
}

// FirewallRule is a rule with its filters joined in, in the shape Windows
// returns it, so the simulator and the agent must agree on this and not on
// any canonical form:
//   - enums as their names (Enabled is the string True or False);
//   - Profile and InterfaceType as one comma-separated string
//     ("Domain, Private", "Any");
//   - lists in the host's order, an unset filter as ["Any"];
//   - IPv4 subnets masked with a dotted mask (10.1.2.3/8 reads
//     10.0.0.0/255.0.0.0), IPv6 prefixes and ranges as given;
//   - Program and Service "Any" when unset.
//
// As arguments of create and update the same shape carries the values to
// pass to New-/Set-NetFirewallRule; lists may be in any order and use any
// spelling the cmdlets accept. DisplayGroup is read-only.
type FirewallRule struct {
	Name          string `json:"name"`
	DisplayName   string `json:"display_name"`
	Description   string `json:"description"`
	Group         string `json:"group"`
	DisplayGroup  string `json:"display_group,omitempty"`
	Enabled       string `json:"enabled"`   // True or False
	Direction     string `json:"direction"` // Inbound or Outbound
	Action        string `json:"action"`    // Allow, Block or NotConfigured
	Profile       string `json:"profile"`   // "Any", or "Domain, Private, Public" and subsets
	EdgeTraversal string `json:"edge_traversal_policy"`

	Protocol   string   `json:"protocol"` // TCP, UDP, ICMPv4, ICMPv6, Any, or a number
	LocalPort  []string `json:"local_port"`
	RemotePort []string `json:"remote_port"`
	IcmpType   []string `json:"icmp_type"`

	LocalAddress  []string `json:"local_address"`
	RemoteAddress []string `json:"remote_address"`

	Program       string `json:"program"`
	Service       string `json:"service"`
	InterfaceType string `json:"interface_type"` // "Any", or "Wired, Wireless" and subsets
}
