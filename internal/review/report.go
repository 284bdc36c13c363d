package review

import (
	"fmt"
	"io"
	"strings"
)

// FailOn is the --fail-on level: which entries make the command exit 1.
type FailOn string

const (
	// FailOnEscalation fails on any rise in privilege or exposure, and on
	// any level the plan cannot show yet (fail closed).
	FailOnEscalation FailOn = "escalation"
	// FailOnHigh fails on rises that end at high or above (privilege high
	// or full, exposure high or critical), and on unknown levels.
	FailOnHigh FailOn = "high"
	// FailOnCritical fails on rises to full privilege or critical
	// exposure, and on unknown levels.
	FailOnCritical FailOn = "critical"
	// FailOnNever reports without failing.
	FailOnNever FailOn = "never"
)

var failOnLevels = []FailOn{FailOnEscalation, FailOnHigh, FailOnCritical, FailOnNever}

// ParseFailOn reads a --fail-on value.
func ParseFailOn(s string) (FailOn, error) {
	for _, f := range failOnLevels {
		if strings.EqualFold(strings.TrimSpace(s), string(f)) {
			return f, nil
		}
	}
	names := make([]string, len(failOnLevels))
	for i, f := range failOnLevels {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown --fail-on %q: want one of %s", s, strings.Join(names, ", "))
}

// meets reports whether an entry meets the level. Drift that the plan
// puts back is shown but does not count: applying the plan removes it; nor
// does a level the resource accepts in its own code.
// An unknown outcome counts for every level but never, because it may be
// the worst one and a gate that an unknown value could slip through would
// not be a gate.
func (f FailOn) meets(e Entry) bool {
	if f == FailOnNever || (e.Drift && e.Reverted) {
		return false
	}
	if e.afterUncertain() {
		return true
	}
	if e.Accepted() {
		// Accepted on purpose in the resource's code, as the provider's
		// guardrails take it: shown, but not a gate failure.
		return false
	}
	if e.Class != Escalation && e.Class != Widening {
		return false
	}
	switch f {
	case FailOnHigh:
		return severity(e.Measure, e.After) >= SeverityHigh
	case FailOnCritical:
		return severity(e.Measure, e.After) >= SeverityCritical
	}
	return true
}

// Report is the review of one plan.
type Report struct {
	TerraformVersion string
	FailOn           FailOn
	Changes          []Entry // from resource_changes, rises first
	Drift            []Entry // from resource_drift, rises first
}

// Summary counts the planned changes by class, and the drift.
type Summary struct {
	Escalations int `json:"escalations"`
	Widenings   int `json:"widenings"`
	Reductions  int `json:"reductions"`
	Unknown     int `json:"unknown"`
	Unchanged   int `json:"unchanged"`
	Drift       int `json:"drift"`
	// DriftRises counts drift entries that raised privilege or exposure.
	DriftRises int `json:"drift_rises"`
	// Failing counts the entries, drift included, that meet --fail-on.
	Failing int `json:"failing"`
}

// Build reads a plan and classifies its iis_* changes and drift.
func Build(r io.Reader, failOn FailOn) (*Report, error) {
	p, err := readPlan(r)
	if err != nil {
		return nil, err
	}
	changes, err := entries(p.ResourceChanges, false)
	if err != nil {
		return nil, fmt.Errorf("resource_changes: %w", err)
	}
	drift, err := entries(p.ResourceDrift, true)
	if err != nil {
		return nil, fmt.Errorf("resource_drift: %w", err)
	}
	planned := map[string]bool{}
	for _, c := range changes {
		planned[c.Address] = true
	}
	for i := range drift {
		drift[i].Reverted = planned[drift[i].Address]
	}
	rep := &Report{TerraformVersion: p.TerraformVersion, FailOn: failOn, Changes: changes, Drift: drift}
	for _, list := range [][]Entry{rep.Changes, rep.Drift} {
		for i := range list {
			list[i].Gated = failOn.meets(list[i])
		}
		sortEntries(list)
	}
	return rep, nil
}

// Summary counts the report's entries.
func (r *Report) Summary() Summary {
	var s Summary
	for _, e := range r.Changes {
		switch e.Class {
		case Escalation:
			s.Escalations++
		case Widening:
			s.Widenings++
		case Reduction:
			s.Reductions++
		case Unknown:
			s.Unknown++
		default:
			s.Unchanged++
		}
		if e.Gated {
			s.Failing++
		}
	}
	for _, e := range r.Drift {
		s.Drift++
		if e.Class == Escalation || e.Class == Widening {
			s.DriftRises++
		}
		if e.Gated {
			s.Failing++
		}
	}
	return s
}

// Failed reports whether the plan meets --fail-on.
func (r *Report) Failed() bool { return r.Summary().Failing > 0 }

// Line is the one-line summary: "2 escalations, 1 widening, 3 reductions,
// 1 drift".
func (s Summary) Line() string {
	parts := []string{
		plural(s.Escalations, "escalation", "escalations"),
		plural(s.Widenings, "widening", "widenings"),
		plural(s.Reductions, "reduction", "reductions"),
	}
	if s.Unknown > 0 {
		parts = append(parts, plural(s.Unknown, "unknown", "unknown"))
	}
	if s.Unchanged > 0 {
		parts = append(parts, plural(s.Unchanged, "unchanged", "unchanged"))
	}
	drift := plural(s.Drift, "drift", "drift")
	if s.DriftRises > 0 {
		drift += fmt.Sprintf(" (%s)", plural(s.DriftRises, "rise", "rises"))
	}
	return strings.Join(append(parts, drift), ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
