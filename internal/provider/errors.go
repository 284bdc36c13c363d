package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

// kindSummaries gives each error kind the summary a user reads first: what
// went wrong in their terms, not in WinRM's.
var kindSummaries = map[protocol.Kind]string{
	protocol.NotFound:        "Object not found on the host",
	protocol.AlreadyExists:   "Object already exists on the host",
	protocol.InvalidArgument: "The host rejected a value",
	protocol.AccessDenied:    "Access denied by the host",
	protocol.Locked:          "Configuration locked on the host",
	protocol.Conflict:        "Conflicting change on the host",
	protocol.Unavailable:     "Host unavailable",
	protocol.Internal:        "Internal error on the host",
}

// kindHints tells the user what to do next for each kind.
var kindHints = map[protocol.Kind]string{
	protocol.NotFound:      "It may have been removed outside Terraform; a refresh will show it.",
	protocol.AlreadyExists: "Import it with `terraform import`, or choose another name.",
	protocol.AccessDenied:  "Check the user name and password, and that the account is an administrator of the host (WinRM and IIS configuration need one).",
	protocol.Locked:        "The configuration section is locked at a higher level (applicationHost.config overrideMode), or another process holds it; unlock it or retry.",
	protocol.Conflict:      "Someone else changed it at the same time; run plan again.",
	protocol.Unavailable:   "Check that WinRM is listening on the host and port (winrm quickconfig), that a firewall allows it, and that https and port match the listener.",
}

// The diagnostic for a host whose PowerShell runs in ConstrainedLanguage
// (remote.ErrLanguageMode). The mode comes from the host's application
// control policy (learn.microsoft.com about_Language_Modes, "Constrained
// language"), so only whoever owns that policy can change it.
const (
	languageModeSummary = "PowerShell on the host runs in ConstrainedLanguage mode"
	languageModeHint    = "An application control policy on the host (Windows Defender Application Control or AppLocker with script enforcement, or the __PSLockdownPolicy environment variable) constrains PowerShell, and the provider's agent needs FullLanguage. " +
		"Ask the host's administrators to allow FullLanguage for the account the provider uses over WinRM, or manage this host without the provider; run `$ExecutionContext.SessionState.LanguageMode` in a WinRM session as that account to see the mode."
)

// remoteDiagnostic turns an error from the remote layer into one diagnostic:
// the summary by kind, the detail naming host, user and operation. The
// password is never part of it: remote errors never carry it, and nothing
// here adds it.
func remoteDiagnostic(err error, username, op, host string) diag.Diagnostic {
	var re *remote.Error
	if !errors.As(err, &re) {
		return diag.NewErrorDiagnostic("Host operation failed",
			fmt.Sprintf("Operation %s on host %s failed: %v", op, host, err))
	}
	if re.Host != "" {
		host = re.Host
	}
	if re.Op != "" {
		op = re.Op
	}
	summary, ok := kindSummaries[re.Kind]
	if !ok {
		summary = "Host operation failed"
	}
	hint := kindHints[re.Kind]
	switch {
	case errors.Is(err, remote.ErrLanguageMode):
		// Not a credentials problem, whatever its kind says: the access
		// hint would send the user the wrong way.
		summary, hint = languageModeSummary, languageModeHint
	case errors.Is(err, remote.ErrKerberos):
		// The message names the side that failed (KDC, credential cache,
		// the host's key) and the fix; the WinRM listener advice would
		// send the user to the wrong place.
		summary, hint = "Kerberos logon failed", ""
	}
	detail := fmt.Sprintf("Operation %s on host %s", op, host)
	if username != "" {
		detail += fmt.Sprintf(" as user %q", username)
	}
	detail += " failed: " + re.Message
	if hint != "" {
		detail += "\n\n" + hint
	}
	return diag.NewErrorDiagnostic(summary, detail)
}
