//go:build linux

package bench

import (
	"os"
	"syscall"
)

// peakRSS is the child's ru_maxrss, which Linux reports in KiB.
func peakRSS(st *os.ProcessState) int64 {
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}
