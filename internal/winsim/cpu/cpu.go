// Package cpu models a simulated host's processors: work the latency model
// charges to the host (starting powershell.exe or wsmprovhost, running an
// operation) holds one of a fixed number of CPUs for its duration, so work
// beyond that number waits, as it does on a real host. Without the model a
// simulated host would start any number of PowerShell processes at once
// for the price of one, which no Windows server does and which flatters
// clients that start many.
package cpu

import (
	"context"
	"sync/atomic"
	"time"
)

// CPUs is a host's processors. The nil *CPUs has as many as are asked for:
// work only takes its time.
type CPUs struct {
	slots chan struct{}

	busy atomic.Int64 // nanoseconds of work done
	wait atomic.Int64 // nanoseconds work spent waiting for a CPU
}

// New returns n processors, or nil (no limit) when n is not positive.
func New(n int) *CPUs {
	if n <= 0 {
		return nil
	}
	return &CPUs{slots: make(chan struct{}, n)}
}

// Count is the number of processors, 0 for no limit.
func (c *CPUs) Count() int {
	if c == nil {
		return 0
	}
	return cap(c.slots)
}

// Run spends d of one processor's time: it waits for a free processor,
// then holds it for d. It returns ctx's error if ctx ends first; work
// that was cut short still counts the time it ran.
func (c *CPUs) Run(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if c == nil {
		return sleep(ctx, d)
	}
	start := time.Now()
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		c.wait.Add(int64(time.Since(start)))
		return ctx.Err()
	}
	defer func() { <-c.slots }()
	ran := time.Now()
	c.wait.Add(int64(ran.Sub(start)))
	err := sleep(ctx, d)
	c.busy.Add(int64(time.Since(ran)))
	return err
}

// Stats is what the processors have done.
type Stats struct {
	Count int           `json:"count"` // 0: no limit
	Busy  time.Duration `json:"busy"`  // work done, summed over the processors
	Wait  time.Duration `json:"wait"`  // time work queued for a free processor, summed
}

// Stats returns the counters; the nil *CPUs reports none.
func (c *CPUs) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	return Stats{Count: cap(c.slots), Busy: time.Duration(c.busy.Load()), Wait: time.Duration(c.wait.Load())}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
