package acchost

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// Prefix starts the name of everything the acceptance tests create on a
// real host; Cleanup removes exactly what carries it.
const Prefix = "tfacc-"

// Admin runs out-of-band changes on one host.
type Admin struct {
	c *remote.Client
}

// New connects to the host cfg names with the out-of-band agent; cfg's own
// Scripts are replaced. The pool owns the connection.
func New(pool *remote.Pool, cfg remote.Config) (*Admin, error) {
	s, err := Scripts()
	if err != nil {
		return nil, err
	}
	cfg.Scripts = s
	c, err := pool.Client(cfg)
	if err != nil {
		return nil, fmt.Errorf("acchost: connect to %s: %w", cfg.Host, err)
	}
	return &Admin{c: c}, nil
}

// WidenFirewallRule opens rule name to every remote address and, when
// localPorts is not empty, to those local ports, with Set-NetFirewallRule.
func (a *Admin) WidenFirewallRule(ctx context.Context, name string, localPorts []string) error {
	args := map[string]any{"name": name, "local_port": localPorts}
	if err := a.c.Call(ctx, "oob.firewall.widen", args, nil); err != nil {
		return fmt.Errorf("widen firewall rule %q out of band: %w", name, err)
	}
	return nil
}

// RemoveFirewallRule deletes rule name with Remove-NetFirewallRule.
func (a *Admin) RemoveFirewallRule(ctx context.Context, name string) error {
	if err := a.c.Call(ctx, "oob.firewall.remove", map[string]any{"name": name}, nil); err != nil {
		return fmt.Errorf("remove firewall rule %q out of band: %w", name, err)
	}
	return nil
}

// Cleanup removes every firewall rule, local user and application pool
// whose name starts with Prefix, and says what it removed. A host without
// IIS has no pools to remove; any other failure is returned after the
// parts that worked.
func (a *Admin) Cleanup(ctx context.Context) ([]string, error) {
	type result struct {
		Removed []string `json:"removed"`
	}
	var all []string
	var errs []error
	for _, op := range []string{"oob.cleanup", "oob.cleanup.apppools"} {
		var r result
		if err := a.c.Call(ctx, op, map[string]any{}, &r); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", op, err))
			continue
		}
		all = append(all, r.Removed...)
	}
	return all, errors.Join(errs...)
}

// Describe says what Cleanup removes, for the README and the clean command.
func Describe() string {
	return strings.Join([]string{
		"firewall rules in the PersistentStore named " + Prefix + "*",
		"local users named " + Prefix + "*",
		"IIS application pools named " + Prefix + "* (stopped first)",
	}, "; ")
}
