package winsim

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// recording is one fixture file of real WinRM exchanges.
type recording struct {
	Messages []struct {
		Request        string `yaml:"request"`
		Response       string `yaml:"response"`
		TransportError *struct {
			Code int `yaml:"code"`
		} `yaml:"transport_error"`
	} `yaml:"messages"`
}

// fixturesDir finds shared/fixtures/winrm-recorded beside the repository
// clone, walking up from the package directory to the module root.
func fixturesDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
	fx := filepath.Join(dir, "..", "shared", "fixtures", "winrm-recorded")
	if _, err := os.Stat(fx); err != nil {
		t.Fatalf("recorded fixtures missing: %v (expected at <repo>/../shared/fixtures/winrm-recorded)", err)
	}
	return fx
}

func loadRecording(t *testing.T, path string) *recording {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r recording
	if err := yaml.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(r.Messages) == 0 {
		t.Fatalf("%s: no messages", path)
	}
	return &r
}

// script replays what one recorded command wrote: its output in segments,
// the process pausing between them where the recording shows it still
// Running, then its exit code.
type script struct {
	segments  [][]chunk
	exit      int
	readStdin bool

	settled chan struct{} // a segment has been written
	release chan struct{} // go on to the next segment
	mu      sync.Mutex
	stdin   []byte
}

// scriptRunner runs the script whose command line matches.
type scriptRunner struct {
	scripts map[string]*script
}

func commandKey(cmd string, args []string) string {
	return cmd + "\x00" + strings.Join(args, "\x00")
}

func (r *scriptRunner) Run(ctx context.Context, c proc.Command) int {
	sc, ok := r.scripts[commandKey(c.Command, c.Args)]
	if !ok {
		return unknownProgram{}.Run(ctx, c)
	}
	if sc.readStdin {
		var in bytes.Buffer
		if _, err := in.ReadFrom(c.Stdin); err != nil {
			return 1
		}
		sc.mu.Lock()
		sc.stdin = in.Bytes()
		sc.mu.Unlock()
	}
	for i, seg := range sc.segments {
		if i > 0 {
			select {
			case <-sc.release:
			case <-ctx.Done():
				return 1
			}
		}
		for _, ch := range seg {
			w := c.Stdout
			if ch.stream == "stderr" {
				w = c.Stderr
			}
			if _, err := w.Write(ch.data); err != nil {
				return 1
			}
		}
		sc.settled <- struct{}{}
	}
	return sc.exit
}

// buildScripts derives a script per recorded command from the recording's
// own Receive replies and Send requests.
func buildScripts(t *testing.T, rec *recording) map[string]*script {
	t.Helper()
	byID := map[string]*script{}
	scripts := map[string]*script{}
	for _, m := range rec.Messages {
		req := mustParse(t, m.Request)
		resp := mustParse(t, m.Response)
		switch find(req, nsAddr, "Action").text() {
		case actCommand:
			id := find(resp, nsShell, "CommandId").text()
			if id == "" {
				continue // the Command itself faulted
			}
			cl := find(req, nsShell, "CommandLine")
			var args []string
			for _, a := range cl.children(nsShell, "Arguments") {
				args = append(args, a.Text)
			}
			sc := &script{}
			byID[id] = sc
			scripts[commandKey(cl.child(nsShell, "Command").Text, args)] = sc
		case actSend:
			for _, st := range findAll(req, nsShell, "Stream") {
				id, _ := st.attr("CommandId")
				if sc := byID[id]; sc != nil {
					sc.readStdin = true
				}
			}
		case actReceive:
			id, _ := find(req, nsShell, "DesiredStream").attr("CommandId")
			sc := byID[id]
			if sc == nil || find(resp, nsSOAP, "Fault") != nil {
				continue
			}
			var seg []chunk
			for _, st := range findAll(resp, nsShell, "Stream") {
				if end, _ := st.attr("End"); end == "true" {
					continue
				}
				name, _ := st.attr("Name")
				data, err := base64.StdEncoding.DecodeString(st.text())
				if err != nil {
					t.Fatal(err)
				}
				seg = append(seg, chunk{stream: name, data: data})
			}
			sc.segments = append(sc.segments, seg)
			if code := find(resp, nsShell, "ExitCode").text(); code != "" {
				for _, c := range code {
					sc.exit = sc.exit*10 + int(c-'0')
				}
			}
		}
	}
	for _, sc := range scripts {
		sc.settled = make(chan struct{}, len(sc.segments))
		sc.release = make(chan struct{}, len(sc.segments))
	}
	return scripts
}

func mustParse(t *testing.T, doc string) *node {
	t.Helper()
	n, err := parseXML([]byte(doc))
	if err != nil {
		t.Fatalf("fixture is not XML: %v\n%s", err, doc)
	}
	return n
}
