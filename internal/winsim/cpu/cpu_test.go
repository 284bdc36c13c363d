package cpu

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Work beyond the processor count waits: four 50 ms jobs on two CPUs take
// two rounds, on an unlimited host one.
func TestRunQueuesBeyondTheProcessors(t *testing.T) {
	for _, tc := range []struct {
		cpus       int
		minRounds  int
		maxRounds  int
		wantQueued bool
	}{
		{cpus: 2, minRounds: 2, maxRounds: 3, wantQueued: true},
		{cpus: 4, minRounds: 1, maxRounds: 1, wantQueued: false},
		{cpus: 0, minRounds: 1, maxRounds: 1, wantQueued: false},
	} {
		c := New(tc.cpus)
		const job = 50 * time.Millisecond
		start := time.Now()
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := c.Run(context.Background(), job); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		took := time.Since(start)
		if took < time.Duration(tc.minRounds)*job || took >= time.Duration(tc.maxRounds+1)*job {
			t.Errorf("%d CPUs: four %v jobs took %v, want %d to %d rounds", tc.cpus, job, took, tc.minRounds, tc.maxRounds)
		}
		st := c.Stats()
		if st.Count != tc.cpus {
			t.Errorf("%d CPUs: Stats().Count = %d", tc.cpus, st.Count)
		}
		if tc.cpus > 0 && st.Busy < 4*job {
			t.Errorf("%d CPUs: busy %v, want at least %v", tc.cpus, st.Busy, 4*job)
		}
		if queued := st.Wait >= job; queued != tc.wantQueued {
			t.Errorf("%d CPUs: waited %v in all, want queued=%v", tc.cpus, st.Wait, tc.wantQueued)
		}
	}
}

// A caller that gives up while waiting for a processor leaves at once and
// does not take one.
func TestRunGivesUpWhileQueued(t *testing.T) {
	c := New(1)
	hold := make(chan struct{})
	go func() { _ = c.Run(context.Background(), 200*time.Millisecond); close(hold) }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := c.Run(ctx, time.Second); err == nil {
		t.Fatal("Run returned nil after its context ended")
	}
	if took := time.Since(start); took > 150*time.Millisecond {
		t.Errorf("gave up after %v, want about 30ms", took)
	}
	<-hold
	if err := c.Run(context.Background(), time.Millisecond); err != nil {
		t.Errorf("the processor was not freed: %v", err)
	}
}
