package iis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

// AppPool is an application pool as the host holds it, normalised: enums
// in their canonical spelling (whether Windows returned names in any case
// or IIS numbers), TimeSpans in .NET's "c" form, the schedule sorted.
type AppPool struct {
	Name                  string
	State                 string
	ManagedRuntimeVersion string
	PipelineMode          string
	StartMode             string
	Enable32BitAppOnWin64 bool
	AutoStart             bool
	LoadUserProfile       bool
	IdleTimeout           string
	PeriodicRestart       PeriodicRestart
	// Identity is who the pool runs as; the password never leaves the
	// host.
	Identity Identity
	// Applications run in the pool, in site order.
	Applications []PoolApplication
}

// PeriodicRestart is when IIS recycles the pool on its own.
type PeriodicRestart struct {
	Time          string
	Requests      int64
	Memory        int64 // KB
	PrivateMemory int64 // KB
	Schedule      []string
}

// Identity is processModel's identity without the password.
type Identity struct {
	Type      string
	UserName  string
	LogonType string
}

// PoolApplication is an application that runs in a pool.
type PoolApplication struct {
	Site string
	Path string
	// AnonymousUsesPoolIdentity says anonymous requests to it run as the
	// pool's identity (anonymous authentication with userName "").
	AnonymousUsesPoolIdentity bool
}

// String reads "Default Web Site/shop".
func (a PoolApplication) String() string {
	return a.Site + a.Path
}

// PoolSettings are the settings to write to a pool; nil fields are left
// alone (on create: taken from applicationPoolDefaults). A non-nil empty
// Schedule clears the schedule.
type PoolSettings struct {
	Name                         string
	ManagedRuntimeVersion        *string
	PipelineMode                 *string
	StartMode                    *string
	Enable32BitAppOnWin64        *bool
	AutoStart                    *bool
	LoadUserProfile              *bool
	IdleTimeout                  *string
	PeriodicRestartTime          *string
	PeriodicRestartRequests      *int64
	PeriodicRestartMemory        *int64
	PeriodicRestartPrivateMemory *int64
	PeriodicRestartSchedule      []string // nil: leave; empty: clear
	ClearSchedule                bool     // with an empty PeriodicRestartSchedule
	State                        *string  // Started or Stopped
}

// Check returns what is wrong with s before any host is asked: the name,
// enum values, TimeSpans and schedule times. Each problem names the field.
func (s PoolSettings) Check() []error {
	var errs []error
	if err := ValidatePoolName(s.Name); err != nil {
		errs = append(errs, err)
	}
	return append(errs, s.checkValues()...)
}

