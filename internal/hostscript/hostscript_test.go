package hostscript

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

func TestCommandLineFitsCmdExe(t *testing.T) {
	cl := CommandLine()
	// cmd.exe refuses lines over 8191 characters; WinRM without
	// WINRS_SKIP_CMD_SHELL runs everything through cmd.exe.
	if len(cl) >= 8191 {
		t.Fatalf("command line is %d characters, cmd.exe allows 8191", len(cl))
	}
	if !strings.HasPrefix(cl, "powershell.exe -NoProfile -NonInteractive -EncodedCommand ") {
		t.Fatalf("unexpected command line start: %.80s", cl)
	}
	t.Logf("command line: %d characters (bootstrap %d)", len(cl), len(Bootstrap()))
}

func TestEncodedCommandIsUTF16LEOfBootstrap(t *testing.T) {
	raw, err := base64.StdEncoding.DecodeString(EncodedCommand())
	if err != nil {
		t.Fatalf("EncodedCommand is not base64: %v", err)
	}
	if len(raw)%2 != 0 {
		t.Fatalf("odd UTF-16 byte count %d", len(raw))
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	if got := string(utf16.Decode(units)); got != Bootstrap() {
		t.Fatalf("decoded command differs from Bootstrap()")
	}
}

func TestBootstrapCarriesAgentHash(t *testing.T) {
	b := Bootstrap()
	if strings.Contains(b, hashPlaceholder) {
		t.Fatal("bootstrap still holds the placeholder")
	}
	sum := sha256.Sum256(Agent())
	want := strings.ToUpper(hex.EncodeToString(sum[:]))
	if AgentSHA256() != want {
		t.Fatalf("AgentSHA256 = %s, want %s", AgentSHA256(), want)
	}
	if !strings.Contains(b, "'"+want+"'") {
		t.Fatal("bootstrap does not compare against the agent's hash")
	}
	for _, msg := range []string{MsgNoAgent, MsgNotBase64, MsgHashMismatch} {
		if !strings.Contains(b, "'"+msg+"'") {
			t.Errorf("bootstrap lacks message %q that the simulator reproduces", msg)
		}
	}
	// The language-mode refusal the client recognises and the simulator
	// reproduces: the check comes before anything ConstrainedLanguage
	// refuses, and its message and exit code are protocol's.
	refusal := `"` + protocol.LanguageModeRefusal + `$m mode"`
	if !strings.Contains(b, refusal) || !strings.Contains(b, "exit "+strconv.Itoa(protocol.LanguageModeExitCode)) {
		t.Errorf("bootstrap lacks the language-mode refusal %s with exit %d", refusal, protocol.LanguageModeExitCode)
	}
	if check, first := strings.Index(b, "$ExecutionContext.SessionState.LanguageMode"), strings.Index(b, "New-Object"); check < 0 || check > first {
		t.Error("bootstrap must read the language mode before its first .NET call")
	}
	if n := strings.Count(b, "exit "+strconv.Itoa(BootstrapExitCode)); n != 3 {
		t.Errorf("bootstrap has %d refusals with exit %d, want 3", n, BootstrapExitCode)
	}
}

func TestAgentLineDecodesToAgent(t *testing.T) {
	line := AgentLine()
	if !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatal("agent line must be exactly one line")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(line)))
	if err != nil {
		t.Fatalf("agent line is not base64: %v", err)
	}
	if !bytes.Equal(raw, Agent()) {
		t.Fatal("agent line does not carry the agent")
	}
}

func TestAgentIncludesEveryScriptInOrder(t *testing.T) {
	scripts := Scripts()
	listed := map[string]bool{}
	for _, p := range agentParts {
		listed[p] = true
		if _, ok := scripts[p]; !ok {
			t.Errorf("agent part %s is not embedded", p)
		}
	}
	for name := range scripts {
		if name != "bootstrap.ps1" && !listed[name] {
			t.Errorf("%s is embedded but not part of the agent", name)
		}
	}
	if agentParts[0] != "agent.ps1" || agentParts[len(agentParts)-1] != "main.ps1" {
		t.Error("agent.ps1 must come first (param block) and main.ps1 last (starts the loop)")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(stripComments(Agent()), " \r\n\t"), []byte("param(")) {
		t.Error("the agent must open with its param block")
	}
}

