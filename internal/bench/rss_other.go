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
