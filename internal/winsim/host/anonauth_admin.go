package host

import (
	"context"
	"io"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// MsgSectionLocked is the configuration system's text (HRESULT 0x80070021,
// HTTP 500.19) for a section written where its lock forbids it.
const MsgSectionLocked = `This configuration section cannot be used at this path. This happens when the section is locked at a parent level. Locking is either by default (overrideModeDefault="Deny"), or set explicitly by a location tag with overrideMode="Deny" or the legacy allowOverride="false".`

// SetAnonymousAuthWebConfig sets one attribute in the web.config of the
// site or application at location, as Set-WebConfigurationProperty
// -PSPath 'IIS:\Sites\<location>' does. On a stock host the section is
// locked (overrideModeDefault="Deny") and this fails as it does on Windows;
// only after UnlockAnonymousAuth does the value land in web.config.
func (h *Host) SetAnonymousAuthWebConfig(ctx context.Context, location, attr, value string) error {
	v, err := canonical(anonSchema, attr, value)
	if err != nil {
		return err
	}
	return h.update(ctx, func(s *State) error {
		loc, err := canonicalLocation(s, location)
		if err != nil {
			return err
		}
		if loc == "" {
			return errf(protocol.InvalidArgument, "The server level has no site web.config; set it in applicationHost.config.")
		}
		sec := &s.IIS.AnonymousAuth
		if sec.OverrideModeDefault != "Allow" {
			return errf(protocol.Locked, "%s", MsgSectionLocked)
		}
		for i := range sec.WebConfig {
			if strings.EqualFold(sec.WebConfig[i].Path, loc) {
				sec.WebConfig[i].Attrs[attr] = v
				return nil
			}
		}
		sec.WebConfig = append(sec.WebConfig, Location{Path: loc, Attrs: Attrs{attr: v}})
		return nil
	})
}

// SetAnonymousAuthOverrideMode changes the section's lock: "Deny" (stock)
// keeps it out of web.config files, "Allow" delegates it to them
// (Set-WebConfiguration ... -Metadata overrideMode, or appcmd unlock config).
func (h *Host) SetAnonymousAuthOverrideMode(ctx context.Context, mode string) error {
	var canon string
	for _, m := range []string{"Allow", "Deny"} {
		if strings.EqualFold(m, mode) {
			canon = m
		}
	}
	if canon == "" {
		return errf(protocol.InvalidArgument, "'%s' is not a valid value for overrideModeDefault: use Allow or Deny", mode)
	}
	return h.update(ctx, func(s *State) error {
		s.IIS.AnonymousAuth.OverrideModeDefault = canon
		return nil
	})
}

// anonAuthAdminUsage documents the commands of anonAuthAdminCommands.
const anonAuthAdminUsage = `  set-anon-webconfig LOCATION ATTRIBUTE VALUE   through the site's web.config:
                                        fails while the section is locked
  lock-anon | unlock-anon               anonymousAuthentication overrideModeDefault
  add-site NAME [POOL [PHYSICAL_PATH]]
  remove-site NAME
  add-app SITE PATH [POOL [PHYSICAL_PATH]]
  set-app-pool SITE PATH POOL           PATH "/" is the site's root application
  remove-app SITE PATH
`

// anonAuthAdminCommands are the out-of-band changes behind anonymous
// authentication: the section's lock, web.config writes, and the sites and
// applications that locations name.
func anonAuthAdminCommands() map[string]adminCommand {
	opt := func(a []string, i int) string {
		if i < len(a) {
			return a[i]
		}
		return ""
	}
	return map[string]adminCommand{
		"set-anon-webconfig": {3, 4, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			v, err := attrValue(a[1], a[2:])
			if err != nil {
				return err
			}
			return h.SetAnonymousAuthWebConfig(ctx, a[0], a[1], v)
		}},
		"lock-anon": {0, 0, func(ctx context.Context, h *Host, _ []string, _ io.Writer) error {
			return h.SetAnonymousAuthOverrideMode(ctx, "Deny")
		}},
		"unlock-anon": {0, 0, func(ctx context.Context, h *Host, _ []string, _ io.Writer) error {
			return h.SetAnonymousAuthOverrideMode(ctx, "Allow")
		}},
		"add-site": {1, 3, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.AddSite(ctx, a[0], opt(a, 1), opt(a, 2))
		}},
		"remove-site": {1, 1, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.RemoveSite(ctx, a[0])
		}},
		"add-app": {2, 4, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.AddApplication(ctx, a[0], a[1], opt(a, 2), opt(a, 3))
		}},
		"set-app-pool": {3, 3, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.SetApplicationPool(ctx, a[0], a[1], a[2])
		}},
		"remove-app": {2, 2, func(ctx context.Context, h *Host, a []string, _ io.Writer) error {
			return h.RemoveApplication(ctx, a[0], a[1])
		}},
	}
}
