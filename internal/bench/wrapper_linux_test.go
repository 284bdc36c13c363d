//go:build linux

package bench

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// The wrapper records everything its parent's rusage counts: here the
// test stands in for terraform, the wrapper (this test binary, see
// TestMain) runs a shell that burns CPU, and once the wrapper's record is
// taken off the parent is left with almost nothing.
func TestWrapperRecordsWhatTheParentsRusageCounts(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(self, "-c", `i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done`)
	cmd.Env = append(os.Environ(), envRealProvider+"="+sh, envUsageDir+"="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wrapper: %v\n%s", err, out)
	}
	st := cmd.ProcessState
	rusage := st.UserTime() + st.SystemTime()
	usages, err := readUsages(dir)
	if err != nil || len(usages) != 1 {
		t.Fatalf("usages %v, %v", usages, err)
	}
	if usages[0].CPU < 50*time.Millisecond || usages[0].WrapperCPU <= 0 {
		t.Fatalf("the wrapper recorded %+v: the shell's loop and its own start should both show", usages[0])
	}
	// What is left is the little the wrapper did after it took its own
	// figure (write the record, exit): less than its start, so leaving
	// the wrapper's own CPU in would show here.
	if own := terraformOwnCPU(rusage, usages, true); own >= usages[0].WrapperCPU {
		t.Errorf("the parent's rusage %s less the wrapper's record %+v leaves %s, want less than the wrapper's own CPU", rusage, usages[0], own)
	}
}
