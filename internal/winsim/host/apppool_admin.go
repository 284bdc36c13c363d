package host

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// Out-of-band access to app pools beyond admin.go's set-pool and friends:
// what an administrator reads with appcmd list apppool /text:..., the
// password in clear included (windows-host.md 1.1), and the runtime facts
// the configuration does not hold.

// AppPoolRecycles is how many times WAS has recycled the pool's worker
// process, identity changes included.
func (h *Host) AppPoolRecycles(ctx context.Context, pool string) (int64, error) {
	var n int64
	err := h.view(ctx, func(s *State) error {
		i := findPool(s, pool)
		if i < 0 {
			return poolNotFound(pool)
		}
		n = s.IIS.Pools[i].Recycles
		return nil
	})
	return n, err
}

// AppPoolSchedule is the pool's periodic restart schedule, times of day.
func (h *Host) AppPoolSchedule(ctx context.Context, pool string) ([]string, error) {
	var out []string
	err := h.view(ctx, func(s *State) error {
		i := findPool(s, pool)
		if i < 0 {
			return poolNotFound(pool)
		}
		out = slices.Clone(s.IIS.Pools[i].Schedule)
		return nil
	})
	return out, err
}

// SetAppPoolSchedule replaces the pool's periodic restart schedule.
func (h *Host) SetAppPoolSchedule(ctx context.Context, pool string, times []string) error {
	for _, t := range times {
		if !timeOfDayRe.MatchString(t) {
			return errf(protocol.InvalidArgument, "'%s' is not a valid value for attribute 'value'", t)
		}
	}
	return h.update(ctx, func(s *State) error {
		i := findPool(s, pool)
		if i < 0 {
			return poolNotFound(pool)
		}
		var sched []string
		for _, t := range times {
			if !slices.Contains(sched, t) {
				sched = append(sched, t)
			}
		}
		s.IIS.Pools[i].Schedule = sched
		return nil
	})
}

// AppPoolValue reads one effective attribute as appcmd's /text: does, the
// password in clear text; "state", "recycles" and "schedule" read the
// runtime facts.
func (h *Host) AppPoolValue(ctx context.Context, pool, attr string) (string, error) {
	var out string
	err := h.view(ctx, func(s *State) error {
		i := findPool(s, pool)
		if i < 0 {
			return poolNotFound(pool)
		}
		p := s.IIS.Pools[i]
		switch attr {
		case "state":
			out = p.State
		case "recycles":
			out = strconv.FormatInt(p.Recycles, 10)
		case "schedule":
			out = strings.Join(p.Schedule, ",")
		default:
			if _, ok := poolSchema[attr]; !ok {
				return errf(protocol.InvalidArgument, "Unrecognized attribute '%s'", attr)
			}
			out = effective(poolSchema, s.IIS.PoolDefaults, p.Attrs)[attr]
		}
		return nil
	})
	return out, err
}

// appPoolAdminUsage documents appPoolAdminCommands.
const appPoolAdminUsage = `  get-pool NAME ATTRIBUTE               effective value, as appcmd /text: reads it
                                        (processModel.password in clear text);
                                        also state, recycles, schedule
  set-pool-schedule NAME [HH:MM:SS...]  periodic restart times; none clears
`

func appPoolAdminCommands() map[string]adminCommand {
	return map[string]adminCommand{
		"get-pool": {2, 2, func(ctx context.Context, h *Host, a []string, out io.Writer) error {
			v, err := h.AppPoolValue(ctx, a[0], a[1])
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(out, v)
			return err
		}},
		"set-pool-schedule": {1, -1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetAppPoolSchedule(ctx, a[0], a[1:])
		}},
	}
}
