package iis

import (
	"strings"
	"testing"
)

func TestParseAccountName(t *testing.T) {
	for _, ok := range []string{
		`CONTOSO\svc-shop`, `.\svc-shop`, `WEB01\deploy`, `svc-shop`, `svc@contoso.com`, `first.last@corp.contoso.com`,
		`CONTOSO\web-api$`, `NT AUTHORITY\NETWORK SERVICE`, `NT AUTHORITY\IUSR`, `IUSR`, `IIS AppPool\shop`,
		`corp.contoso.com\svc`, `O'Reilly`, "svc\u2018\u2019\u00e9", `abcdefghijklmnopqrst`, `svc $(x)`,
	} {
		a, err := ParseAccountName(ok, false)
		if err != nil {
			t.Errorf("%q refused: %v", ok, err)
			continue
		}
		if a.String() != ok {
			t.Errorf("%q reads back as %q", ok, a.String())
		}
	}
	for in, want := range map[string]string{
		`svc"x`:                   `contains "\""`,
		`.\svc;x`:                 `contains ";"`,
		`CONTOSO\a\b`:             `contains "\\"`,
		`\svc`:                    `nothing before '\'`,
		`CON:TOSO\svc`:            `domain part contains ":"`,
		`abcdefghijklmnopqrstu`:   "21 characters",
		`svc.`:                    "ends with a period",
		`...`:                     "only periods and spaces",
		"svc\nx":                  "control character",
		`@contoso.com`:            "nothing before '@'",
		`svc@`:                    "not a domain name",
		`svc@contoso_com`:         "not a domain name",
		`s[v]c@contoso.com`:       `contains "["`,
		`CONTOSO\`:                "empty",
		``:                        "empty",
		`svc*`:                    `contains "*"`,
		`CONTOSO\svc@contoso.com`: `contains "@"`,
	} {
		_, err := ParseAccountName(in, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %s", in, err, want)
		}
	}
	// Groups may be longer than a user's 20 characters.
	if _, err := ParseAccountName(`BUILTIN\Performance Monitor Users`, true); err != nil {
		t.Errorf("a group name: %v", err)
	}
	if _, err := ParseAccountName(`BUILTIN\Performance Monitor Users`, false); err == nil {
		t.Errorf("a 25-character user name was accepted")
	}
}
