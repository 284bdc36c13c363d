package review

import (
	"encoding/json"
	"io"
)

// FormatVersion is the version of the --format json shape, documented in
// docs/guides/review.md. Adding keys keeps it; changing or removing one bumps it.
const FormatVersion = "1"

type jsonReport struct {
	FormatVersion    string      `json:"format_version"`
	TerraformVersion string      `json:"terraform_version"`
	FailOn           FailOn      `json:"fail_on"`
	Failed           bool        `json:"failed"`
	Summary          Summary     `json:"summary"`
	Changes          []jsonEntry `json:"changes"`
	Drift            []jsonEntry `json:"drift"`
}

// jsonEntry follows one rule for every value: a string, or null. A null
// whose name is in the enclosing object's unknown, sensitive or invalid
// list is not null on the host but not shown; any other null is a real
// null (a host of null means the provider's default host).
type jsonEntry struct {
	Address     string    `json:"address"`
	Type        string    `json:"type"`
	Host        *string   `json:"host"`
	Action      string    `json:"action"`
	Measure     *string   `json:"measure"`
	Before      *jsonSide `json:"before"`
	After       *jsonSide `json:"after"`
	Class       Class     `json:"class"`
	Severity    string    `json:"severity"`
	MeetsFailOn bool      `json:"meets_fail_on"`
	Accepted    bool      `json:"accepted"`
	Note        string    `json:"note,omitempty"`
	Reverted    *bool     `json:"reverted_by_plan,omitempty"`
	fields
}

type jsonSide struct {
	Level  *string `json:"level"`
	Reason *string `json:"reason"`
	// Account is present for privilege resources only.
	Account json.RawMessage `json:"account,omitempty"`
	Accept  *string         `json:"accept"`
	fields
}

// fields lists the values of an object that are withheld, and why.
type fields struct {
	UnknownFields   []string `json:"unknown"`
	SensitiveFields []string `json:"sensitive"`
	InvalidFields   []string `json:"invalid"`
}

func newFields() fields {
	return fields{UnknownFields: []string{}, SensitiveFields: []string{}, InvalidFields: []string{}}
}

// put returns v's text, or nil with the name filed under the reason it is
// withheld.
func (f *fields) put(name string, v value) *string {
	switch {
	case v.Sensitive:
		f.SensitiveFields = append(f.SensitiveFields, name)
	case v.Unknown:
		f.UnknownFields = append(f.UnknownFields, name)
	case v.Invalid:
		f.InvalidFields = append(f.InvalidFields, name)
	case v.Null:
	default:
		t := v.Text
		return &t
	}
	return nil
}

var severityNames = []string{"none", "low", "medium", "high", "critical"}

// WriteJSON renders the report in the versioned machine shape.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		FormatVersion:    FormatVersion,
		TerraformVersion: r.TerraformVersion,
		FailOn:           r.FailOn,
		Summary:          r.Summary(),
		Changes:          jsonEntries(r.Changes),
		Drift:            jsonEntries(r.Drift),
	}
	out.Failed = out.Summary.Failing > 0
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func jsonEntries(es []Entry) []jsonEntry {
	out := make([]jsonEntry, 0, len(es))
	for _, e := range es {
		j := jsonEntry{
			Address: e.Address, Type: e.Type, Action: e.Action, Class: e.Class,
			Severity: severityNames[severity(e.Measure, e.After)], MeetsFailOn: e.Gated, Accepted: e.Accepted(), Note: e.Note,
			fields: newFields(),
		}
		j.Host = j.put("host", e.Host)
		if e.Measure != MeasureNone {
			m := string(e.Measure)
			j.Measure = &m
			j.Before, j.After = jsonSideOf(e.Measure, e.Before), jsonSideOf(e.Measure, e.After)
		}
		if e.Drift {
			rev := e.Reverted
			j.Reverted = &rev
		}
		out = append(out, j)
	}
	return out
}

func jsonSideOf(m Measure, s Side) *jsonSide {
	if !s.Present {
		return nil
	}
	j := &jsonSide{fields: newFields()}
	j.Level = j.put("level", s.Level)
	j.Reason = j.put("reason", s.Reason)
	j.Accept = j.put("accept", s.Accept)
	if m == MeasurePrivilege {
		j.Account = json.RawMessage("null")
		if a := j.put("account", s.Account); a != nil {
			j.Account, _ = json.Marshal(*a)
		}
	}
	return j
}
