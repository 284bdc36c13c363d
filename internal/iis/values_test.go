package iis

import (
	"reflect"
	"strings"
	"testing"

	"github.com/iisguard/terraform-provider-iis/internal/hostapi"
)

func TestValidatePoolName(t *testing.T) {
	for _, ok := range []string{"shop", "Shop API (v2)", "a", strings.Repeat("p", 64), "café", "NET v4.5"} {
		if err := ValidatePoolName(ok); err != nil {
			t.Errorf("ValidatePoolName(%q) = %v", ok, err)
		}
	}
	for name, want := range map[string]string{
		"":                      "cannot be empty",
		strings.Repeat("p", 65): "65 characters long; at most 64",
		".NET v9":               "Parent node has no children of type appPool.",
		"a/b":                   `contains "/"`,
		"a]":                    `contains "]"`,
		"x@y":                   `contains "@"`,
		"a&b":                   `\ / " | < > : * ? ] [ + = ; , @ &`,
		" shop":                 "white space",
		"tab\there":             "control character",
	} {
		err := ValidatePoolName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidatePoolName(%q) = %v, want it to say %q", name, err, want)
		}
	}
}

func TestCanonicalTimeSpan(t *testing.T) {
	for in, want := range map[string]string{
		"00:20:00":   "00:20:00",
		"1:0:0":      "01:00:00",
		"1.05:00:00": "1.05:00:00",
		"0.23:59:59": "23:59:59",
		"00:00:00":   "00:00:00",
	} {
		got, err := CanonicalTimeSpan(in)
		if err != nil || got != want {
			t.Errorf("CanonicalTimeSpan(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"29:00:00": `write whole days as a prefix: "1.05:00:00"`,
		"20:00":    "hh:mm:ss",
		"00:60:00": "hh:mm:ss",
		"-1:00:00": "hh:mm:ss",
		"1h":       "hh:mm:ss",
		"":         "hh:mm:ss",
		"1.2.3":    "hh:mm:ss",
	} {
		_, err := CanonicalTimeSpan(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CanonicalTimeSpan(%q) = %v, want it to say %q", in, err, want)
		}
	}
	if _, err := CanonicalTimeOfDay("1.03:00:00"); err == nil {
		t.Error("a schedule time of a day or more was accepted")
	}
}

func TestAccountFor(t *testing.T) {
	for _, tc := range []struct{ typ, user, want string }{
		{"ApplicationPoolIdentity", "", `IIS AppPool\shop`},
		{"4", "", `IIS AppPool\shop`},
		{"localsystem", "", `NT AUTHORITY\SYSTEM`},
		{"LocalService", "", `NT AUTHORITY\LOCAL SERVICE`},
		{"NetworkService", "", `NT AUTHORITY\NETWORK SERVICE`},
		{"SpecificUser", `CORP\svc-shop`, `CORP\svc-shop`},
	} {
		if got := AccountFor("shop", tc.typ, tc.user); got != tc.want {
			t.Errorf("AccountFor(shop, %s, %s) = %s, want %s", tc.typ, tc.user, got, tc.want)
		}
	}
}

func TestCheckIdentity(t *testing.T) {
	pw := "pw"
	for _, tc := range []struct {
		s    IdentitySettings
		want string // "" for valid
	}{
		{IdentitySettings{Type: "ApplicationPoolIdentity"}, ""},
		{IdentitySettings{Type: "SpecificUser", UserName: `.\svc`, Password: &pw}, ""},
		{IdentitySettings{Type: "SpecificUser", UserName: `CORP\web$`}, ""},
		{IdentitySettings{Type: "SpecificUser", UserName: `CORP\web$`, Password: &pw}, "group managed service account"},
		{IdentitySettings{Type: "SpecificUser", UserName: `.\svc`}, "needs a password"},
		{IdentitySettings{Type: "SpecificUser"}, "needs a user name"},
		{IdentitySettings{Type: "LocalSystem", UserName: "svc"}, "only to identity type SpecificUser"},
		{IdentitySettings{Type: "Root"}, `"Root" is not one of`},
		{IdentitySettings{Type: "LocalService", LogonType: "Interactive"}, "logon type"},
	} {
		err := CheckIdentity(tc.s)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckIdentity(%+v) = %v, want %q", tc.s, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), pw+" ") {
			t.Errorf("the error quotes the password: %v", err)
		}
	}
}

func TestIsManagedServiceAccount(t *testing.T) {
	for user, want := range map[string]bool{`CORP\web$`: true, `corp\x$`: true, `.\web$`: false, `web$`: false, `CORP\web`: false, `CORP\$`: false} {
		if got := IsManagedServiceAccount(user); got != want {
			t.Errorf("IsManagedServiceAccount(%q) = %v", user, got)
		}
	}
}

// Whatever spelling Windows returns (enum numbers, other case, TimeSpans
// with a zero day), the pool reads the same.
func TestPoolFromWireNormalises(t *testing.T) {
	p := poolFromWire(hostapi.AppPool{
		Name: "shop", State: "started", ManagedRuntimeVersion: "V4.0", ManagedPipelineMode: "1", StartMode: "alwaysrunning",
		IdleTimeout: "0.00:20:00", IdentityType: "4", LogonType: "1",
		PeriodicRestart: hostapi.PeriodicRestart{Time: "1.05:00:00", Schedule: []string{"23:00:00", "3:00:00"}},
	})
	want := AppPool{
		Name: "shop", State: "Started", ManagedRuntimeVersion: "v4.0", PipelineMode: "Classic", StartMode: "AlwaysRunning",
		IdleTimeout: "00:20:00", Identity: Identity{Type: "ApplicationPoolIdentity", LogonType: "LogonService"},
		PeriodicRestart: PeriodicRestart{Time: "1.05:00:00", Schedule: []string{"03:00:00", "23:00:00"}},
		Applications:    []PoolApplication{},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("normalised\n got %+v\nwant %+v", p, want)
	}
}

// Whatever a host or a user writes, a TimeSpan that reads is canonical
// after one pass, and the canonical form reads as itself.
func FuzzCanonicalTimeSpan(f *testing.F) {
	for _, s := range []string{"00:20:00", "1.05:00:00", "29:00:00", "1:2:3", "10675199.23:59:59", ".1:00:00", "1.:00:00", "٠١:٠٠:٠٠", "00:00:00\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := CanonicalTimeSpan(s)
		if err != nil {
			return
		}
		again, err := CanonicalTimeSpan(c)
		if err != nil || again != c {
			t.Fatalf("%q -> %q, which reads as %q, %v", s, c, again, err)
		}
		if strings.TrimSpace(c) != c || strings.ContainsAny(c, "-+ ") {
			t.Fatalf("%q -> non-canonical %q", s, c)
		}
	})
}
