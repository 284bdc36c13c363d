package simulate

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

func TestParseServeDefaults(t *testing.T) {
	o, err := parseServe(nil, noEnv, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Listen != "127.0.0.1:5985" || o.User != "administrator" || o.Latency != "none" || o.TLS || o.AllowUnencrypted {
		t.Fatalf("defaults: %+v", o)
	}
	o, err = parseServe([]string{"--tls"}, noEnv, &bytes.Buffer{})
	if err != nil || o.Listen != "127.0.0.1:5986" {
		t.Fatalf("--tls must default to the HTTPS port: %+v %v", o, err)
	}
}

// --host-cpus defaults to the latency model's processors (none without
// latency, two for lan and wan), 0 lifts the limit, and nonsense is refused
// with the accepted range.
func TestParseServeHostCPUs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, 0},
		{[]string{"--latency", "lan"}, 2},
		{[]string{"--latency", "wan"}, 2},
		{[]string{"--latency", "lan", "--host-cpus", "8"}, 8},
		{[]string{"--latency", "lan", "--host-cpus", "0"}, 0},
	} {
		o, err := parseServe(tc.args, noEnv, &bytes.Buffer{})
		if err != nil || o.HostCPUs != tc.want {
			t.Errorf("%v: host CPUs %d (%v), want %d", tc.args, o.HostCPUs, err, tc.want)
		}
	}
	_, err := parseServe([]string{"--host-cpus", "-3"}, noEnv, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--host-cpus -3: accepted values are 0 (no limit) to 1024") {
		t.Errorf("--host-cpus -3: %v", err)
	}
}

func TestParseServePasswordFromEnvironment(t *testing.T) {
	env := func(k string) string {
		if k == PasswordEnv {
			return "from-env"
		}
		return ""
	}
	o, err := parseServe(nil, env, &bytes.Buffer{})
	if err != nil || o.Password != "from-env" || !o.PasswordFromEnv {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = parseServe([]string{"--password", "from-flag"}, env, &bytes.Buffer{})
	if err != nil || o.Password != "from-flag" || o.PasswordFromEnv {
		t.Fatalf("the flag must win: %+v %v", o, err)
	}
}

func TestParseServeRejectsBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"--latency", "satellite"},
		{"--ca-out", "ca.pem"},
		{"--bogus"},
		{"extra"},
		{"--user", ""},
	} {
		if _, err := parseServe(args, noEnv, &bytes.Buffer{}); err == nil || errors.Is(err, errHelp) {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestParseServeHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseServe([]string{"--help"}, noEnv, &out)
	if !errors.Is(err, errHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"--listen", "--tls", "--state", PasswordEnv, "ready: <url>", "simulate admin"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help does not mention %q", want)
		}
	}
}

func TestParseAdmin(t *testing.T) {
	o, err := parseAdmin([]string{"--state", "host.json", "apppool", "set", "DefaultAppPool", "--identity", "LocalSystem"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.State != "host.json" || strings.Join(o.Command, " ") != "apppool set DefaultAppPool --identity LocalSystem" {
		t.Fatalf("%+v", o)
	}
	if _, err := parseAdmin([]string{"apppool", "list"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--state") {
		t.Fatalf("missing --state: %v", err)
	}
	if _, err := parseAdmin([]string{"--state", "host.json"}, &bytes.Buffer{}); err == nil {
		t.Fatal("missing command accepted")
	}
	var out bytes.Buffer
	if _, err := parseAdmin([]string{"--help"}, &out); !errors.Is(err, errHelp) || !strings.Contains(out.String(), "drift") {
		t.Fatalf("help: %v %q", err, out.String())
	}
}
