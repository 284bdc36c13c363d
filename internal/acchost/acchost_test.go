package acchost

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
	"github.com/iisguard/terraform-provider-iis/internal/winsim"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

func TestAgentIsTheFramingLoopAroundTheOobHandlers(t *testing.T) {
	s := hostscript.Scripts()
	agent := string(Agent())
	if !strings.HasPrefix(agent, string(s["agent.ps1"])) || !strings.HasSuffix(agent, string(s["main.ps1"])) {
		t.Fatal("the out-of-band agent must start with agent.ps1 and end with main.ps1, as hostscript assembles its agent")
	}
	for _, op := range []string{"oob.firewall.widen", "oob.firewall.remove", "oob.cleanup", "oob.cleanup.apppools"} {
		if !strings.Contains(agent, "$script:IisAgentOps['"+op+"']") {
			t.Errorf("agent does not register %s", op)
		}
	}
	// The provider's handlers stay out: an out-of-band change must not go
	// through the code it is testing.
	if strings.Contains(agent, "Invoke-FirewallRuleUpdate") {
		t.Error("the out-of-band agent carries the provider's firewall handlers")
	}
}

func TestBootstrapCarriesThisAgentsHash(t *testing.T) {
	b, err := Bootstrap()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(Agent())
	want := strings.ToUpper(hex.EncodeToString(sum[:]))
	if !strings.Contains(b, "'"+want+"'") {
		t.Fatal("bootstrap does not compare against the out-of-band agent's hash")
	}
	if strings.Contains(b, hostscript.AgentSHA256()) {
		t.Fatal("bootstrap would accept the provider's agent: the two agents must not share a hash")
	}
	if b == hostscript.Bootstrap() {
		t.Fatal("bootstrap is the provider's")
	}
}

func TestScriptsDecodeToBootstrapAndAgent(t *testing.T) {
	s, err := Scripts()
	if err != nil {
		t.Fatal(err)
	}
	// cmd.exe refuses longer lines, and WinRM runs commands through it.
	if len(s.CommandLine) >= 8191 {
		t.Fatalf("command line is %d characters, cmd.exe allows 8191", len(s.CommandLine))
	}
	enc, ok := strings.CutPrefix(s.CommandLine, "powershell.exe -NoProfile -NonInteractive -EncodedCommand ")
	if !ok {
		t.Fatalf("command line %.60q does not start powershell.exe -NoProfile -NonInteractive", s.CommandLine)
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	b, _ := Bootstrap()
	if string(utf16.Decode(units)) != b {
		t.Fatal("-EncodedCommand does not decode to the bootstrap")
	}
	agent, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(string(s.AgentLine), "\n"))
	if err != nil || string(agent) != string(Agent()) {
		t.Fatalf("agent line does not decode to the agent (err %v)", err)
	}
}

func TestDescribeNamesWhatCleanupRemoves(t *testing.T) {
	d := Describe()
	for _, want := range []string{"firewall rules", "local users", "application pools", Prefix + "*"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe() = %q, lacks %q", d, want)
		}
	}
}

// The simulator runs only the provider's agent, as its admin API is how
// tests change it out of band. Pointed at it, the out-of-band agent must
// fail with the simulator's own refusal, decoded from the CLIXML that
// powershell.exe writes on stderr, rather than hang or pass.
func TestTheSimulatorRefusesTheOutOfBandAgentReadably(t *testing.T) {
	t.Parallel()
	const user, pass = "administrator", `P@ss "x" $(y)`
	h := host.New(host.Options{ComputerName: "WEB01"})
	srv, err := winsim.Start(t.Context(), winsim.Options{
		Users:            map[string]string{user: pass},
		AllowUnencrypted: true,
		Runner:           proc.New(h, proc.Options{}),
		ComputerName:     "WEB01",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pool := remote.NewPool(nil)
	t.Cleanup(func() { pool.Close() })
	admin, err := New(pool, remote.Config{
		Host: srv.Host(), Port: srv.Port(), Auth: remote.AuthNTLM,
		Username: user, Password: pass, Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err = admin.RemoveFirewallRule(ctx, "tfacc-web")
	if err == nil {
		t.Fatal("the simulator ran the out-of-band agent")
	}
	msg := err.Error()
	t.Logf("refusal as a user reads it: %s", msg)
	if !strings.Contains(msg, "runs only the iis-agent bootstrap") {
		t.Errorf("error %q does not carry the simulator's refusal", msg)
	}
	if strings.Contains(msg, "CLIXML") || strings.Contains(msg, "<Objs") || strings.Contains(msg, "_x000D_") {
		t.Errorf("error %q shows raw CLIXML instead of its text", msg)
	}
	if strings.Contains(msg, pass) {
		t.Error("error carries the password")
	}
}
