package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// move is one attribute's change: its value before and after.
type move struct{ before, after knownvalue.Check }

func moved(before, after knownvalue.Check) move { return move{before, after} }

// movedStr is a string attribute going from before to after.
func movedStr(before, after string) move {
	return move{knownvalue.StringExact(before), knownvalue.StringExact(after)}
}

// expectOnlyChanges checks that the plan changes exactly these attributes
// of addr, each as given, and no other: after a refresh that recorded
// drift, the plan that puts the host back must undo the drift and nothing
// else.
func expectOnlyChanges(addr string, want map[string]move) plancheck.PlanCheck {
	return onlyChanges{addr: addr, want: want}
}

// expectOnlyDrift checks that the refresh found exactly these attributes
// of addr changed outside Terraform, each as given, and no other.
func expectOnlyDrift(addr string, want map[string]move) plancheck.PlanCheck {
	return onlyChanges{addr: addr, want: want, drift: true}
}

type onlyChanges struct {
	addr  string
	want  map[string]move
	drift bool
}

func (c onlyChanges) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	list, what := req.Plan.ResourceChanges, "planned change"
	if c.drift {
		list, what = req.Plan.ResourceDrift, "change outside Terraform"
	}
	for _, rc := range list {
		if rc.Address != c.addr || rc.Change == nil {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		var keys []string
		for k := range before {
			keys = append(keys, k)
		}
		for k := range after {
			if _, ok := before[k]; !ok {
				keys = append(keys, k)
			}
		}
		for k := range c.want {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var errs []error
		for _, k := range slices.Compact(keys) {
			m, wanted := c.want[k]
			changed := !reflect.DeepEqual(before[k], after[k])
			switch {
			case changed && !wanted:
				errs = append(errs, fmt.Errorf("%s also moved: %v -> %v", k, before[k], after[k]))
			case !changed && wanted:
				errs = append(errs, fmt.Errorf("%s did not move from %v", k, before[k]))
			case wanted:
				if err := m.before.CheckValue(before[k]); err != nil {
					errs = append(errs, fmt.Errorf("%s before: %w", k, err))
				}
				if err := m.after.CheckValue(after[k]); err != nil {
					errs = append(errs, fmt.Errorf("%s after: %w", k, err))
				}
			}
		}
		if len(errs) > 0 {
			resp.Error = fmt.Errorf("%s of %s: %w", what, c.addr, errors.Join(errs...))
		}
		return
	}
	resp.Error = fmt.Errorf("no %s for %s", what, c.addr)
}
