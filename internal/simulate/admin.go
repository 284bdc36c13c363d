package simulate

import (
	"fmt"
	"io"
	"os"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// admin runs one out-of-band command on the host stored in o.State. The
// host package locks and reloads the file per operation, so this is safe
// while a simulator serves the same file.
func admin(o adminOptions, out io.Writer) error {
	// Refuse a missing file instead of letting Open create a fresh host: a
	// typo in --state would otherwise change a host nobody runs.
	if _, err := os.Stat(o.State); err != nil {
		return fmt.Errorf("state file: %w (start the simulator with --state %s first)", err, o.State)
	}
	h, err := host.Open(o.State, host.Options{})
	if err != nil {
		return fmt.Errorf("open host state %s: %w", o.State, err)
	}
	return host.RunAdmin(h, o.Command, out)
}