// checkValues is Check without the name: an existing pool keeps its name
// even where today's rules refuse it (".NET v4.5" ships with IIS).
func (s PoolSettings) checkValues() []error {
	var errs []error
	enum := func(field string, v *string, names []string) {
		if v != nil && !slices.Contains(names, *v) {
			errs = append(errs, fmt.Errorf("%s %q is not one of %s", field, *v, quoteList(names)))
		}
	}
	enum("managed_runtime_version", s.ManagedRuntimeVersion, RuntimeVersions())
	enum("pipeline_mode", s.PipelineMode, PipelineModes())
	enum("start_mode", s.StartMode, StartModes())
	enum("state", s.State, []string{"Started", "Stopped"})
	span := func(field string, v *string) {
		if v == nil {
			return
		}
		if c, err := CanonicalTimeSpan(*v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		} else if c != *v {
			errs = append(errs, fmt.Errorf("%s: write %q as %q, the form the host reads back", field, *v, c))
		}
	}
	span("idle_timeout", s.IdleTimeout)
	span("periodic_restart.time", s.PeriodicRestartTime)
	for _, t := range s.PeriodicRestartSchedule {
		if _, err := CanonicalTimeOfDay(t); err != nil {
			errs = append(errs, fmt.Errorf("periodic_restart.schedule: %w", err))
		}
	}
	count := func(field string, v *int64) {
		if v != nil && (*v < 0 || *v > 4294967295) {
			errs = append(errs, fmt.Errorf("%s %d is outside 0-4294967295", field, *v))
		}
	}
	count("periodic_restart.requests", s.PeriodicRestartRequests)
	count("periodic_restart.memory", s.PeriodicRestartMemory)
	count("periodic_restart.private_memory", s.PeriodicRestartPrivateMemory)
	return errs
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func (s PoolSettings) wire() hostapi.AppPoolSettings {
	w := hostapi.AppPoolSettings{
		Name:                         s.Name,
		ManagedRuntimeVersion:        s.ManagedRuntimeVersion,
		ManagedPipelineMode:          s.PipelineMode,
		StartMode:                    s.StartMode,
		Enable32BitAppOnWin64:        s.Enable32BitAppOnWin64,
		AutoStart:                    s.AutoStart,
		LoadUserProfile:              s.LoadUserProfile,
		IdleTimeout:                  s.IdleTimeout,
		PeriodicRestartTime:          s.PeriodicRestartTime,
		PeriodicRestartRequests:      s.PeriodicRestartRequests,
		PeriodicRestartMemory:        s.PeriodicRestartMemory,
		PeriodicRestartPrivateMemory: s.PeriodicRestartPrivateMemory,
		State:                        s.State,
	}
	if s.PeriodicRestartSchedule != nil || s.ClearSchedule {
		sched := make([]string, 0, len(s.PeriodicRestartSchedule))
		for _, t := range s.PeriodicRestartSchedule {
			c, err := CanonicalTimeOfDay(t)
			if err != nil {
				c = t // Check reports it; the host refuses it too
			}
			sched = append(sched, c)
		}
		slices.Sort(sched)
		sched = slices.Compact(sched)
		w.PeriodicRestartSchedule = &sched
	}
	return w
}

// poolFromWire normalises a pool as the host returned it.
func poolFromWire(w hostapi.AppPool) AppPool {
	p := AppPool{
		Name:                  w.Name,
		State:                 canonicalEnum(w.State, PoolStates()),
		ManagedRuntimeVersion: w.ManagedRuntimeVersion,
		PipelineMode:          canonicalEnum(w.ManagedPipelineMode, PipelineModes()),
		StartMode:             canonicalEnum(w.StartMode, StartModes()),
		Enable32BitAppOnWin64: w.Enable32BitAppOnWin64,
		AutoStart:             w.AutoStart,
		LoadUserProfile:       w.LoadUserProfile,
		IdleTimeout:           timeSpanOrAsIs(w.IdleTimeout),
		PeriodicRestart: PeriodicRestart{
			Time:          timeSpanOrAsIs(w.PeriodicRestart.Time),
			Requests:      w.PeriodicRestart.Requests,
			Memory:        w.PeriodicRestart.Memory,
			PrivateMemory: w.PeriodicRestart.PrivateMemory,
			Schedule:      []string{},
		},
		Identity: Identity{
			Type:      canonicalEnum(w.IdentityType, IdentityTypes()),
			UserName:  w.UserName,
			LogonType: canonicalEnum(w.LogonType, LogonTypes()),
		},
		Applications: []PoolApplication{},
	}
	for _, t := range w.PeriodicRestart.Schedule {
		p.PeriodicRestart.Schedule = append(p.PeriodicRestart.Schedule, timeSpanOrAsIs(t))
	}
	slices.Sort(p.PeriodicRestart.Schedule)
	for _, a := range w.Applications {
		p.Applications = append(p.Applications, PoolApplication(a))
	}
	// ".NET v4.5" and "v4.0" are both what people write; IIS stores the
	// lower-case v, and an upper-case one would read back as a change.
	if strings.HasPrefix(p.ManagedRuntimeVersion, "V") {
		p.ManagedRuntimeVersion = "v" + p.ManagedRuntimeVersion[1:]
	}
	return p
}

// timeSpanOrAsIs writes a TimeSpan in "c" form, keeping a value it cannot
// read (a fraction of a second, say) as Windows wrote it.
func timeSpanOrAsIs(s string) string {
	if c, err := CanonicalTimeSpan(s); err == nil {
		return c
	}
	return s
}

// GetAppPool reads one pool. A missing pool is an error for which
// IsNotFound is true.
func GetAppPool(ctx context.Context, c Caller, name string) (AppPool, error) {
	var w hostapi.AppPool
	if err := c.Call(ctx, hostapi.OpAppPoolGet, hostapi.AppPoolName{Name: name}, &w); err != nil {
		return AppPool{}, fmt.Errorf("read application pool %q: %w", name, err)
	}
	return poolFromWire(w), nil
}

// PoolList is every pool of a host.
type PoolList struct {
	// ComputerName is the host's NetBIOS name.
	ComputerName string
	Pools        []AppPool
}

// ListAppPools reads every pool, in configuration order.
func ListAppPools(ctx context.Context, c Caller) (PoolList, error) {
	var res hostapi.AppPoolList
	if err := c.Call(ctx, hostapi.OpAppPoolList, nil, &res); err != nil {
		return PoolList{}, fmt.Errorf("list application pools: %w", err)
	}
	return poolListFromWire(res), nil
}

func poolListFromWire(res hostapi.AppPoolList) PoolList {
	out := PoolList{ComputerName: res.ComputerName, Pools: make([]AppPool, len(res.Pools))}
	for i, w := range res.Pools {
		out.Pools[i] = poolFromWire(w)
	}
	return out
}

// CreateAppPool creates the pool and returns it as read back. The name is
// checked first; a name already in use is an error for which
// IsAlreadyExists is true, never an adoption of that pool.
func CreateAppPool(ctx context.Context, c Caller, s PoolSettings) (AppPool, error) {
	if errs := s.Check(); len(errs) > 0 {
		return AppPool{}, fmt.Errorf("create application pool %q: %w", s.Name, errors.Join(errs...))
	}
	var w hostapi.AppPool
	if err := c.Call(ctx, hostapi.OpAppPoolCreate, s.wire(), &w); err != nil {
		return AppPool{}, fmt.Errorf("create application pool %q: %w", s.Name, err)
	}
	return poolFromWire(w), nil
}

// UpdateAppPool writes the settings that are set and returns the pool as
// read back.
func UpdateAppPool(ctx context.Context, c Caller, s PoolSettings) (AppPool, error) {
	if strings.TrimSpace(s.Name) == "" {
		return AppPool{}, fmt.Errorf("update application pool: a name is required")
	}
	if errs := s.checkValues(); len(errs) > 0 {
		return AppPool{}, fmt.Errorf("update application pool %q: %w", s.Name, errors.Join(errs...))
	}
	var w hostapi.AppPool
	if err := c.Call(ctx, hostapi.OpAppPoolUpdate, s.wire(), &w); err != nil {
		return AppPool{}, fmt.Errorf("update application pool %q: %w", s.Name, err)
	}
	return poolFromWire(w), nil
}

// DeleteAppPool removes a pool. Unless force is set, the host refuses while
// applications run in it, with an error for which IsConflict is true and
// whose text names them.
func DeleteAppPool(ctx context.Context, c Caller, name string, force bool) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("delete application pool: a name is required")
	}
	if err := c.Call(ctx, hostapi.OpAppPoolDelete, hostapi.AppPoolDelete{Name: name, Force: force}, nil); err != nil {
		return fmt.Errorf("delete application pool %q: %w", name, err)
	}
	return nil
}
