//go:build !linux

package bench

import "os"

// peakRSS is unknown outside Linux, where ru_maxrss has other units or
// does not exist; the report then shows no memory figure.
func peakRSS(*os.ProcessState) int64 { return 0 }
