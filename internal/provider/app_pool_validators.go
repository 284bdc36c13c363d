package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/iisguard/terraform-provider-iis/internal/iis"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// stringCheck is a plan-time validator built from a pure check: it skips
// null and unknown values, and reports the check's own words at the
// attribute.
type stringCheck struct {
	summary string
	desc    string
	check   func(string) error
}

func (v stringCheck) Description(context.Context) string         { return v.desc }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.desc }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error()+".")
	}
}

// newPoolNameValidator holds a name to what New-WebAppPool accepts.
func newPoolNameValidator() validator.String {
	return stringCheck{
		summary: "Invalid application pool name",
		desc:    "a pool name New-WebAppPool accepts: 1-64 characters, none of " + iis.InvalidPoolNameChars + ", not starting with '.'",
		check:   iis.ValidatePoolName,
	}
}

// existingPoolNameValidator is lenient with a leading '.': pools that IIS
// ships (".NET v4.5") or that IIS Manager made have such names, and their
// identity can still be managed.
func existingPoolNameValidator() validator.String {
	return stringCheck{
		summary: "Invalid application pool name",
		desc:    "an application pool name: 1-64 characters, none of " + iis.InvalidPoolNameChars,
		check: func(s string) error {
			if strings.HasPrefix(s, ".") {
				s = "x" + s[1:]
			}
			return iis.ValidatePoolName(s)
		},
	}
}

// timeSpanValidator accepts a TimeSpan in the form the host reads back, so
// that what is configured and what is read never differ in spelling only.
func timeSpanValidator() validator.String {
	return stringCheck{
		summary: "Invalid time span",
		desc:    "a TimeSpan as IIS writes it: hh:mm:ss or d.hh:mm:ss, hours 0-23",
		check:   canonicalOnly(iis.CanonicalTimeSpan),
	}
}

// timeOfDayValidator accepts a periodic restart time, hh:mm:ss.
func timeOfDayValidator() validator.String {
	return stringCheck{
		summary: "Invalid restart time",
		desc:    "a time of day as IIS writes it: hh:mm:ss, under 24:00:00",
		check:   canonicalOnly(iis.CanonicalTimeOfDay),
	}
}

func canonicalOnly(parse func(string) (string, error)) func(string) error {
	return func(s string) error {
		c, err := parse(s)
		if err != nil {
			return err
		}
		if c != s {
			return fmt.Errorf("write %q as %q, the form the host reads back, so that plans compare like with like", s, c)
		}
		return nil
	}
}

// splitHostID reads an import ID: "name", or "host/name" for an object on
// another host than the provider's. Pool names cannot contain "/", so the
// first "/" splits unambiguously.
func splitHostID(id string) (host, name string) {
	if h, n, ok := strings.Cut(id, "/"); ok {
		return h, n
	}
	return "", id
}

// asRemoteError finds the host's own error in err, whose Message is what
// Windows or the agent said (already redacted).
func asRemoteError(err error) (*remote.Error, bool) {
	var re *remote.Error
	ok := errors.As(err, &re)
	return re, ok
}
