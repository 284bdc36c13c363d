package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Replies come from the network: whatever a server sends, reading it must
// not panic, and what it yields for messages must stay bounded.
func FuzzParseReply(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "faults", "*.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault/></s:Body></s:Envelope>`)
	f.Fuzz(func(t *testing.T, body string) {
		if fl := parseFault(body); fl != nil {
			_ = fl.asError("Receive")
			_ = fl.quota()
		}
		_ = shellIDFromBody(body)
	})
}

func FuzzCleanStderr(f *testing.F) {
	f.Add("#< CLIXML\r\n<Objs><S S=\"Error\">bad_x000D__x000A_</S></Objs>")
	f.Add("plain text\r\n")
	f.Add("#< CLIXML<S S=\"Error\">_xZZZZ_ _xD800_</S>")
	f.Fuzz(func(t *testing.T, s string) {
		out := cleanStderr(s)
		if len(out) > 1100 {
			t.Fatalf("cleanStderr kept %d bytes", len(out))
		}
		if utf8.ValidString(s) && !strings.HasPrefix(strings.TrimSpace(s), "#< CLIXML") && !utf8.ValidString(out) {
			t.Fatalf("cleanStderr broke valid UTF-8: %q", out)
		}
	})
}
