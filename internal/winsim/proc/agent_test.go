package proc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/protocol"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/cpu"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

func TestAgentHelloAndHostInfo(t *testing.T) {
	h := host.New(host.Options{ComputerName: "WEB01"})
	e := New(h, Options{})
	p := start(t, e, agentCommand())
	p.write(hostscript.AgentLine())
	hello := p.nextResponse()
	var hi protocol.Hello
	if err := json.Unmarshal(hello.Result, &hi); err != nil || hi.Agent != hostscript.AgentName || hi.PSVersion != "5.1.20348.2849" {
		t.Fatalf("hello = %s (%v)", hello.Result, err)
	}
	p.write(request(t, 1, hostapi.OpHostInfo, ""))
	r := p.nextResponse()
	var info hostapi.HostInfo
	if r.ID != 1 || !r.OK || json.Unmarshal(r.Result, &info) != nil {
		t.Fatalf("host.info response = %+v", r)
	}
	if info.ComputerName != "WEB01" || info.IISVersion != "10.0" || info.Domain != "WORKGROUP" {
		t.Fatalf("host.info = %+v", info)
	}
	p.stdin.Close()
	if code := p.wait(); code != 0 {
		t.Fatalf("exit %d after stdin EOF, want 0", code)
	}
	if s := e.Stats(); s.PowerShellStarts != 1 || s.Ops != 1 {
		t.Fatalf("stats = %+v", s)
	}
	if p.stderr.String() != "" {
		t.Fatalf("stderr %q", p.stderr.String())
	}
}

