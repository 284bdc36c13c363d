// Package acchost changes a real Windows host behind Terraform's back, as
// an administrator would, for the acceptance tests that run against one
// (make testacc-windows). The simulator has an admin API for this; a real
// host has PowerShell, reached here through internal/remote with an agent
// of its own: hostscript's framing loop (agent.ps1, main.ps1) around the
// handlers in oob.ps1, under a bootstrap that carries that agent's hash.
// The oob handlers call the cmdlets directly and never the provider's own
// handlers, so a drift test cannot pass because the provider agrees with
// itself. Request data still travels only as framed JSON on stdin.
package acchost

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

//go:embed oob.ps1
var oobScript string

// hashPlaceholder is what bootstrap.ps1 holds in place of the agent's hash.
const hashPlaceholder = "@@AGENT_SHA256@@"

// Agent is the out-of-band agent: the framing loop, the oob handlers, and
// the line that starts the loop, joined as hostscript joins its parts.
func Agent() []byte {
	s := hostscript.Scripts()
	return []byte(strings.Join([]string{string(s["agent.ps1"]), oobScript, string(s["main.ps1"])}, "\n"))
}

// Bootstrap is hostscript's bootstrap with this agent's hash.
func Bootstrap() (string, error) {
	text := string(hostscript.Scripts()["bootstrap.ps1"])
	if strings.Count(text, hashPlaceholder) != 1 {
		return "", fmt.Errorf("acchost: bootstrap.ps1 no longer holds one %s placeholder", hashPlaceholder)
	}
	return strings.Replace(text, hashPlaceholder, AgentSHA256(), 1), nil
}

// AgentSHA256 is the upper-case hex SHA-256 of Agent(), the hash its
// bootstrap accepts.
func AgentSHA256() string {
	sum := sha256.Sum256(Agent())
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Scripts is what remote.Config needs to start the out-of-band agent.
func Scripts() (remote.Scripts, error) {
	b, err := Bootstrap()
	if err != nil {
		return remote.Scripts{}, err
	}
	units := utf16.Encode([]rune(b))
	raw := make([]byte, 2*len(units))
	for i, u := range units {
		raw[2*i], raw[2*i+1] = byte(u), byte(u>>8)
	}
	line := base64.StdEncoding.EncodeToString(Agent()) + "\n"
	return remote.Scripts{
		CommandLine: "powershell.exe -NoProfile -NonInteractive -EncodedCommand " + base64.StdEncoding.EncodeToString(raw),
		AgentLine:   []byte(line),
	}, nil
}
