package proc

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// cmd.exe's limits and messages.
const (
	maxCmdLine = 8191
	// exitNotRecognized is cmd.exe's ERRORLEVEL for a program it cannot
	// find (MSG_DIR_BAD_COMMAND_OR_FILE); cmd /c exits with it.
	exitNotRecognized = 9009
)

func notRecognized(w io.Writer, prog string) int {
	fmt.Fprintf(w, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", prog)
	return exitNotRecognized
}

// segment is one simple command of a cmd.exe line and the operator that
// joins it to the previous one ("", "&", "&&" or "||").
type segment struct {
	op, text string
}

// splitSegments cuts a line at the command separators outside quotes.
func splitSegments(line string) []segment {
	var out []segment
	op, start, inQuotes := "", 0, false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			inQuotes = !inQuotes
		case '&', '|':
			if inQuotes || line[i] == '|' && (i+1 >= len(line) || line[i+1] != '|') {
				continue // a single | is a pipe, which the simulator does not run
			}
			if i > 0 && line[i] == '&' && line[i-1] == '>' {
				continue // >&2 is a redirection, not a separator
			}
			out = append(out, segment{op: op, text: line[start:i]})
			op = string(line[i])
			if i+1 < len(line) && line[i+1] == line[i] {
				op += string(line[i])
				i++
			}
			start = i + 1
		}
	}
	return append(out, segment{op: op, text: line[start:]})
}

// redirRe finds the redirections the simulator honours: to the other
// stream (>&2, 1>&2, 2>&1) and to nul.
var redirRe = regexp.MustCompile(`(?i)([12]?)>(&[12]|\s*nul\b)`)

// streams applies a segment's redirections.
func streams(c Command, text string) (string, io.Writer, io.Writer) {
	out, errw := c.Stdout, c.Stderr
	for _, m := range redirRe.FindAllStringSubmatch(text, -1) {
		fd, target := m[1], strings.ToLower(strings.TrimSpace(m[2]))
		var w io.Writer
		switch target {
		case "&1":
			w = c.Stdout
		case "&2":
			w = c.Stderr
		default:
			w = io.Discard
		}
		if fd == "2" {
			errw = w
		} else {
			out = w
		}
	}
	return redirRe.ReplaceAllString(text, ""), out, errw
}

// runCmd runs a line as "cmd.exe /c line" does.
func (e *Emulator) runCmd(ctx context.Context, c Command, line string) int {
	if utf16Len(line) > maxCmdLine {
		fmt.Fprint(c.Stderr, "The command line is too long.\r\n")
		return 1
	}
	level := 0
	for _, seg := range splitSegments(line) {
		if seg.op == "&&" && level != 0 || seg.op == "||" && level == 0 {
			continue
		}
		text, out, errw := streams(c, seg.text)
		sc := c
		sc.Stdout, sc.Stderr = out, errw
		code, exit := e.runSimple(ctx, sc, text)
		level = code
		if exit || ctx.Err() != nil {
			break
		}
	}
	return level
}

// runSimple runs one simple command. exit reports an "exit" that ends cmd.
func (e *Emulator) runSimple(ctx context.Context, c Command, text string) (code int, exit bool) {
	t := strings.TrimLeft(text, " \t@")
	low := strings.ToLower(t)
	if strings.HasPrefix(low, "echo") && (len(t) == 4 || strings.ContainsRune(" \t.(;,=:/", rune(t[4]))) {
		echo(c.Stdout, t[4:])
		return 0, false
	}
	prog, rest := splitFirst(t)
	switch strings.ToLower(prog) {
	case "":
		return 0, false
	case "exit":
		return exitCode(rest), true
	}
	return e.runProgram(ctx, c, prog, rest, false), false
}

// echo prints its text as cmd.exe does: "echo" alone reports the echo
// state, "echo." prints an empty line, anything else is printed verbatim,
// trailing spaces included.
func echo(w io.Writer, arg string) {
	if strings.TrimSpace(arg) == "" && !strings.ContainsAny(arg, ".(;,=:/") {
		fmt.Fprint(w, "ECHO is on.\r\n")
		return
	}
	// The character after "echo" only separates; the rest is the text.
	fmt.Fprint(w, arg[1:]+"\r\n")
}

// exitCode reads "exit [/b] [N]"; a missing or non-numeric N is 0.
func exitCode(rest string) int {
	f := strings.Fields(rest)
	if len(f) > 0 && strings.EqualFold(f[0], "/b") {
		f = f[1:]
	}
	if len(f) == 0 {
		return 0
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return n
}

// runProgram starts a program by name. direct is true when WinRS started it
// without cmd.exe, where a missing program is CreateProcess's error.
func (e *Emulator) runProgram(ctx context.Context, c Command, prog, rest string, direct bool) int {
	switch programBase(prog) {
	case "powershell":
		return e.runPowerShell(ctx, c, argv(rest))
	case "cmd":
		return e.runNestedCmd(ctx, c, rest)
	case "hostname":
		name, err := e.host.ComputerName(ctx)
		if err != nil {
			fmt.Fprintf(c.Stderr, "sethostname: %v\r\n", err)
			return 1
		}
		fmt.Fprint(c.Stdout, name+"\r\n")
		return 0
	}
	if direct {
		// Real WinRS answers with a SOAP fault (ERROR_FILE_NOT_FOUND); a
		// Runner can only report it as the process's failure.
		fmt.Fprint(c.Stderr, "The system cannot find the file specified.\r\n")
		return 2
	}
	return notRecognized(c.Stderr, prog)
}

// runNestedCmd handles "cmd.exe [/d] [/q] [/s] /c|/k LINE".
func (e *Emulator) runNestedCmd(ctx context.Context, c Command, rest string) int {
	r := strings.TrimLeft(rest, " \t")
	for {
		if len(r) < 2 || r[0] != '/' {
			// An interactive cmd.exe with no /c waits on stdin for
			// commands; the simulator does not run one.
			fmt.Fprint(c.Stderr, "winsim: an interactive cmd.exe is not simulated; use cmd.exe /c\r\n")
			return 1
		}
		sw := strings.ToLower(r[1:2])
		r = strings.TrimLeft(r[2:], " \t")
		if sw == "c" || sw == "k" {
			return e.runCmd(ctx, c, r)
		}
	}
}
