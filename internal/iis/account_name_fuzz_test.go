package iis

import (
	"strings"
	"testing"
)

// FuzzParseAccountName holds the account name parser, which reads user
// input, to three properties: it never panics; what it accepts reads back
// byte for byte (String), so the name reaches the host as written; and an
// accepted name's account part has none of the characters Windows refuses
// and no control character.
func FuzzParseAccountName(f *testing.F) {
	for _, seed := range []string{
		`CONTOSO\svc-shop`, `.\svc`, `svc`, `svc@contoso.com`, `CONTOSO\web$`, `NT AUTHORITY\NETWORK SERVICE`,
		`\svc`, `a\b\c`, `a@b@c`, `svc.`, `...`, "svc\x00", `abcdefghijklmnopqrstu`, `svc"; $(x)`, `@x.com`, `x@-a.com`,
		"\xff\xfe", `BUILTIN\Performance Monitor Users`,
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, in string, groups bool) {
		a, err := ParseAccountName(in, groups)
		if err != nil {
			return
		}
		if a.String() != in {
			t.Fatalf("%q reads back as %q", in, a.String())
		}
		if strings.ContainsAny(a.Name, samForbidden) {
			t.Fatalf("%q accepted with a forbidden character in %q", in, a.Name)
		}
		for _, r := range in {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("%q accepted with a control character", in)
			}
		}
	})
}
