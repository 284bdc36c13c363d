package proc

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostscript"
	"github.com/iisguard/terraform-provider-iis/internal/winsim/host"
)

func run(t *testing.T, e *Emulator, c Command) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	c.Stdin, c.Stdout, c.Stderr = strings.NewReader(""), &out, &errb
	code = e.Run(context.Background(), c)
	return out.String(), errb.String(), code
}

func TestCmdBehaviour(t *testing.T) {
	h := host.New(host.Options{ComputerName: "WEB01"})
	e := New(h, Options{})
	cases := []struct {
		name           string
		c              Command
		stdout, stderr string
		code           int
	}{
		{"echo", Command{Command: "cmd.exe", Args: []string{"/c", "echo", "hi"}}, "hi\r\n", "", 0},
		{"echo dot", Command{Command: "echo."}, "\r\n", "", 0},
		{"echo state", Command{Command: "echo"}, "ECHO is on.\r\n", "", 0},
		// Recorded from a real host (test_winrs_stderr_rc.yml): the space
		// before && is part of echo's text.
		{"chain and redirect", Command{Command: "cmd.exe", Args: []string{"/c echo out && echo err>&2 && exit 1"}}, "out \r\n", "err \r\n", 1},
		{"and stops on failure", Command{Command: "exit /b 3 && echo no"}, "", "", 3},
		{"or runs on failure", Command{Command: "exit /b 3 || echo yes"}, "", "", 3},
		{"or after failure", Command{Command: "nosuch || echo yes"}, "yes\r\n", "'nosuch' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", 0},
		{"ampersand always", Command{Command: "echo a& echo b"}, "a\r\nb\r\n", "", 0},
		{"exit /b", Command{Command: "exit", Args: []string{"/b", "42"}}, "", "", 42},
		{"hostname", Command{Command: "hostname"}, "WEB01\r\n", "", 0},
		{"nul", Command{Command: "echo quiet >nul"}, "", "", 0},
		{"unknown program", Command{Command: "ipconfig.exe", Args: []string{"/all"}},
			"", "'ipconfig.exe' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", 9009},
		{"unknown without cmd", Command{Command: "ipconfig.exe", SkipCmdShell: true}, "", "The system cannot find the file specified.\r\n", 2},
		{"too long", Command{Command: "echo " + strings.Repeat("x", 8200)}, "", "The command line is too long.\r\n", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := run(t, e, tc.c)
			if out != tc.stdout || errs != tc.stderr || code != tc.code {
				t.Fatalf("got (%q, %q, %d), want (%q, %q, %d)", out, errs, code, tc.stdout, tc.stderr, tc.code)
			}
		})
	}
	if e.Stats().PowerShellStarts != 0 {
		t.Fatal("cmd.exe commands counted as PowerShell starts")
	}
}

// The simulator cannot run arbitrary PowerShell; it says so the way a
// PowerShell error reaches a WinRM client and fails, instead of
// pretending to have run the script.
func TestOtherPowerShellFails(t *testing.T) {
	e, _ := newEmulator()
	otherBootstrap := strings.Replace(hostscript.Bootstrap(), "exit 0", "exit 1", 1)
	for name, c := range map[string]Command{
		"command":         {Command: "powershell.exe", Args: []string{"-NoProfile", "-Command", "Get-Date"}},
		"stdin script":    {Command: "powershell.exe", Args: []string{"-"}},
		"other encoded":   {Command: "powershell.exe", Args: []string{"-EncodedCommand", encodeUTF16LE(otherBootstrap)}},
		"broken encoding": {Command: "powershell.exe", Args: []string{"-EncodedCommand", "%%%"}},
		"bare script":     {Command: "powershell.exe", Args: []string{"Write-Host", "hi"}, SkipCmdShell: true},
	} {
		t.Run(name, func(t *testing.T) {
			out, errs, code := run(t, e, c)
			if code != 1 || out != "" || !strings.HasPrefix(errs, "#< CLIXML\r\n<Objs ") || !strings.Contains(errs, `<S S="Error">`) {
				t.Fatalf("got (%q, %q, %d)", out, errs, code)
			}
		})
	}
	if e.Stats().PowerShellStarts != 5 {
		t.Fatalf("PowerShell starts = %d, want 5", e.Stats().PowerShellStarts)
	}
}

func TestArgvFollowsCommandLineToArgvW(t *testing.T) {
	cases := map[string][]string{
		`a b  c`:             {"a", "b", "c"},
		`"a b" c`:            {"a b", "c"},
		`a\\b "c\"d" e`:      {`a\\b`, `c"d`, "e"},
		`"x\\" y`:            {`x\`, "y"},
		`-EncodedCommand AA`: {"-EncodedCommand", "AA"},
		`""`:                 {""},
	}
	for in, want := range cases {
		got := argv(in)
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("argv(%q) = %q, want %q", in, got, want)
		}
	}
}
