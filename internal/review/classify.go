package review

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/risk"
)

// Class says what one change does to privilege or exposure.
type Class string

const (
	Escalation Class = "escalation" // privilege rises
	Widening   Class = "widening"   // exposure widens
	Reduction  Class = "reduction"  // privilege or exposure falls
	Unchanged  Class = "unchanged"  // same level, or a resource with neither
	Unknown    Class = "unknown"    // a level the plan does not show
)

// Measure is the attribute that carries a resource's level.
type Measure string

const (
	MeasureNone      Measure = ""
	MeasurePrivilege Measure = "privilege"
	MeasureExposure  Measure = "exposure"
)

// Side is a resource before or after a change, as far as the report
// reads it.
type Side struct {
	// Present is false where the resource does not exist: before a create,
	// after a delete.
	Present bool
	Level   value
	Reason  value
	Account value // privilege resources only
	// Accept is accept_privilege or accept_exposure: the level the
	// resource's own code accepts despite the provider's guardrail.
	Accept value
}

// Entry is one iis_* change (or drift) as the report shows it.
type Entry struct {
	Address string
	Type    string
	Host    value
	Action  string
	Measure Measure
	Before  Side
	After   Side
	Class   Class
	// Note qualifies the action: a deposed object, an import, a resource
	// removed from Terraform but left on the host.
	Note string
	// Drift entries come from resource_drift: changes made outside
	// Terraform, found by the refresh.
	Drift bool
	// Reverted marks drift that this plan's own changes overwrite, so it is
	// reported but does not count toward --fail-on.
	Reverted bool
	// Gated is set when the entry meets the --fail-on level.
	Gated bool
}

// ownTypes are this provider's resources. Other iis_* types are listed
// only if they carry a privilege or exposure attribute or come from the
// iisguard namespace, so that a different provider that also calls itself
// "iis" does not fill the report with its resources.
var ownTypes = map[string]bool{
	"iis_app_pool":                 true,
	"iis_app_pool_identity":        true,
	"iis_anonymous_authentication": true,
	"iis_firewall_rule":            true,
	"iis_website":                  true,
}

func isOwnType(typ, providerName string) bool {
	return ownTypes[typ] || strings.HasSuffix(providerName, "/iisguard/iis")
}

// entries reads the iis_* entries of resource_changes or resource_drift.
func entries(changes []resourceChange, drift bool) ([]Entry, error) {
	var out []Entry
	for _, rc := range changes {
		if (rc.Mode != "" && rc.Mode != "managed") || !isIISProvider(rc.Type, rc.ProviderName) {
			continue
		}
		action, note := actionName(rc.Change.Actions, len(rc.Change.Importing) > 0 && string(rc.Change.Importing) != "null")
		if action == "no-op" || action == "read" {
			continue
		}
		if rc.Deposed != "" {
			note = joinNote("deposed object "+rc.Deposed, note)
		}
		before, err := readObject(rc.Change.Before, nil, rc.Change.BeforeSensitive)
		if err != nil {
			return nil, fmt.Errorf("%s: change.before is not an object: %w", label(rc.Address), err)
		}
		after, err := readObject(rc.Change.After, rc.Change.AfterUnknown, rc.Change.AfterSensitive)
		if err != nil {
			return nil, fmt.Errorf("%s: change.after is not an object: %w", label(rc.Address), err)
		}
		m := measureOf(before, after)
		if m == MeasureNone && !isOwnType(rc.Type, rc.ProviderName) {
			continue
		}
		e := Entry{Address: rc.Address, Type: rc.Type, Action: action, Measure: m, Note: note, Drift: drift}
		e.Host = before.get("host")
		if after.exists() {
			e.Host = after.get("host")
		}
		e.Before = side(m, before, action != "create")
		switch action {
		case "delete":
			// Destroyed: compared against nothing, so a destroyed open rule
			// is a reduction.
		case "forget":
			// Terraform lets go of it, the host keeps it: nothing changes.
			e.After = e.Before
			e.Note = joinNote(e.Note, "removed from Terraform, left on the host as it is")
		default:
			e.After = side(m, after, true)
		}
		e.Class = classify(m, e.Before, e.After)
		out = append(out, e)
	}
	return out, nil
}

// isIISProvider tells this provider's resources from others: the type's
// prefix and the provider's type name must both be iis.
func isIISProvider(typ, providerName string) bool {
	if !strings.HasPrefix(typ, "iis_") {
		return false
	}
	if providerName == "" {
		return true
	}
	name := providerName[strings.LastIndexByte(providerName, '/')+1:]
	name = strings.TrimPrefix(name, "provider.") // 0.12's "provider.iis"
	return name == "iis"
}

