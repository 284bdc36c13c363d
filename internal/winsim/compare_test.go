package winsim

import (
	"encoding/base64"
	"fmt"
	"strings"
)

func decodeB64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// Texts compared verbatim: protocol constants and the fault texts a
// client may show a user. Every other leaf (ids, message ids, owner,
// client IP, addresses, config values) varies between hosts and runs.
var comparedText = map[string]bool{
	nsSOAP + " Value":             true,
	nsSOAP + " Text":              true,
	nsFault + " Message":          true,
	nsFault + " ProviderFault":    true,
	nsAddr + " Action":            true,
	nsAddr + " To":                true,
	nsWSMan + " ResourceURI":      true,
	nsWSMan + " FaultDetail":      true,
	nsShell + " ResourceUri":      true,
	nsShell + " ExitCode":         true,
	nsShell + " Stream":           true,
	nsShell + " InputStreams":     true,
	nsShell + " OutputStreams":    true,
	nsShell + " IdleTimeOut":      true,
	nsShell + " ShellRunTime":     true,
	nsShell + " ShellInactivity":  true,
	nsShell + " WorkingDirectory": true,
	nsShell + " Variable":         true,
}

// Attributes whose values are compared; the rest (CommandId, Machine) vary.
var comparedAttr = map[string]bool{"Name": true, "End": true, "State": true, "Code": true, "lang": true,
	"provider": true, "path": true}

func key(n xmlName) string { return n.Space + " " + n.Local }

type xmlName = struct{ Space, Local string }

func nameOf(n *node) xmlName { return xmlName{n.Name.Space, n.Name.Local} }

// ignoredElement: optional elements real hosts add to some replies only.
func ignoredElement(n *node) bool {
	return n.is(nsMSWSM, "ActivityId")
}

func compareNodes(path string, want, got *node, diffs *[]string) {
	if got == nil {
		*diffs = append(*diffs, fmt.Sprintf("%s: missing %s", path, want.Name.Local))
		return
	}
	path += "/" + want.Name.Local
	if nameOf(want) != nameOf(got) {
		*diffs = append(*diffs, fmt.Sprintf("%s: element {%s}%s, recorded {%s}%s", path,
			got.Name.Space, got.Name.Local, want.Name.Space, want.Name.Local))
		return
	}
	wa, ga := attrs(want), attrs(got)
	for k, v := range wa {
		g, ok := ga[k]
		switch {
		case !ok:
			*diffs = append(*diffs, fmt.Sprintf("%s: attribute %s missing", path, k))
		case comparedAttr[localOf(k)] && g != v:
			*diffs = append(*diffs, fmt.Sprintf("%s: attribute %s=%q, recorded %q", path, k, g, v))
		}
	}
	for k := range ga {
		if _, ok := wa[k]; !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: unexpected attribute %s", path, k))
		}
	}
	wc, gc := elements(want), elements(got)
	if len(wc) == 0 && len(gc) == 0 {
		if comparedText[key(nameOf(want))] && want.Text != got.Text {
			*diffs = append(*diffs, fmt.Sprintf("%s: text %q, recorded %q", path, got.Text, want.Text))
		}
		return
	}
	if len(wc) != len(gc) {
		*diffs = append(*diffs, fmt.Sprintf("%s: children %s, recorded %s", path, names(gc), names(wc)))
		return
	}
	for i := range wc {
		compareNodes(path, wc[i], gc[i], diffs)
	}
}

func attrs(n *node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue // namespace declarations: prefixes are free
		}
		m[a.Name.Space+" "+a.Name.Local] = a.Value
	}
	return m
}

func localOf(k string) string { return k[strings.LastIndexByte(k, ' ')+1:] }

func elements(n *node) []*node {
	var out []*node
	for _, c := range n.Children {
		if !ignoredElement(c) {
			out = append(out, c)
		}
	}
	return out
}

func names(ns []*node) string {
	var s []string
	for _, n := range ns {
		s = append(s, n.Name.Local)
	}
	return "[" + strings.Join(s, " ") + "]"
}
