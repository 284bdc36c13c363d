package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// AdminUsage documents RunAdmin's command-line form.
const AdminUsage = `usage: admin COMMAND [ARGS]

Out-of-band changes to the simulated host, as an administrator with IIS
Manager, Computer Management or the firewall console would make them.

  show                                  summary of the host
  show-json                             the whole state as JSON (secrets stay sealed)
  set-computer-name NAME
  join-domain DOMAIN
  leave-domain [WORKGROUP]
  set-language-mode MODE                FullLanguage, or ConstrainedLanguage as
                                          WDAC/AppLocker script enforcement imposes
  add-user NAME [--password-env VAR]    password from the environment, never argv
  set-user-password NAME --password-env VAR
  remove-user NAME
  enable-user NAME | disable-user NAME
  add-group NAME [DESCRIPTION]
  add-group-member GROUP MEMBER         MEMBER: local user, built-in (IUSR,
  remove-group-member GROUP MEMBER        NT AUTHORITY\SYSTEM), IIS AppPool\X
  add-pool NAME
  remove-pool NAME
  set-pool NAME ATTRIBUTE VALUE         e.g. processModel.identityType LocalSystem
  set-pool NAME ATTRIBUTE --value-env VAR   for processModel.password
  clear-pool NAME ATTRIBUTE
  set-pool-default ATTRIBUTE VALUE      applicationPoolDefaults
  start-pool NAME | stop-pool NAME
  set-anon LOCATION ATTRIBUTE VALUE     LOCATION "" is the server level,
  set-anon LOCATION password --value-env VAR   else "Site" or "Site/app"
  clear-anon LOCATION
  enable-rule NAME | disable-rule NAME  firewall rules by Name
  remove-rule NAME
` + firewallAdminUsage + anonAuthAdminUsage + appPoolAdminUsage + siteAdminUsage

// secretAttrs may only be given through the environment: a value on a
// command line ends up in shell history and process listings.
var secretAttrs = map[string]bool{"processModel.password": true, "password": true}

// RunAdmin runs one admin command against h and writes its output to out.
// An unknown command or wrong arguments print the usage and fail.
func RunAdmin(h *Host, args []string, out io.Writer) error {
	ctx := context.Background()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(out, AdminUsage)
		if len(args) == 0 {
			return errors.New("admin: no command")
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	c, ok := adminCommands()[cmd]
	if !ok {
		c, ok = anonAuthAdminCommands()[cmd]
	}
	if !ok {
		c, ok = appPoolAdminCommands()[cmd]
	}
	if !ok {
		c, ok = siteAdminCommands()[cmd]
	}
	if !ok {
		fmt.Fprint(out, AdminUsage)
		return fmt.Errorf("admin: unknown command %q", cmd)
	}
	if len(rest) < c.min || (c.max >= 0 && len(rest) > c.max) {
		fmt.Fprint(out, AdminUsage)
		return fmt.Errorf("admin: %s: wrong number of arguments", cmd)
	}
	if err := c.run(ctx, h, rest, out); err != nil {
		return fmt.Errorf("admin: %s: %w", cmd, err)
	}
	return nil
}

type adminCommand struct {
	min, max int // argument counts; max -1 for no limit
	run      func(ctx context.Context, h *Host, a []string, out io.Writer) error
}

func adminCommands() map[string]adminCommand {
	return map[string]adminCommand{
		"show":      {0, 0, func(ctx context.Context, h *Host, _ []string, out io.Writer) error { return showHost(ctx, h, out) }},
		"show-json": {0, 0, showJSON},
		"set-computer-name": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetComputerName(ctx, a[0])
		}},
		"set-language-mode": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetLanguageMode(ctx, a[0])
		}},
		"join-domain": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error { return h.JoinDomain(ctx, a[0]) }},
		"leave-domain": {0, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.LeaveDomain(ctx, strings.Join(a, ""))
		}},
		"add-user": {1, 3, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			pw, err := secretFlag(a[1:], "--password-env", true)
			if err != nil {
				return err
			}
			return h.AddUser(ctx, a[0], pw)
		}},
		"set-user-password": {3, 3, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			pw, err := secretFlag(a[1:], "--password-env", false)
			if err != nil {
				return err
			}
			return h.SetUserPassword(ctx, a[0], pw)
		}},
		"remove-user": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error { return h.RemoveUser(ctx, a[0]) }},
		"enable-user": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetUserEnabled(ctx, a[0], true)
		}},
		"disable-user": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetUserEnabled(ctx, a[0], false)
		}},
		"add-group": {1, 2, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.AddGroup(ctx, a[0], strings.Join(a[1:], ""))
		}},
		"add-group-member": {2, 2, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.AddGroupMember(ctx, a[0], a[1])
		}},
		"remove-group-member": {2, 2, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.RemoveGroupMember(ctx, a[0], a[1])
		}},
		"add-pool":    {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error { return h.AddAppPool(ctx, a[0]) }},
		"remove-pool": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error { return h.RemoveAppPool(ctx, a[0]) }},
		"set-pool": {3, 4, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			v, err := attrValue(a[1], a[2:])
			if err != nil {
				return err
			}
			return h.SetAppPoolAttr(ctx, a[0], a[1], v)
		}},
		"clear-pool": {2, 2, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.ClearAppPoolAttr(ctx, a[0], a[1])
		}},
		"set-pool-default": {2, 3, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			v, err := attrValue(a[0], a[1:])
			if err != nil {
				return err
			}
			return h.SetPoolDefault(ctx, a[0], v)
		}},
		"start-pool": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetAppPoolState(ctx, a[0], true)
		}},
		"stop-pool": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetAppPoolState(ctx, a[0], false)
		}},
		"set-anon": {3, 4, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			v, err := attrValue(a[1], a[2:])
			if err != nil {
				return err
			}
			return h.SetAnonymousAuth(ctx, a[0], a[1], v)
		}},
		"clear-anon": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.ClearAnonymousAuth(ctx, a[0])
		}},
		"enable-rule": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetFirewallRuleEnabled(ctx, a[0], true)
		}},
		"disable-rule": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetFirewallRuleEnabled(ctx, a[0], false)
		}},
		"remove-rule": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.RemoveFirewallRule(ctx, a[0])
		}},
		"add-rule": {2, -1, adminAddRule},
		"set-rule": {2, -1, adminSetRule},
	}
}

// attrValue takes an attribute's value from the arguments, or for a
// secret attribute from the environment variable named after --value-env.
func attrValue(attr string, a []string) (string, error) {
	if secretAttrs[attr] {
		return secretFlag(a, "--value-env", false)
	}
	if len(a) != 1 {
		return "", errors.New("expected one VALUE")
	}
	return a[0], nil
}

// secretFlag reads "FLAG VAR" from a and returns the variable's value. A
// secret given any other way is refused without echoing it.
func secretFlag(a []string, flag string, optional bool) (string, error) {
	if len(a) == 0 && optional {
		return "", nil
	}
	if len(a) != 2 || a[0] != flag {
		return "", fmt.Errorf("secrets are read from the environment: use %s VAR", flag)
	}
	v, ok := os.LookupEnv(a[1])
	if !ok {
		return "", fmt.Errorf("environment variable %s is not set", a[1])
	}
	return v, nil
}

func showJSON(ctx context.Context, h *Host, _ []string, out io.Writer) error {
	s, err := h.Snapshot(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}
