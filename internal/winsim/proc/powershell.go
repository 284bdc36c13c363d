package proc

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

// psInvocation is what powershell.exe's command line asks for.
type psInvocation struct {
	encoded    string // -EncodedCommand value, "" if none
	hasEncoded bool
	other      bool // -Command, -File, a script, or an unknown parameter
}

// psParams maps each parameter of Windows PowerShell 5.1's powershell.exe
// to the shortest prefix it accepts, and whether it takes a value.
var psParams = []struct {
	name, min string
	value     bool
}{
	{"noprofile", "nop", false},
	{"noninteractive", "noni", false},
	{"nologo", "nol", false},
	{"noexit", "noe", false},
	{"sta", "sta", false},
	{"mta", "mta", false},
	{"encodedcommand", "e", true},
	{"ec", "ec", true},
	{"executionpolicy", "ex", true},
	{"ep", "ep", true},
	{"inputformat", "in", true},
	{"outputformat", "o", true},
	{"windowstyle", "w", true},
	{"version", "v", true},
}

// parsePowerShell reads powershell.exe's arguments. Parameters start with
// - or / and match by any prefix at least as long as the shortest one
// PowerShell accepts (-nop, -noni, -enc, -e).
func parsePowerShell(args []string) psInvocation {
	var inv psInvocation
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || (a[0] != '-' && a[0] != '/') {
			inv.other = true // a command or script path follows
			return inv
		}
		key := strings.ToLower(a[1:])
		matched := false
		for _, p := range psParams {
			if strings.HasPrefix(p.name, key) && len(key) >= len(p.min) {
				matched = true
				if p.value {
					if i+1 >= len(args) {
						inv.other = true
						return inv
					}
					i++
					if p.name == "encodedcommand" || p.name == "ec" {
						inv.encoded, inv.hasEncoded = args[i], true
					}
				}
				break
			}
		}
		if !matched {
			inv.other = true // -Command, -File, or something we do not model
			return inv
		}
	}
	return inv
}

// decodeEncodedCommand reverses -EncodedCommand: base64 of UTF-16LE.
func decodeEncodedCommand(s string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw)%2 != 0 {
		return "", false
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return string(utf16.Decode(units)), true
}

// runPowerShell starts powershell.exe. The only scripts the simulator can
// run are the agents' bootstraps it knows; anything else fails the way a PowerShell
// error reaches a WinRM client, as CLIXML on stderr with exit code 1,
// rather than pretending to have run it.
func (e *Emulator) runPowerShell(ctx context.Context, c Command, args []string) int {
	if err := e.opts.CPUs.Run(ctx, e.opts.PowerShellStart); err != nil {
		return ExitTerminated
	}
	e.psStarts.Add(1)
	inv := parsePowerShell(args)
	if inv.hasEncoded && !inv.other {
		if text, ok := decodeEncodedCommand(inv.encoded); ok {
			if a, ok := e.agentFor(text); ok {
				return e.runBootstrap(ctx, c, a)
			}
		}
	}
	writeCLIXMLError(c.Stderr, "The simulated Windows host runs only the iis-agent bootstrap; this PowerShell command was not run.")
	return 1
}

// agentFor is the agent whose bootstrap text is exactly text: the
// provider's, or one of Options.Agents.
func (e *Emulator) agentFor(text string) (Agent, bool) {
	if text == hostscript.Bootstrap() {
		return Agent{Bootstrap: text, SHA256: hostscript.AgentSHA256(), Handle: e.host.Handle}, true
	}
	for _, a := range e.opts.Agents {
		if text == a.Bootstrap {
			return a, true
		}
	}
	return Agent{}, false
}

// runBootstrap is bootstrap.ps1 running: its language-mode check first,
// then the agent.
func (e *Emulator) runBootstrap(ctx context.Context, c Command, a Agent) int {
	mode, err := e.host.LanguageMode(ctx)
	if err != nil {
		return ExitTerminated
	}
	if mode != host.FullLanguage {
		// The bootstrap's first check, before it reads stdin: Write-Error
		// (its record as PowerShell 5.1's error view lays it out), exit 4.
		writeCLIXMLError(c.Stderr,
			protocol.LanguageModeRefusal+mode+" mode",
			"    + CategoryInfo          : SecurityError: (:) [Write-Error], WriteErrorException",
			"    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException")
		return protocol.LanguageModeExitCode
	}
	return e.runAgent(ctx, c, a)
}

// writeCLIXMLError writes an error the way powershell.exe serialises its
// error stream when stdout is redirected (pywinrm's fixtures show the form).
// Each line is one <S S="Error"> element, as PowerShell writes them.
func writeCLIXMLError(w io.Writer, lines ...string) {
	var b strings.Builder
	b.WriteString("#< CLIXML\r\n")
	b.WriteString(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`)
	for _, l := range lines {
		fmt.Fprintf(&b, `<S S="Error">%s_x000D__x000A_</S>`, clixmlEscape(l))
	}
	b.WriteString(`</Objs>`)
	io.WriteString(w, b.String())
}

func clixmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "_x", "_x005F_x")
	return r.Replace(s)
}