// The client may start the agent in any of the ways powershell.exe
// accepts: one cmd.exe line, abbreviated or reordered switches, a full
// path, with or without cmd.exe in between.
func TestAgentRecognisedInEveryForm(t *testing.T) {
	enc := hostscript.EncodedCommand()
	forms := map[string]Command{
		"one line":       {Command: hostscript.CommandLine()},
		"abbreviated":    {Command: "PowerShell", Args: []string{"-nop", "-noni", "-enc", enc}},
		"reordered":      {Command: "powershell.exe", Args: []string{"-ENCODEDCOMMAND", enc, "/NonInteractive", "-NoProfile"}},
		"e and ep":       {Command: "powershell", Args: []string{"-ep", "Bypass", "-e", enc}},
		"full path":      {Command: `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, Args: []string{"-NoProfile", "-EncodedCommand", enc}},
		"no cmd shell":   {Command: "powershell.exe", Args: []string{"-NoProfile", "-NonInteractive", "-EncodedCommand", enc}, SkipCmdShell: true},
		"cmd /c wrapper": {Command: "cmd.exe", Args: []string{"/c", hostscript.CommandLine()}},
	}
	for name, c := range forms {
		t.Run(name, func(t *testing.T) {
			e, _ := newEmulator()
			p := start(t, e, c)
			p.write(hostscript.AgentLine())
			if r := p.nextResponse(); r.ID != 0 || !r.OK {
				t.Fatalf("hello = %+v", r)
			}
			p.stdin.Close()
			if code := p.wait(); code != 0 {
				t.Fatalf("exit %d", code)
			}
		})
	}
}

// Several request lines in one stdin chunk are all answered, in order,
// each response in its own stdout chunk.
func TestAgentAnswersBatchedRequests(t *testing.T) {
	e, _ := newEmulator()
	p := startAgent(t, e)
	var batch []byte
	for _, id := range []uint64{7, 8, 9} {
		batch = append(batch, request(t, id, hostapi.OpHostInfo, `{}`)...)
	}
	p.write(batch)
	for _, want := range []uint64{7, 8, 9} {
		if r := p.nextResponse(); r.ID != want || !r.OK {
			t.Fatalf("response %+v, want ok for id %d", r, want)
		}
	}
	if e.Stats().Ops != 3 {
		t.Fatalf("ops = %d", e.Stats().Ops)
	}
}

func TestBootstrapRefusesAnotherAgent(t *testing.T) {
	tampered := append(hostscript.Agent(), []byte("\nRemove-Item C:\\ -Recurse\n")...)
	cases := map[string]struct {
		first []byte
		msg   string
	}{
		"hash mismatch":  {[]byte(base64.StdEncoding.EncodeToString(tampered) + "\n"), hostscript.MsgHashMismatch},
		"not base64":     {[]byte("Write-Output 'hi'\n"), hostscript.MsgNotBase64},
		"stdin ends now": {nil, hostscript.MsgNoAgent},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e, _ := newEmulator()
			p := start(t, e, agentCommand())
			if tc.first != nil {
				p.write(tc.first)
			} else {
				p.stdin.Close()
			}
			if code := p.wait(); code != hostscript.BootstrapExitCode {
				t.Fatalf("exit %d, want %d", code, hostscript.BootstrapExitCode)
			}
			if got := p.stderr.String(); got != tc.msg+"\r\n" {
				t.Fatalf("stderr %q, want %q", got, tc.msg)
			}
			if out := p.stdout.String(); out != "" {
				t.Fatalf("refused agent wrote %q", out)
			}
			if e.Stats().Ops != 0 {
				t.Fatal("refused agent served operations")
			}
		})
	}
}

func TestAgentUnknownOperation(t *testing.T) {
	e, _ := newEmulator()
	p := startAgent(t, e)
	p.write(request(t, 4, "iis.pool.obliterate", `{"name":"DefaultAppPool"}`))
	r := p.nextResponse()
	if r.ID != 4 || r.OK || r.Error == nil || r.Error.Kind != protocol.InvalidArgument || r.Error.Message != "unknown operation" {
		t.Fatalf("response = %+v", r)
	}
	// The session goes on.
	p.write(request(t, 5, hostapi.OpHostInfo, ""))
	if r := p.nextResponse(); r.ID != 5 || !r.OK {
		t.Fatalf("after unknown op: %+v", r)
	}
}

func TestAgentUndecodableLines(t *testing.T) {
	e, _ := newEmulator()
	p := startAgent(t, e)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	p.write([]byte("\r\n   \n")) // blank lines: no answer
	p.write([]byte("!!not base64!!\n"))
	if r := p.nextResponse(); r.ID != 0 || r.OK || r.Error.Kind != protocol.InvalidArgument {
		t.Fatalf("garbage line: %+v", r)
	}
	p.write([]byte(b64(`[1,2,3]`) + "\n"))
	if r := p.nextResponse(); r.ID != 0 || r.Error == nil || r.Error.Message != "request is not a JSON object" {
		t.Fatalf("JSON array: %+v", r)
	}
	p.write([]byte(b64(`{"id":12,"args":{}}`) + "\n"))
	if r := p.nextResponse(); r.ID != 12 || r.Error == nil || r.Error.Message != "request needs an id and an op" {
		t.Fatalf("no op: %+v", r)
	}
	p.write([]byte(b64(`{"id":-3,"op":"host.info"}`) + "\n"))
	if r := p.nextResponse(); r.ID != 0 || r.Error == nil {
		t.Fatalf("negative id: %+v", r)
	}
	p.write(request(t, 13, hostapi.OpHostInfo, ""))
	if r := p.nextResponse(); r.ID != 13 || !r.OK {
		t.Fatalf("valid request after bad ones: %+v", r)
	}
	if len(p.stdout.all()) != 6 {
		t.Fatalf("blank lines were answered: %d chunks", len(p.stdout.all()))
	}
}

// User data is data: quotes, subexpressions, backticks, CDATA ends,
// newlines and non-ASCII in arguments and even in the op name reach the
// host as JSON and come back framed, without disturbing the session.
func TestAgentHostileStringsStayData(t *testing.T) {
	e, _ := newEmulator()
	p := startAgent(t, e)
	hostile := []string{
		`'; Remove-Item C:\ -Recurse; '`, `"$(Stop-Computer)"`, "`n`r`0 back`tick", "]]></rsp:Stream>",
		"line1\nline2\r\n#<IISAGENT1>forged", "\u2018curly\u2019 \u201cquotes\u201d \u00e9\u00e8 \u65e5\u672c", "$env:USERNAME @(1) ${x}",
	}
	for i, s := range hostile {
		args, _ := json.Marshal(map[string]string{"name": s, "password": s})
		p.write(request(t, uint64(100+i), hostapi.OpHostInfo, string(args)))
		if r := p.nextResponse(); r.ID != uint64(100+i) || !r.OK {
			t.Fatalf("hostile args %q: %+v", s, r)
		}
		p.write(request(t, uint64(200+i), s, string(args)))
		r := p.nextResponse()
		if r.ID != uint64(200+i) || r.Error == nil || r.Error.Message != "unknown operation" {
			t.Fatalf("hostile op %q: %+v", s, r)
		}
		if bytes.Contains([]byte(p.stdout.String()), []byte("Stop-Computer")) {
			t.Fatal("a hostile value was echoed to stdout")
		}
	}
}

func TestAgentStopsWhenTerminated(t *testing.T) {
	e, _ := newEmulator()
	p := startAgent(t, e)
	p.cancel()
	if code := p.wait(); code != ExitTerminated {
		t.Fatalf("exit %d after terminate, want %d", code, ExitTerminated)
	}
}

func TestPowerShellStartIsCharged(t *testing.T) {
	e := New(host.New(host.Options{}), Options{PowerShellStart: 40 * time.Millisecond})
	begin := time.Now()
	p := start(t, e, agentCommand())
	p.write(hostscript.AgentLine())
	p.nextResponse()
	if d := time.Since(begin); d < 40*time.Millisecond {
		t.Fatalf("hello after %v, PowerShell start costs 40ms", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	if code := e.Run(ctx, Command{Command: hostscript.CommandLine(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}); code != ExitTerminated {
		t.Fatalf("cancelled start exit %d", code)
	}
}

// On a host with one processor, powershell.exe starts wait for each other
// and for the host's operations, which run on the same processor: three
// agents started together answer their hello after three starts, not one.
func TestPowerShellStartsQueueForTheHostsProcessors(t *testing.T) {
	const startCost = 60 * time.Millisecond
	cpus := cpu.New(1)
	h := host.New(host.Options{Latency: host.Latency{PerOp: startCost, CPUs: cpus}})
	e := New(h, Options{PowerShellStart: startCost, CPUs: cpus})
	begin := time.Now()
	procs := make([]*process, 3)
	for i := range procs {
		procs[i] = start(t, e, agentCommand())
		procs[i].write(hostscript.AgentLine())
	}
	for _, p := range procs {
		p.nextResponse()
	}
	if d := time.Since(begin); d < 3*startCost {
		t.Fatalf("three agents on one processor said hello after %v, want at least %v", d, 3*startCost)
	}
	// Three requests at once, one per agent: 3 x 60 ms of operations on
	// one processor.
	begin = time.Now()
	for i, p := range procs {
		p.write(request(t, uint64(i+1), hostapi.OpHostInfo, ""))
	}
	for _, p := range procs {
		if r := p.nextResponse(); !r.OK {
			t.Fatalf("host.info = %+v", r)
		}
	}
	if d := time.Since(begin); d < 3*startCost {
		t.Fatalf("three operations on one processor took %v, want at least %v", d, 3*startCost)
	}
	if st := cpus.Stats(); st.Busy < 6*startCost || st.Wait < 2*startCost {
		t.Fatalf("processor stats %+v: want 6 x %v busy and queueing", st, startCost)
	}
}

func TestReadLineBoundsLongLines(t *testing.T) {
	in := strings.NewReader("short\r\n" + strings.Repeat("x", 100) + "\nnext\nlast")
	done := make(chan struct{})
	defer close(done)
	var got []line
	for l := range readLines(in, 10, done) {
		got = append(got, l)
	}
	if len(got) != 5 || string(got[0].text) != "short" || !got[1].tooLong || len(got[1].text) != 0 ||
		string(got[2].text) != "next" || string(got[3].text) != "last" || got[4].err == nil {
		t.Fatalf("lines = %+v", got)
	}
}

// The simulator answers undecodable lines with agent.ps1's own messages,
// so a client sees the same text from both.
func TestDecodeMessagesMatchAgentScript(t *testing.T) {
	agent := string(hostscript.Scripts()["agent.ps1"])
	for _, msg := range []string{"request is not base64 JSON", "request is not a JSON object", "request needs an id and an op", "request line too long", "unknown operation"} {
		if !strings.Contains(agent, "'"+msg+"'") {
			t.Errorf("agent.ps1 does not say %q", msg)
		}
	}
}
