// Package hostscript holds the PowerShell that runs on a real Windows host:
// a short bootstrap that travels on the command line, and the agent that
// the bootstrap receives on stdin, checks against a baked-in SHA-256 and
// runs. Both are fixed text embedded in the binary; user data only ever
// reaches them as framed stdin lines (see internal/protocol).
//
// The agent is agent.ps1 (the framing loop), then the handler files in
// agentParts order, then main.ps1 (which starts the loop once every handler
// has registered). A new handler file must be added to agentParts; a test
// fails when an embedded script is left out.
package hostscript

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf16"
)

//go:embed *.ps1
var files embed.FS

// agentParts is the fixed order in which the agent is assembled.
var agentParts = []string{
	"agent.ps1",
	"host.ps1",
	"firewall.ps1",
	"digest.ps1",
	"anonauth.ps1",
	"account.ps1",
	"apppool.ps1",
	"site.ps1",
	"acl.ps1",
	"main.ps1",
}

// hashPlaceholder is replaced in bootstrap.ps1 by the agent's SHA-256.
const hashPlaceholder = "@@AGENT_SHA256@@"

// The bootstrap's answers when the first stdin line is not the agent. The
// simulator reproduces them, so they are named here once; a test checks
// that bootstrap.ps1 says exactly these.
const (
	// BootstrapExitCode is the bootstrap's exit code when it refuses.
	BootstrapExitCode = 3
	// MsgNoAgent: stdin ended before the agent line.
	MsgNoAgent = "iis-agent: no agent on stdin"
	// MsgNotBase64: the agent line is not base64.
	MsgNotBase64 = "iis-agent: agent line is not base64"
	// MsgHashMismatch: the agent's SHA-256 is not the baked-in one.
	MsgHashMismatch = "iis-agent: agent hash mismatch"
)

// AgentName is what the agent reports in its Hello.
const AgentName = "iis-agent/1"

// commandPrefix is how the client starts the bootstrap.
const commandPrefix = "powershell.exe -NoProfile -NonInteractive -EncodedCommand "

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		// The names are compile-time constants checked by tests; a miss is
		// a build defect, not a runtime condition.
		panic("hostscript: missing embedded script " + name + ": " + err.Error())
	}
	return b
}

// Agent returns the assembled agent script (UTF-8, no BOM).
func Agent() []byte {
	var b strings.Builder
	for i, name := range agentParts {
		if i > 0 {
			b.WriteString("\n")
		}
		b.Write(mustRead(name))
	}
	return []byte(b.String())
}

// AgentSHA256 is the upper-case hex SHA-256 of Agent(), as the bootstrap
// computes it with BitConverter.
func AgentSHA256() string {
	sum := sha256.Sum256(Agent())
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// AgentLine is the first stdin line the client sends: base64 of Agent().
func AgentLine() []byte {
	a := Agent()
	out := make([]byte, base64.StdEncoding.EncodedLen(len(a))+1)
	base64.StdEncoding.Encode(out, a)
	out[len(out)-1] = '\n'
	return out
}

// Bootstrap returns the bootstrap text with the agent's hash filled in.
func Bootstrap() string {
	return strings.Replace(string(mustRead("bootstrap.ps1")), hashPlaceholder, AgentSHA256(), 1)
}

// EncodedCommand is powershell.exe's -EncodedCommand value for Bootstrap():
// base64 of its UTF-16LE bytes.
func EncodedCommand() string {
	return encodeUTF16LE(Bootstrap())
}

func encodeUTF16LE(s string) string {
	units := utf16.Encode([]rune(s))
	raw := make([]byte, 2*len(units))
	for i, u := range units {
		raw[2*i] = byte(u)
		raw[2*i+1] = byte(u >> 8)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// CommandLine is the full command that starts the agent's bootstrap. It
// stays under cmd.exe's 8191-character limit, so it works whether WinRM
// runs it through cmd.exe or not.
func CommandLine() string {
	return commandPrefix + EncodedCommand()
}

// Scripts returns every embedded .ps1 by file name, as stored (the
// bootstrap still holds its hash placeholder), for syntax checks.
func Scripts() map[string][]byte {
	out := map[string][]byte{}
	entries, err := files.ReadDir(".")
	if err != nil {
		panic("hostscript: read embedded scripts: " + err.Error())
	}
	for _, e := range entries {
		out[e.Name()] = mustRead(e.Name())
	}
	return out
}
