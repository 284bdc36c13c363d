package winsim

import (
	"strings"
	"testing"
	"time"
)

func TestEnvelopeIsReadByNamespaceNotPrefix(t *testing.T) {
	// masterzen's prefixes, pypsrp's, and default namespaces all mean the same.
	docs := []string{
		soapRequest(actReceive, "S1", "PT20S", "", receiveBody("C1")),
		`<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:wsa="` + nsAddr + `" xmlns:wsman="` + nsWSMan + `"><s:Header>` +
			`<wsa:Action>` + actReceive + `</wsa:Action><wsman:OperationTimeout>PT20S</wsman:OperationTimeout>` +
			`<wsman:SelectorSet><wsman:Selector Name="ShellId">S1</wsman:Selector></wsman:SelectorSet></s:Header>` +
			`<s:Body><Receive xmlns="` + nsShell + `"><DesiredStream CommandId="C1">stdout stderr</DesiredStream></Receive></s:Body></s:Envelope>`,
	}
	for _, d := range docs {
		env, err := parseEnvelope([]byte(d))
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, d)
		}
		ds := env.BodyFirstElem.child(nsShell, "DesiredStream")
		id, _ := ds.attr("CommandId")
		if env.Action != actReceive || env.Selectors["ShellId"] != "S1" || env.OpTimeout != "PT20S" || id != "C1" {
			t.Fatalf("misread %+v", env)
		}
	}
	// The right local names in the wrong namespace are not an envelope.
	if _, err := parseEnvelope([]byte(`<s:Envelope xmlns:s="urn:other"><s:Header/><s:Body/></s:Envelope>`)); err == nil {
		t.Fatal("accepted an Envelope outside the SOAP 1.2 namespace")
	}
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT60S": time.Minute, "PT60.000S": time.Minute, "PT0.5S": 500 * time.Millisecond,
		"PT1M30S": 90 * time.Second, "P0DT0H0M5S": 5 * time.Second, "P1D": 24 * time.Hour,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "60", "PT", "P1Y", "PTS", "PT-1S", "PT1H2D", "P1S", "PT99999999999999999999H", "PTNaNS", "PT1e3S", "PT+1S", "PT1..2S"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := formatDuration(7200 * time.Second); got != "PT7200.000S" {
		t.Errorf("format %s", got)
	}
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(soapRequest(actCommand, "S", "PT1S", "", commandBody("cmd", "/c", "echo"))))
	f.Add([]byte(`<a><b>` + strings.Repeat("<c>", 70)))
	f.Fuzz(func(t *testing.T, doc []byte) {
		env, err := parseEnvelope(doc)
		if err == nil && env.Header == nil {
			t.Fatal("an envelope without a header")
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT60S", "P1DT2H3M4.5S", "PT0.000S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseDuration(s); err == nil && d < 0 {
			t.Fatalf("%q parsed to a negative %v", s, d)
		}
	})
}
