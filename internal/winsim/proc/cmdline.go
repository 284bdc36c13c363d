package proc

import (
	"strings"
	"unicode/utf16"
)

// joinCommand is the command line WinRS hands to cmd.exe /c: the command
// and its arguments separated by single spaces, as sent.
func joinCommand(cmd string, args []string) string {
	if len(args) == 0 {
		return cmd
	}
	return cmd + " " + joinArgs(args)
}

func joinArgs(args []string) string { return strings.Join(args, " ") }

// splitFirst splits a command line into the program token (quotes
// removed) and the raw rest that the program receives, as cmd.exe does.
func splitFirst(line string) (prog, rest string) {
	line = strings.TrimLeft(line, " \t")
	if strings.HasPrefix(line, `"`) {
		if i := strings.IndexByte(line[1:], '"'); i >= 0 {
			return line[1 : i+1], line[i+2:]
		}
		return line[1:], ""
	}
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		return line[:i], line[i:]
	}
	return line, ""
}

// programBase is the lower-case file name of a program without .exe:
// "C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.EXE" -> "powershell".
func programBase(prog string) string {
	p := strings.ToLower(strings.Trim(prog, `"`))
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		p = p[i+1:]
	}
	return strings.TrimSuffix(p, ".exe")
}

// argv splits a command line's arguments as CommandLineToArgvW does:
// whitespace separates, double quotes group, backslashes escape a quote
// only when they precede one.
func argv(s string) []string {
	var out []string
	var cur strings.Builder
	inQuotes, have := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuotes = !inQuotes
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			have = true
		case ch == '"':
			if inQuotes && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i++
			} else {
				inQuotes = !inQuotes
			}
			have = true
		case (ch == ' ' || ch == '\t') && !inQuotes:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(ch)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// utf16Len is a command line's length as Windows counts it.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }
