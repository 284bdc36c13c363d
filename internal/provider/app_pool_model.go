package provider

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
)

// appPoolModel is iis_app_pool's state and plan.
type appPoolModel struct {
	ID                    types.String   `tfsdk:"id"`
	Host                  types.String   `tfsdk:"host"`
	Name                  types.String   `tfsdk:"name"`
	ManagedRuntimeVersion types.String   `tfsdk:"managed_runtime_version"`
	PipelineMode          types.String   `tfsdk:"pipeline_mode"`
	StartMode             types.String   `tfsdk:"start_mode"`
	Enable32BitOnWin64    types.Bool     `tfsdk:"enable_32bit_on_win64"`
	AutoStart             types.Bool     `tfsdk:"auto_start"`
	LoadUserProfile       types.Bool     `tfsdk:"load_user_profile"`
	IdleTimeout           types.String   `tfsdk:"idle_timeout"`
	PeriodicRestart       types.Object   `tfsdk:"periodic_restart"`
	State                 types.String   `tfsdk:"state"`
	ForceDestroy          types.Bool     `tfsdk:"force_destroy"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

// periodicRestartModel is the periodic_restart object.
type periodicRestartModel struct {
	Time          types.String `tfsdk:"time"`
	Requests      types.Int64  `tfsdk:"requests"`
	Memory        types.Int64  `tfsdk:"memory"`
	PrivateMemory types.Int64  `tfsdk:"private_memory"`
	Schedule      types.Set    `tfsdk:"schedule"`
}

func periodicRestartAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"time":           types.StringType,
		"requests":       types.Int64Type,
		"memory":         types.Int64Type,
		"private_memory": types.Int64Type,
		"schedule":       types.SetType{ElemType: types.StringType},
	}
}

// appPoolState is the state of a pool as read from the host. host and
// force_destroy are not on the host: they come from the prior state or
// plan.
func appPoolState(p iis.AppPool, priorName, host types.String, forceDestroy types.Bool) (appPoolModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	sched := make([]attr.Value, len(p.PeriodicRestart.Schedule))
	for i, t := range p.PeriodicRestart.Schedule {
		sched[i] = types.StringValue(t)
	}
	schedule, d := types.SetValue(types.StringType, sched)
	diags.Append(d...)
	restart, d := types.ObjectValue(periodicRestartAttrTypes(), map[string]attr.Value{
		"time":           types.StringValue(p.PeriodicRestart.Time),
		"requests":       types.Int64Value(p.PeriodicRestart.Requests),
		"memory":         types.Int64Value(p.PeriodicRestart.Memory),
		"private_memory": types.Int64Value(p.PeriodicRestart.PrivateMemory),
		"schedule":       schedule,
	})
	diags.Append(d...)
	if forceDestroy.IsNull() || forceDestroy.IsUnknown() {
		forceDestroy = types.BoolValue(false)
	}
	// IIS keys pools without regard to case: the spelling Terraform knows
	// stands, so it is never a diff (name forces replacement).
	name := types.StringValue(p.Name)
	if strings.EqualFold(priorName.ValueString(), p.Name) {
		name = priorName
	}
	return appPoolModel{
		ID:                    name,
		Host:                  host,
		Name:                  name,
		ManagedRuntimeVersion: types.StringValue(p.ManagedRuntimeVersion),
		PipelineMode:          types.StringValue(p.PipelineMode),
		StartMode:             types.StringValue(p.StartMode),
		Enable32BitOnWin64:    types.BoolValue(p.Enable32BitAppOnWin64),
		AutoStart:             types.BoolValue(p.AutoStart),
		LoadUserProfile:       types.BoolValue(p.LoadUserProfile),
		IdleTimeout:           types.StringValue(p.IdleTimeout),
		PeriodicRestart:       restart,
		State:                 types.StringValue(stableState(p.State)),
		ForceDestroy:          forceDestroy,
	}, diags
}

// stableState reads a transition (Starting, Stopping) as where it is
// heading, so a refresh during one is not drift.
func stableState(s string) string {
	switch s {
	case "Starting":
		return "Started"
	case "Stopping":
		return "Stopped"
	}
	return s
}

// known returns a pointer to v's value when it is known and not null: the
// settings to write are the ones the plan fixes.
func knownString(v basetypes.StringValue) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func knownBool(v basetypes.BoolValue) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
}

func knownInt64(v basetypes.Int64Value) *int64 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := v.ValueInt64()
	return &n
}

// restartOf reads the periodic_restart object; all fields null when the
// object itself is null or unknown.
func restartOf(ctx context.Context, o types.Object) (periodicRestartModel, diag.Diagnostics) {
	var m periodicRestartModel
	if o.IsNull() || o.IsUnknown() {
		m.Time, m.Requests, m.Memory, m.PrivateMemory = types.StringUnknown(), types.Int64Unknown(), types.Int64Unknown(), types.Int64Unknown()
		m.Schedule = types.SetUnknown(types.StringType)
		return m, nil
	}
	diags := o.As(ctx, &m, basetypes.ObjectAsOptions{})
	return m, diags
}

// scheduleOf reads a known schedule set; ok is false when it is null or
// unknown.
func scheduleOf(ctx context.Context, s types.Set) ([]string, bool, diag.Diagnostics) {
	if s.IsNull() || s.IsUnknown() {
		return nil, false, nil
	}
	var out []string
	diags := s.ElementsAs(ctx, &out, false)
	slices.Sort(out)
	return out, true, diags
}

// poolSettings are the settings to write: on create (prior nil) every value
// the plan fixes; on update only the ones that differ from the prior state,
// so attributes nobody configured keep inheriting applicationPoolDefaults.
func poolSettings(ctx context.Context, plan appPoolModel, prior *appPoolModel) (iis.PoolSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := iis.PoolSettings{Name: plan.Name.ValueString()}
	if prior != nil {
		s.Name = prior.Name.ValueString()
	}
	changedStr := func(p, old types.String) *string {
		if prior != nil && p.Equal(old) {
			return nil
		}
		return knownString(p)
	}
	changedBool := func(p, old types.Bool) *bool {
		if prior != nil && p.Equal(old) {
			return nil
		}
		return knownBool(p)
	}
	changedInt := func(p, old types.Int64) *int64 {
		if prior != nil && p.Equal(old) {
			return nil
		}
		return knownInt64(p)
	}
	var old appPoolModel
	if prior != nil {
		old = *prior
	}
	s.ManagedRuntimeVersion = changedStr(plan.ManagedRuntimeVersion, old.ManagedRuntimeVersion)
	s.PipelineMode = changedStr(plan.PipelineMode, old.PipelineMode)
	s.StartMode = changedStr(plan.StartMode, old.StartMode)
	s.Enable32BitAppOnWin64 = changedBool(plan.Enable32BitOnWin64, old.Enable32BitOnWin64)
	s.AutoStart = changedBool(plan.AutoStart, old.AutoStart)
	s.LoadUserProfile = changedBool(plan.LoadUserProfile, old.LoadUserProfile)
	s.IdleTimeout = changedStr(plan.IdleTimeout, old.IdleTimeout)
	s.State = changedStr(plan.State, old.State)

	pr, d := restartOf(ctx, plan.PeriodicRestart)
	diags.Append(d...)
	var oldPR periodicRestartModel
	if prior != nil {
		oldPR, d = restartOf(ctx, prior.PeriodicRestart)
		diags.Append(d...)
	}
	s.PeriodicRestartTime = changedStr(pr.Time, oldPR.Time)
	s.PeriodicRestartRequests = changedInt(pr.Requests, oldPR.Requests)
	s.PeriodicRestartMemory = changedInt(pr.Memory, oldPR.Memory)
	s.PeriodicRestartPrivateMemory = changedInt(pr.PrivateMemory, oldPR.PrivateMemory)
	sched, ok, d := scheduleOf(ctx, pr.Schedule)
	diags.Append(d...)
	if ok {
		oldSched, oldOK, d := scheduleOf(ctx, oldPR.Schedule)
		diags.Append(d...)
		if prior == nil || !oldOK || !slices.Equal(sched, oldSched) {
			s.PeriodicRestartSchedule = sched
			s.ClearSchedule = len(sched) == 0
		}
	}
	return s, diags
}
