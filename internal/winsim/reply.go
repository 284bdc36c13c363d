package winsim

import (
	"bytes"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"strings"
)

// xmlWriter writes prefixed XML the way WinRM does: every reply declares
// the same prefixes on the Envelope (s, a, x, w, rsp, p) and uses them.
type xmlWriter struct {
	b bytes.Buffer
}

func (w *xmlWriter) start(name string, attrs ...string) {
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		escape(&w.b, attrs[i+1])
		w.b.WriteByte('"')
	}
	w.b.WriteByte('>')
}

func (w *xmlWriter) end(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// elem writes <name attrs>text</name>, with an explicit end tag even when
// empty, as WinRM does for stream End markers and Running states.
func (w *xmlWriter) elem(name, text string, attrs ...string) {
	w.start(name, attrs...)
	escape(&w.b, text)
	w.end(name)
}

// empty writes <name/>.
func (w *xmlWriter) empty(name string) {
	w.b.WriteString("<" + name + "/>")
}

func escape(b *bytes.Buffer, s string) {
	// EscapeText only fails on write errors, which bytes.Buffer never has.
	_ = xml.EscapeText(b, []byte(s))
}

// envelopeNS are the namespace declarations on every reply's Envelope.
const envelopeNS = `xml:lang="en-US" xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddr +
	`" xmlns:x="` + nsXfer + `" xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="` +
	nsWSMan + `" xmlns:rsp="` + nsShell + `" xmlns:p="` + nsMSWSM + `"`

// envelope writes a whole reply: the addressing header that relates it to
// the request, then whatever body writes inside s:Body.
func replyEnvelope(action, relatesTo string, body func(w *xmlWriter)) []byte {
	var w xmlWriter
	w.b.WriteString("<s:Envelope " + envelopeNS + ">")
	w.start("s:Header")
	w.elem("a:Action", action)
	w.elem("a:MessageID", "uuid:"+newGUID())
	w.elem("a:To", anonymous)
	if relatesTo != "" {
		w.elem("a:RelatesTo", relatesTo)
	}
	w.end("s:Header")
	w.start("s:Body")
	if body != nil {
		body(&w)
	}
	w.end("s:Body")
	w.end("s:Envelope")
	return w.b.Bytes()
}

// newGUID returns a random (version 4) GUID in the upper case WinRM uses for
// shell, command and message ids.
func newGUID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		// crypto/rand does not fail on supported platforms (Go 1.24+ panics
		// internally instead); keep the signature simple.
		panic(fmt.Sprintf("winsim: crypto/rand: %v", err))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]))
}
