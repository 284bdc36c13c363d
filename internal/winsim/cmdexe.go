package winsim

import (
	"context"
	"fmt"
	"strings"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// unknownProgram is the Runner used when Options.Runner is nil: cmd.exe
// that finds no program by the name it was given.
type unknownProgram struct{}

// exitNotRecognized is cmd.exe's exit code for a command it cannot find
// (the "exited with code 9009" that MSBuild users know).
const exitNotRecognized = 9009

func (unknownProgram) Run(_ context.Context, c proc.Command) int {
	fmt.Fprintf(c.Stderr, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n",
		programName(c))
	return exitNotRecognized
}

// programName is the program cmd.exe would look up: the first token of the
// command line, or the quoted string it starts with.
func programName(c proc.Command) string {
	line := strings.TrimLeft(c.Command, " \t")
	if rest, ok := strings.CutPrefix(line, `"`); ok {
		if i := strings.IndexByte(rest, '"'); i >= 0 {
			return rest[:i]
		}
		return rest
	}
	if i := strings.IndexAny(line, " \t&|<>()"); i >= 0 {
		return line[:i]
	}
	return line
}

// commandLine is what WinRS hands to CreateProcess: the command and its
// arguments separated by spaces, under "cmd.exe /c" unless skipped.
func commandLine(c proc.Command) string {
	parts := append([]string{c.Command}, c.Args...)
	line := strings.Join(parts, " ")
	if !c.SkipCmdShell {
		line = `C:\Windows\system32\cmd.exe /c ` + line
	}
	return line
}

// isAbsoluteWindowsPath reports whether p names a file without a search:
// a drive path (C:\...) or a UNC path (\\server\share\...). With
// WINRS_SKIP_CMD_SHELL WinRS passes the command to CreateProcess as the
// application name, which is not searched for on PATH.
func isAbsoluteWindowsPath(p string) bool {
	p = strings.Trim(p, `"`)
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
		c := p[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	return strings.HasPrefix(p, `\\`)
}
