package host

import (
	"context"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// ComputerName is the host's NetBIOS name.
func (h *Host) ComputerName(ctx context.Context) (string, error) {
	var name string
	err := h.view(ctx, func(s *State) error { name = s.System.ComputerName; return nil })
	return name, err
}

// SetComputerName renames the host, as Rename-Computer and a reboot would.
// NetBIOS names are 1 to 15 characters of letters, digits and hyphens, and
// not all digits.
func (h *Host) SetComputerName(ctx context.Context, name string) error {
	if !validComputerName(name) {
		return errf(protocol.InvalidArgument, "Skip computer '%s' with new name '%s' because the new name is not valid.", "localhost", name)
	}
	return h.update(ctx, func(s *State) error {
		s.System.ComputerName = strings.ToUpper(name)
		return nil
	})
}

func validComputerName(name string) bool {
	if len(name) == 0 || len(name) > 15 || strings.Trim(name, "0123456789") == "" {
		return false
	}
	for _, r := range name {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return !strings.HasPrefix(name, "-")
}

// JoinDomain makes the host a member of a DNS domain.
func (h *Host) JoinDomain(ctx context.Context, domain string) error {
	if domain == "" || strings.ContainsAny(domain, ` \/:*?"<>|`) || strings.Trim(domain, ".") != domain {
		return errf(protocol.InvalidArgument, "The specified domain either does not exist or could not be contacted.")
	}
	return h.update(ctx, func(s *State) error {
		s.System.Domain = strings.ToLower(domain)
		s.System.DomainJoined = true
		return nil
	})
}

// LeaveDomain returns the host to a workgroup ("WORKGROUP" when empty).
func (h *Host) LeaveDomain(ctx context.Context, workgroup string) error {
	if workgroup == "" {
		workgroup = stockWorkgroup
	}
	return h.update(ctx, func(s *State) error {
		s.System.Domain = strings.ToUpper(workgroup)
		s.System.DomainJoined = false
		return nil
	})
}

// The language modes a powershell.exe process can start in. RestrictedLanguage
// and NoLanguage belong to session configurations, never to a process the
// WinRS cmd plugin starts, so the simulator does not offer them.
const (
	FullLanguage        = "FullLanguage"
	ConstrainedLanguage = "ConstrainedLanguage"
)

// LanguageMode is the mode powershell.exe starts in on this host.
func (h *Host) LanguageMode(ctx context.Context) (string, error) {
	mode := FullLanguage
	err := h.view(ctx, func(s *State) error {
		if s.System.LanguageMode != "" {
			mode = s.System.LanguageMode
		}
		return nil
	})
	return mode, err
}

// SetLanguageMode puts the host under (ConstrainedLanguage) or out of
// (FullLanguage) an application control policy that constrains PowerShell,
// as a WDAC or AppLocker policy with script enforcement does once applied.
func (h *Host) SetLanguageMode(ctx context.Context, mode string) error {
	var m string
	switch {
	case strings.EqualFold(mode, FullLanguage):
	case strings.EqualFold(mode, ConstrainedLanguage):
		m = ConstrainedLanguage
	default:
		return errf(protocol.InvalidArgument, "language mode %q: a process runs in %s or %s", mode, FullLanguage, ConstrainedLanguage)
	}
	return h.update(ctx, func(s *State) error {
		s.System.LanguageMode = m
		return nil
	})
}
