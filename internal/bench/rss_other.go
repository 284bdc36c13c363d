//go:build !linux

package bench

import (
	"os"
	"time"
)

// peakRSS is unknown outside Linux, where ru_maxrss has other units or
// does not exist; the report then shows no memory figure.
func peakRSS(*os.ProcessState) int64 { return 0 }

// processCPU is unknown without /proc.
func processCPU(int) time.Duration { return 0 }

// selfCPU is not measured outside Linux.
func selfCPU() time.Duration { return 0 }

// rusageCountsWaitedChildren is Linux's behaviour (see rss_unix.go); other
// systems' wait4 reports the child alone, as far as this package relies on.
const rusageCountsWaitedChildren = false
