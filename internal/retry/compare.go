package retry

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/firewall"
	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// poolDiffs lists the settings a write carried that the pool does not
// hold, as "field: asked X, host has Y". Enums compare as IIS compares
// them, case-insensitively; the state only when the write set one.
func poolDiffs(a hostapi.AppPoolSettings, got hostapi.AppPool) []string {
	var d []string
	str := func(field string, want *string, have string, fold bool) {
		if want == nil {
			return
		}
		if *want == have || (fold && strings.EqualFold(*want, have)) {
			return
		}
		d = append(d, fmt.Sprintf("%s: asked %q, host has %q", field, *want, have))
	}
	boolean := func(field string, want *bool, have bool) {
		if want != nil && *want != have {
			d = append(d, fmt.Sprintf("%s: asked %t, host has %t", field, *want, have))
		}
	}
	num := func(field string, want *int64, have int64) {
		if want != nil && *want != have {
			d = append(d, fmt.Sprintf("%s: asked %d, host has %d", field, *want, have))
		}
	}
	if !strings.EqualFold(a.Name, got.Name) {
		d = append(d, fmt.Sprintf("name: asked %q, host has %q", a.Name, got.Name))
	}
	str("managed_runtime_version", a.ManagedRuntimeVersion, got.ManagedRuntimeVersion, true)
	str("managed_pipeline_mode", a.ManagedPipelineMode, got.ManagedPipelineMode, true)
	str("start_mode", a.StartMode, got.StartMode, true)
	boolean("enable_32bit_app_on_win64", a.Enable32BitAppOnWin64, got.Enable32BitAppOnWin64)
	boolean("auto_start", a.AutoStart, got.AutoStart)
	boolean("load_user_profile", a.LoadUserProfile, got.LoadUserProfile)
	str("idle_timeout", a.IdleTimeout, got.IdleTimeout, false)
	str("periodic_restart.time", a.PeriodicRestartTime, got.PeriodicRestart.Time, false)
	num("periodic_restart.requests", a.PeriodicRestartRequests, got.PeriodicRestart.Requests)
	num("periodic_restart.memory", a.PeriodicRestartMemory, got.PeriodicRestart.Memory)
	num("periodic_restart.private_memory", a.PeriodicRestartPrivateMemory, got.PeriodicRestart.PrivateMemory)
	if a.PeriodicRestartSchedule != nil {
		want := slices.Sorted(slices.Values(*a.PeriodicRestartSchedule))
		have := slices.Sorted(slices.Values(got.PeriodicRestart.Schedule))
		if !slices.Equal(want, have) {
			d = append(d, fmt.Sprintf("periodic_restart.schedule: asked %q, host has %q", want, have))
		}
	}
	str("state", a.State, got.State, true)
	return d
}

// ruleDiffs compares two rules in canonical form (firewall.FromWire), the
// form the provider itself compares configuration and host in.
func ruleDiffs(asked, got hostapi.FirewallRule) []string {
	a, g := firewall.FromWire(asked).RuleSpec, firewall.FromWire(got).RuleSpec
	var d []string
	av, gv := reflect.ValueOf(a), reflect.ValueOf(g)
	for i := range av.NumField() {
		x, y := av.Field(i).Interface(), gv.Field(i).Interface()
		if xs, ok := x.([]string); ok {
			// Fields of one struct type: y holds a []string as x does.
			if ys, _ := y.([]string); slices.Equal(xs, ys) {
				continue
			}
		} else if reflect.DeepEqual(x, y) {
			continue
		}
		d = append(d, fmt.Sprintf("%s: asked %v, host has %v", av.Type().Field(i).Name, x, y))
	}
	return d
}

func settleRuleCreate(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
	a, err := args[hostapi.FirewallRule](u)
	if err != nil {
		return notApplied, err
	}
	var got hostapi.FirewallRule
	found, err := read(ctx, u, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: a.Name}, &got)
	if err != nil || !found {
		return notApplied, err
	}
	if d := ruleDiffs(a, got); len(d) > 0 {
		return notApplied, differs(u, "a firewall rule", a.Name, d)
	}
	return done(got)
}

// settleRuleUpdate: an update sets every attribute, so it took effect when
// the rule reads back as asked; else it is sent again (idempotent).
func settleRuleUpdate(ctx context.Context, u remote.Unanswered) (remote.Settled, error) {
	a, err := args[hostapi.FirewallRule](u)
	if err != nil {
		return notApplied, err
	}
	var got hostapi.FirewallRule
	found, err := read(ctx, u, hostapi.OpFirewallRuleGet, hostapi.FirewallRuleName{Name: a.Name}, &got)
	switch {
	case err != nil:
		return notApplied, err
	case found && len(ruleDiffs(a, got)) == 0:
		return done(got)
	}
	return notApplied, nil
}
