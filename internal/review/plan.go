package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// plan is the part of `terraform show -json <planfile>` the report reads.
// Unknown keys are ignored, so newer plan formats with the same major
// version still read.
type plan struct {
	FormatVersion    string           `json:"format_version"`
	TerraformVersion string           `json:"terraform_version"`
	PlannedValues    json.RawMessage  `json:"planned_values"`
	ResourceChanges  []resourceChange `json:"resource_changes"`
	ResourceDrift    []resourceChange `json:"resource_drift"`
}

// resourceChange is one entry of resource_changes or resource_drift.
type resourceChange struct {
	Address      string `json:"address"`
	Mode         string `json:"mode"`
	Type         string `json:"type"`
	ProviderName string `json:"provider_name"`
	Deposed      string `json:"deposed"`
	Change       change `json:"change"`
}

// change keeps every value raw: only the few attributes the report shows
// are ever decoded, so nothing else from the plan is held as text.
type change struct {
	Actions         []string        `json:"actions"`
	Before          json.RawMessage `json:"before"`
	After           json.RawMessage `json:"after"`
	AfterUnknown    json.RawMessage `json:"after_unknown"`
	BeforeSensitive json.RawMessage `json:"before_sensitive"`
	AfterSensitive  json.RawMessage `json:"after_sensitive"`
	Importing       json.RawMessage `json:"importing"`
}

// supportedFormat is the major plan format version the report reads.
// Terraform promises that minor versions only add keys.
const supportedFormat = "1"

// maxInput bounds how much a malformed or hostile input can make the
// command hold in memory; real plans of large fleets stay far below it.
const maxInput = 512 << 20

// readPlan decodes a plan and explains the inputs people are likely to
// pass by mistake: the binary plan file, the streamed `terraform plan
// -json` log, or the JSON of a state.
func readPlan(r io.Reader) (*plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("read plan: input larger than %d MiB", maxInput>>20)
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("empty input: pipe in the JSON of `terraform show -json <planfile>`")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, errors.New("input is a binary plan file, not JSON: run `terraform show -json <planfile>` and review its output")
	case trimmed[0] != '{':
		return nil, errors.New("input is not a JSON object: pipe in the JSON of `terraform show -json <planfile>`")
	}

	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("input is not valid JSON: %w", describeJSONError(err, trimmed))
	}
	if _, ok := top["@level"]; ok || dec.More() {
		return nil, errors.New("input is a stream of JSON lines (the output of `terraform plan -json`?): " +
			"save the plan with `terraform plan -out=plan.out` and review `terraform show -json plan.out`")
	}
	_, hasChanges := top["resource_changes"]
	_, hasPlanned := top["planned_values"]
	if !hasChanges && !hasPlanned {
		if _, ok := top["values"]; ok {
			return nil, errors.New("input is the JSON of a state, not of a plan: review `terraform show -json <planfile>`")
		}
		return nil, errors.New("input has neither resource_changes nor planned_values: is it the JSON of `terraform show -json <planfile>`?")
	}

	var p plan
	if err := json.Unmarshal(trimmed, &p); err != nil {
		return nil, fmt.Errorf("plan JSON has an unexpected shape: %w", err)
	}
	major, _, _ := strings.Cut(p.FormatVersion, ".")
	if major != supportedFormat {
		return nil, fmt.Errorf("plan format_version %q is not supported: this review reads format %s.x", p.FormatVersion, supportedFormat)
	}
	return &p, nil
}

// describeJSONError adds the line and column to a syntax error, which
// encoding/json reports only as a byte offset.
func describeJSONError(err error, data []byte) error {
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		return err
	}
	off := int(syn.Offset)
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