// actionName turns Terraform's action list into one word; a replace is
// one change, whichever order Terraform runs its delete and create in.
func actionName(actions []string, importing bool) (string, string) {
	joined := strings.Join(actions, ",")
	var action string
	switch joined {
	case "delete,create", "create,delete":
		action = "replace"
	case "":
		action = "no-op"
	default:
		action = strings.Join(actions, "+")
	}
	if importing {
		if action == "no-op" {
			return "import", ""
		}
		return action, "imported"
	}
	return action, ""
}

func measureOf(objs ...object) Measure {
	for _, o := range objs {
		if o.has("privilege") {
			return MeasurePrivilege
		}
		if o.has("exposure") {
			return MeasureExposure
		}
	}
	return MeasureNone
}

func side(m Measure, o object, present bool) Side {
	if !present || !o.exists() || m == MeasureNone {
		return Side{Present: present && o.exists()}
	}
	s := Side{Present: true, Level: o.get(string(m)), Reason: o.get(string(m) + "_reason"), Accept: o.get("accept_" + string(m))}
	if m == MeasurePrivilege {
		s.Account = o.get("account")
	}
	return s
}

// level is a side's level on the measure's scale. A missing side is the
// baseline a resource is compared against when it is created or destroyed:
// no exposure, and least privilege (what a stock pool or location runs as
// without this resource).
type level struct {
	priv  risk.Privilege
	exp   risk.Exposure
	known bool
}

func readLevel(m Measure, s Side) level {
	if !s.Present {
		return level{priv: risk.PrivilegeLeast, exp: risk.ExposureNone, known: true}
	}
	v := s.Level
	if v.Unknown || v.Sensitive || v.Invalid || v.Null {
		return level{}
	}
	switch m {
	case MeasurePrivilege:
		p, err := risk.ParsePrivilege(v.Text)
		return level{priv: p, known: err == nil}
	case MeasureExposure:
		e, err := risk.ParseExposure(v.Text)
		return level{exp: e, known: err == nil}
	}
	return level{}
}

func classify(m Measure, before, after Side) Class {
	if m == MeasureNone {
		return Unchanged
	}
	b, a := readLevel(m, before), readLevel(m, after)
	if !b.known || !a.known {
		return Unknown
	}
	switch {
	case m == MeasurePrivilege && risk.Escalates(b.priv, a.priv):
		return Escalation
	case m == MeasurePrivilege && a.priv < b.priv:
		return Reduction
	case m == MeasureExposure && risk.Widens(b.exp, a.exp):
		return Widening
	case m == MeasureExposure && a.exp != b.exp:
		return Reduction
	}
	return Unchanged
}

// Severity places a level on one scale across both measures, for
// --fail-on high and critical: full privilege is critical like critical
// exposure. Outbound levels rank low and medium, since Windows allows
// outbound traffic by default.
type Severity int

const (
	SeverityNone Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

func severity(m Measure, s Side) Severity {
	l := readLevel(m, s)
	if !l.known || !s.Present {
		return SeverityNone
	}
	switch m {
	case MeasurePrivilege:
		return [...]Severity{SeverityNone, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}[l.priv]
	case MeasureExposure:
		switch l.exp {
		case risk.ExposureEgressLow:
			return SeverityLow
		case risk.ExposureEgress:
			return SeverityMedium
		}
		return Severity(l.exp)
	}
	return SeverityNone
}

// Accepted reports whether the resource's code accepts the level the
// change ends at (accept_privilege or accept_exposure at least that high),
// so a reviewer sees the acceptance in the same diff.
func (e Entry) Accepted() bool {
	a := e.After
	if !a.Present || a.Accept.Null || a.Accept.Unknown || a.Accept.Sensitive || a.Accept.Invalid {
		return false
	}
	accept := Side{Present: true, Level: a.Accept}
	if !readLevel(e.Measure, a).known || !readLevel(e.Measure, accept).known {
		return false
	}
	// One scale for both exposure scales, as the provider's guardrail
	// compares them.
	return severity(e.Measure, accept) >= severity(e.Measure, a)
}

// afterUncertain says the change's outcome cannot be read from the plan,
// so it might be a rise of any size.
func (e Entry) afterUncertain() bool {
	return e.Class == Unknown && !readLevel(e.Measure, e.After).known
}

// sortEntries puts rises first (the most severe first), then uncertain
// outcomes, reductions and the rest, by address within each group.
func sortEntries(es []Entry) {
	group := func(e Entry) int {
		switch e.Class {
		case Escalation, Widening:
			return 0
		case Unknown:
			return 1
		case Reduction:
			return 2
		}
		return 3
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		if sa, sb := severity(a.Measure, a.After), severity(b.Measure, b.After); sa != sb {
			return sa > sb
		}
		return a.Address < b.Address
	})
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// label names a resource in an error without echoing unbounded input.
func label(address string) string {
	if address == "" {
		return "a resource change without an address"
	}
	if len(address) > 200 {
		address = address[:200] + "..."
	}
	return fmt.Sprintf("%q", address)
}