func stripComments(b []byte) []byte {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

// Request data is data: the only place PowerShell text becomes code is the
// bootstrap, on the agent whose hash it has just checked.
func TestNoDynamicCodeOutsideBootstrap(t *testing.T) {
	banned := regexp.MustCompile(`(?i)invoke-expression|\biex\b|scriptblock\]::create|\.invokescript|addscript\(`)
	for name, src := range Scripts() {
		hits := banned.FindAllString(string(stripComments(src)), -1)
		if name == "bootstrap.ps1" {
			if len(hits) != 1 || !strings.EqualFold(hits[0], "scriptblock]::Create") {
				t.Errorf("bootstrap should create exactly one scriptblock, found %q", hits)
			}
			continue
		}
		if len(hits) > 0 {
			t.Errorf("%s evaluates text as code: %q", name, hits)
		}
	}
}

func TestAgentErrorKindsMatchProtocol(t *testing.T) {
	m := regexp.MustCompile(`\$script:IisAgentKinds = @\(([^)]*)\)`).FindSubmatch(Scripts()["agent.ps1"])
	if m == nil {
		t.Fatal("agent.ps1 does not declare its error kinds")
	}
	var got []string
	for _, k := range strings.Split(string(m[1]), ",") {
		got = append(got, strings.Trim(strings.TrimSpace(k), "'"))
	}
	var want []string
	for _, k := range protocol.Kinds {
		want = append(want, string(k))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("agent kinds %v, protocol kinds %v", got, want)
	}
	for _, lit := range []string{"'" + protocol.ResponsePrefix + "'", "'" + AgentName + "'", strconv.Itoa(protocol.MaxLine)} {
		if !bytes.Contains(Scripts()["agent.ps1"], []byte(lit)) {
			t.Errorf("agent.ps1 lacks protocol constant %s", lit)
		}
	}
}

// hostapi is the single list of operations: the agent must implement each,
// and nothing else, with a handler function that exists.
func TestAgentImplementsHostAPI(t *testing.T) {
	want := hostapiOps(t)
	agent := string(Agent())
	reg := regexp.MustCompile(`\$script:IisAgentOps\['([^']+)'\] = '([^']+)'`)
	got := map[string]bool{}
	for _, m := range reg.FindAllStringSubmatch(agent, -1) {
		got[m[1]] = true
		if !regexp.MustCompile(`(?m)^function ` + regexp.QuoteMeta(m[2]) + ` \{`).MatchString(agent) {
			t.Errorf("op %s names handler %s, which is not defined", m[1], m[2])
		}
	}
	// Areas arrive one handler file at a time (host.ps1, then iis, then
	// firewall), so an area the agent has not started yet is not an error;
	// a gap inside a started area is.
	areas := map[string]bool{}
	for op := range got {
		areas[area(op)] = true
	}
	for op := range want {
		if areas[area(op)] && !got[op] {
			t.Errorf("hostapi op %s has no agent handler", op)
		}
	}
	if !got["host.info"] {
		t.Error("the agent must at least answer host.info")
	}
	for op := range got {
		if !want[op] {
			t.Errorf("agent handles %s, which hostapi does not list", op)
		}
	}
}

func hostapiOps(t *testing.T) map[string]bool {
	t.Helper()
	paths, err := filepath.Glob("../hostapi/*.go")
	if err != nil || len(paths) == 0 {
		t.Fatalf("find hostapi sources: %v", err)
	}
	ops := map[string]bool{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		collectOps(f, ops)
	}
	if len(ops) == 0 {
		t.Fatal("found no Op constants in hostapi")
	}
	return ops
}

func collectOps(f *ast.File, ops map[string]bool) {
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if !strings.HasPrefix(name.Name, "Op") || i >= len(vs.Values) {
				continue
			}
			if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				ops[v] = true
			}
		}
		return true
	})
}

func area(op string) string {
	a, _, _ := strings.Cut(op, ".")
	return a
}

// The bootstrap's one evaluator runs only what passed the hash check: the
// first stdin line, decoded once into $b, checked, and run on the very
// next line. pscheck's sink exception for it names the code, not this
// order, so the order is held here: a request (later stdin lines, read
// by the agent through $r) can never become the text it runs.
func TestBootstrapRunsOnlyTheHashCheckedAgent(t *testing.T) {
	lines := strings.Split(strings.ReplaceAll(Bootstrap(), "\r\n", "\n"), "\n")
	assigned := func(v string) []string {
		var out []string
		re := regexp.MustCompile(`(^|[;{]\s*)\` + v + `\s*=[^=]`)
		for _, l := range lines {
			if re.MatchString(l) {
				out = append(out, strings.TrimSpace(l))
			}
		}
		return out
	}
	if got := assigned("$l"); len(got) != 1 || !strings.Contains(got[0], "$r.ReadLine()") {
		t.Errorf("$l must be assigned once, from the first stdin line; assignments: %q", got)
	}
	if got := assigned("$b"); len(got) != 2 || got[0] != "$b = $null" || !strings.Contains(got[1], "[Convert]::FromBase64String($l.Trim())") {
		t.Errorf("$b must be the first line decoded, and nothing else; assignments: %q", got)
	}
	if got := assigned("$h"); len(got) != 1 || !strings.Contains(got[0], "ComputeHash($b)") {
		t.Errorf("$h must be the hash of $b; assignments: %q", got)
	}
	sink := -1
	for i, l := range lines {
		if strings.Contains(l, "[scriptblock]::Create(") || strings.Contains(l, "Invoke-Expression") {
			if sink >= 0 {
				t.Fatalf("bootstrap has a second evaluator at line %d", i+1)
			}
			sink = i
		}
	}
	switch {
	case sink < 1:
		t.Fatal("bootstrap runs no agent")
	case !strings.Contains(lines[sink], "[scriptblock]::Create($u.GetString($b))"):
		t.Errorf("the evaluator runs something other than the checked bytes: %s", lines[sink])
	case !strings.HasPrefix(lines[sink-1], "if ($h -cne '"+AgentSHA256()+"')") || !strings.Contains(lines[sink-1], "exit 3"):
		t.Errorf("the line before the evaluator must refuse a hash mismatch; it is: %s", lines[sink-1])
	}
}
