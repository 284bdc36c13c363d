package iis

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// InvalidPoolNameChars are the characters IIS refuses in application pool
// names (ApplicationPoolCollection.InvalidApplicationPoolNameCharacters).
const InvalidPoolNameChars = `\/"|<>:*?][+=;,@&`

// MaxPoolNameLength is WebAdministrationDsc's limit. Microsoft publishes
// none, but WAS ignores pools whose id is too long (event 5050), so the
// provider holds names to what the most used peer accepts.
const MaxPoolNameLength = 64

// MsgParentNodeNoAppPool is WebAdministration's error for New-WebAppPool
// with a name that starts with '.', although IIS itself ships such pools.
const MsgParentNodeNoAppPool = "Parent node has no children of type appPool."

// ValidatePoolName applies the rules a pool name must pass to be created
// with New-WebAppPool, and says which one a name breaks and why.
func ValidatePoolName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("an application pool name cannot be empty")
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("application pool name %q starts or ends with white space, which IIS Manager and appcmd trim; remove it", name)
	case utf8.RuneCountInString(name) > MaxPoolNameLength:
		return fmt.Errorf("application pool name %q is %d characters long; at most %d are allowed", name, utf8.RuneCountInString(name), MaxPoolNameLength)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("application pool name %q starts with '.', which New-WebAppPool refuses (%q)", name, MsgParentNodeNoAppPool)
	}
	if i := strings.IndexAny(name, InvalidPoolNameChars); i >= 0 {
		return fmt.Errorf("application pool name %q contains %q; IIS does not allow any of %s in pool names",
			name, name[i:i+1], spaced(InvalidPoolNameChars))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("application pool name %q contains a control character", name)
		}
	}
	return nil
}

func spaced(chars string) string {
	parts := make([]string, 0, len(chars))
	for _, r := range chars {
		parts = append(parts, string(r))
	}
	return strings.Join(parts, " ")
}

// CanonicalTimeSpan reads an IIS TimeSpan as .NET's TimeSpan.Parse does
// ("hh:mm:ss" or "d.hh:mm:ss", hours 0-23, minutes and seconds 0-59) and
// returns it in the invariant "c" form the host reads back: "20:00" is
// refused (.NET would read it as hours and minutes, a surprise), "1:0:0"
// becomes "01:00:00". Fractions of a second are not accepted: no IIS
// setting the provider manages has them.
func CanonicalTimeSpan(s string) (string, error) {
	days := 0
	rest := s
	if d, r, ok := strings.Cut(s, "."); ok && !strings.Contains(r, ".") {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 10675199 {
			return "", timeSpanError(s)
		}
		days, rest = n, r
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return "", timeSpanError(s)
	}
	vals := make([]int64, 3)
	for i, p := range parts {
		if p == "" || len(p) > 2 || strings.Trim(p, "0123456789") != "" {
			return "", timeSpanError(s)
		}
		n, _ := strconv.Atoi(p)
		vals[i] = int64(n)
	}
	if vals[1] > 59 || vals[2] > 59 {
		return "", timeSpanError(s)
	}
	if vals[0] > 23 {
		return "", fmt.Errorf("%q has %d hours; .NET reads at most 23, so write whole days as a prefix: %q",
			s, vals[0], FormatTimeSpan(int64(days)*86400+vals[0]*3600+vals[1]*60+vals[2]))
	}
	return FormatTimeSpan(int64(days)*86400 + vals[0]*3600 + vals[1]*60 + vals[2]), nil
}

func timeSpanError(s string) error {
	return fmt.Errorf("%q is not a TimeSpan: write hh:mm:ss (00:20:00) or d.hh:mm:ss (1.05:00:00), hours 0-23", s)
}

// FormatTimeSpan writes a number of seconds in .NET's "c" form.
func FormatTimeSpan(seconds int64) string {
	d, rem := seconds/86400, seconds%86400
	hms := fmt.Sprintf("%02d:%02d:%02d", rem/3600, rem%3600/60, rem%60)
	if d > 0 {
		return fmt.Sprintf("%d.%s", d, hms)
	}
	return hms
}

// CanonicalTimeOfDay reads a periodic restart schedule entry: a time of
// day, "hh:mm:ss" (a TimeSpan under one day).
func CanonicalTimeOfDay(s string) (string, error) {
	c, err := CanonicalTimeSpan(s)
	if err != nil || strings.Contains(c, ".") {
		return "", fmt.Errorf("%q is not a time of day: write hh:mm:ss, hours 0-23", s)
	}
	return c, nil
}

// canonicalEnum returns the canonical spelling of v among names, matching
// case-insensitively, or by its IIS number (the index) when the host
// returns numbers. Unknown values are kept as given, so nothing is lost.
func canonicalEnum(v string, names []string) string {
	v = strings.TrimSpace(v)
	for i, n := range names {
		if strings.EqualFold(v, n) || v == strconv.Itoa(i) {
			return n
		}
	}
	return v
}

// The enumerations, in IIS's numbering. They are functions so that no
// caller can change the lists another relies on.

// IdentityTypes are processModel.identityType's values.
func IdentityTypes() []string {
	return []string{"LocalSystem", "LocalService", "NetworkService", "SpecificUser", "ApplicationPoolIdentity"}
}

// PipelineModes are managedPipelineMode's values.
func PipelineModes() []string { return []string{"Integrated", "Classic"} }

// StartModes are startMode's values.
func StartModes() []string { return []string{"OnDemand", "AlwaysRunning"} }

// LogonTypes are processModel.logonType's values.
func LogonTypes() []string { return []string{"LogonBatch", "LogonService"} }

// RuntimeVersions are the CLR versions IIS knows; "" is "No Managed Code".
func RuntimeVersions() []string { return []string{"", "v1.1", "v2.0", "v4.0"} }

// PoolStates are the runtime states WAS reports.
func PoolStates() []string { return []string{"Starting", "Started", "Stopping", "Stopped", "Unknown"} }
