# Policy for the JSON of `terraform show -json <planfile>` with the iis
# provider, for OPA or conftest. The provider computes privilege and
# exposure at plan time, so the plan itself carries the levels and their
# reasons: this policy only compares them.
#
#   opa eval --format pretty --data iis.rego --input plan.json 'data.iis.deny'
#   conftest test --policy . --namespace iis plan.json
#
# deny: a created or updated resource above the ceilings below, unless the
#       resource accepts that level in code (accept_privilege or
#       accept_exposure, the provider's guardrail attributes), and any level
#       the plan cannot show yet (fail closed).
# warn: every rise in privilege or exposure, and drift found by the refresh
#       that raised a level behind Terraform's back.
package iis

import rego.v1

# The ceilings. Override them with --data, or edit them here.
default max_privilege := "medium"

max_privilege := data.iis_settings.max_privilege

default max_exposure := "medium"

max_exposure := data.iis_settings.max_exposure

privilege_rank := {"least": 0, "low": 1, "medium": 2, "high": 3, "full": 4}

# Outbound levels rank with the inbound ones they are closest to: Windows
# allows outbound traffic by default, so an outbound allow rule is at most
# medium.
exposure_rank := {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4, "egress-low": 1, "egress": 2}

measures := [
	{"level": "privilege", "reason": "privilege_reason", "accept": "accept_privilege", "rank": privilege_rank, "max": max_privilege},
	{"level": "exposure", "reason": "exposure_reason", "accept": "accept_exposure", "rank": exposure_rank, "max": max_exposure},
]

# iis resources this plan creates or updates (a replace included).
planned contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
	startswith(rc.type, "iis_")
	some action in rc.change.actions
	action in {"create", "update"}
}

deny contains msg if {
	some rc in planned
	some m in measures
	level := rc.change.after[m.level]
	m.rank[level] > m.rank[m.max]
	not accepted(rc.change.after, m, level)
	msg := sprintf("%s: %s %s is above the ceiling %s and the resource does not set %s = %q: %s",
		[rc.address, m.level, level, m.max, m.accept, level, rc.change.after[m.reason]])
}

deny contains msg if {
	some rc in planned
	some m in measures
	rc.change.after_unknown[m.level] == true
	msg := sprintf("%s: %s is known only after apply, so this plan cannot show it stays within %s", [rc.address, m.level, m.max])
}

accepted(after, m, level) if {
	m.rank[after[m.accept]] >= m.rank[level]
}

warn contains msg if {
	some rc in planned
	some m in measures
	rises(rc.change, m)
	msg := sprintf("%s: %s rises from %s to %s: %s",
		[rc.address, m.level, before_level(rc.change, m), rc.change.after[m.level], rc.change.after[m.reason]])
}

warn contains msg if {
	some rc in input.resource_drift
	startswith(rc.type, "iis_")
	some m in measures
	rises(rc.change, m)
	msg := sprintf("%s: changed outside Terraform, %s rose from %s to %s: %s",
		[rc.address, m.level, before_level(rc.change, m), rc.change.after[m.level], rc.change.after[m.reason]])
}

# A create rises from nothing: least privilege, no exposure.
before_level(change, m) := change.before[m.level] if change.before[m.level]

else := "none" if m.level == "exposure"

else := "least"

rises(change, m) if {
	m.rank[change.after[m.level]] > m.rank[before_level(change, m)]
}
