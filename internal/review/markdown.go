package review

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown renders the report for a pull-request comment: the summary
// line, the gate, a table of planned changes with rises first, and the
// drift in a section of its own.
func (r *Report) WriteMarkdown(w io.Writer) error {
	s := r.Summary()
	var b strings.Builder
	b.WriteString("### IIS privilege and exposure review\n\n")
	fmt.Fprintf(&b, "**%s**\n\n", s.Line())
	switch {
	case r.FailOn == FailOnNever:
		b.WriteString("Gate `--fail-on never`: report only.\n\n")
	case s.Failing > 0:
		fmt.Fprintf(&b, "Gate `--fail-on %s`: **failed**, %s it.\n\n", r.FailOn, plural(s.Failing, "entry meets", "entries meet"))
	default:
		fmt.Fprintf(&b, "Gate `--fail-on %s`: passed.\n\n", r.FailOn)
	}
	if len(r.Changes) == 0 {
		b.WriteString("No planned changes to iis resources.\n")
	} else {
		writeTable(&b, r.Changes)
	}
	if len(r.Drift) > 0 {
		b.WriteString("\n#### Drift: changed outside Terraform\n\n")
		b.WriteString("Found by the refresh before this plan. Drift the plan puts back is marked; the rest stays on the host after apply.\n\n")
		writeTable(&b, r.Drift)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTable(b *strings.Builder, es []Entry) {
	b.WriteString("| Change | Address | Host | Action | Level | Reason |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, e := range es {
		class := string(e.Class)
		if e.Class == Escalation || e.Class == Widening || e.afterUncertain() {
			class = "**" + class + "**"
		}
		if e.Gated {
			class += " (fails gate)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n",
			class, code(e.Address), hostText(e.Host), actionText(e), levelText(e), cell(reasonText(e)))
	}
}

func actionText(e Entry) string {
	if !e.Drift {
		return e.Action
	}
	switch e.Action {
	case "update":
		if e.Reverted {
			return "changed (plan puts it back)"
		}
		return "changed"
	case "delete":
		if e.Reverted {
			return "deleted (plan recreates it)"
		}
		return "deleted"
	}
	return cell(e.Action)
}

func hostText(v value) string {
	switch {
	case v.Sensitive:
		return "(sensitive)"
	case v.Unknown:
		return "(known after apply)"
	case v.Invalid:
		return "(unreadable)"
	case v.Null:
		return "(provider default)"
	}
	return cell(v.Text)
}

// levelText shows "least -> **full**": the level a reviewer must look at in
// bold when it rises.
func levelText(e Entry) string {
	if e.Measure == MeasureNone {
		return "no privilege or exposure"
	}
	before, after := sideLevel(e.Before, "(new)"), sideLevel(e.After, "(destroyed)")
	after = cell(after)
	if e.Class == Escalation || e.Class == Widening {
		after = "**" + after + "**"
	}
	return cell(before) + " -> " + after
}

func sideLevel(s Side, absent string) string {
	if !s.Present {
		return absent
	}
	return valueText(s.Level, "(none)")
}

func valueText(v value, null string) string {
	switch {
	case v.Sensitive:
		return "(sensitive)"
	case v.Unknown:
		return "unknown (known after apply)"
	case v.Invalid:
		return "(unreadable)"
	case v.Null:
		return null
	}
	return v.Text
}

// reasonText is the reason for the level the change ends at; for a delete,
// the reason of the level it removes.
func reasonText(e Entry) string {
	var reason string
	switch {
	case e.Measure == MeasureNone:
		reason = ""
	case !e.After.Present:
		reason = "was: " + valueText(e.Before.Reason, "(none)")
	default:
		reason = valueText(e.After.Reason, "(none)")
	}
	note := e.Note
	if e.Accepted() {
		note = joinNote(note, fmt.Sprintf("accepted in code: accept_%s = %q", e.Measure, e.After.Accept.Text))
	}
	return joinNote(note, reason)
}

// cell escapes text for a table cell, so names and reasons from the plan
// can neither break the table nor turn into markup, HTML or links. Only
// characters that act inside a line are escaped (block markers such as #
// or - do nothing in a cell), so the raw text stays readable in a terminal.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// code puts an address in a code span long enough for any backticks
// inside it; pipes are still escaped, as GitHub tables require even in code.
func code(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	s = strings.ReplaceAll(s, "|", "\\|")
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
