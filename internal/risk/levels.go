package risk

import (
	"fmt"
	"strings"
)

// Privilege is how much an identity can do, lowest first.
type Privilege int

const (
	PrivilegeLeast Privilege = iota
	PrivilegeLow
	PrivilegeMedium
	PrivilegeHigh
	PrivilegeFull
)

var privilegeNames = []string{"least", "low", "medium", "high", "full"}

func (p Privilege) String() string {
	if p < 0 || int(p) >= len(privilegeNames) {
		return fmt.Sprintf("privilege(%d)", int(p))
	}
	return privilegeNames[p]
}

// ParsePrivilege reads a level written by String, case-insensitively.
func ParsePrivilege(s string) (Privilege, error) {
	for i, name := range privilegeNames {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return Privilege(i), nil
		}
	}
	return 0, fmt.Errorf("unknown privilege level %q: want one of %s", s, strings.Join(privilegeNames, ", "))
}

// Escalates reports whether going from before to after raises privilege.
func Escalates(before, after Privilege) bool {
	return after > before
}

// Exposure is how far a firewall rule opens the host. The inbound levels
// run from ExposureNone to ExposureCritical; outbound allow rules use the
// separate egress levels, which rank above none but are not comparable with
// the inbound ones.
type Exposure int

const (
	ExposureNone Exposure = iota
	ExposureLow
	ExposureMedium
	ExposureHigh
	ExposureCritical
	ExposureEgressLow
	ExposureEgress
)

var exposureNames = []string{"none", "low", "medium", "high", "critical", "egress-low", "egress"}

func (e Exposure) String() string {
	if e < 0 || int(e) >= len(exposureNames) {
		return fmt.Sprintf("exposure(%d)", int(e))
	}
	return exposureNames[e]
}

// ParseExposure reads a level written by String, case-insensitively.
func ParseExposure(s string) (Exposure, error) {
	for i, name := range exposureNames {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return Exposure(i), nil
		}
	}
	return 0, fmt.Errorf("unknown exposure level %q: want one of %s", s, strings.Join(exposureNames, ", "))
}

// Egress reports whether the level is on the outbound scale.
func (e Exposure) Egress() bool {
	return e == ExposureEgressLow || e == ExposureEgress
}

// rank places a level on its own scale: none is 0 on both.
func (e Exposure) rank() int {
	switch e {
	case ExposureEgressLow:
		return 1
	case ExposureEgress:
		return 2
	}
	return int(e)
}

// Widens reports whether going from before to after opens the host
// further: a higher level on the same scale, or any exposure appearing on
// the other scale (an inbound rule turned outbound or back is a new kind of
// exposure for a reviewer to look at). Going to none never widens.
func Widens(before, after Exposure) bool {
	if after == ExposureNone {
		return false
	}
	if before == ExposureNone || before.Egress() != after.Egress() {
		return true
	}
	return after.rank() > before.rank()
}

// MarshalText writes the level's name, so levels read naturally in JSON
// reports.
func (p Privilege) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a level's name.
func (p *Privilege) UnmarshalText(b []byte) error {
	v, err := ParsePrivilege(string(b))
	if err == nil {
		*p = v
	}
	return err
}

// MarshalText writes the level's name, so levels read naturally in JSON
// reports.
func (e Exposure) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads a level's name.
func (e *Exposure) UnmarshalText(b []byte) error {
	v, err := ParseExposure(string(b))
	if err == nil {
		*e = v
	}
	return err
}
