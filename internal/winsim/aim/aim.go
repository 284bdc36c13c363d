// Package aim builds the match functions that aim the simulator's faults
// (winsim.Faults.DropReplyWhen and friends) at the WinRM exchange carrying
// one agent request or response. The WS-Management server knows nothing of
// the agent's protocol; tests that want "lose the reply to this create"
// say so with these.
package aim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// Match is the signature the simulator's aimed faults take.
type Match func(request, reply []byte) bool

// Request matches a Send whose stdin carries a request for op whose
// arguments contain marker (say, the name of the object it creates).
func Request(op, marker string) Match {
	return func(request, _ []byte) bool {
		for _, line := range streamLines(request, "stdin") {
			r, err := protocol.DecodeRequest(line)
			if err == nil && r.Op == op && bytes.Contains(r.Args, []byte(marker)) {
				return true
			}
		}
		return false
	}
}

// Response matches a Receive whose stdout carries a successful agent
// response whose result contains marker.
func Response(marker string) Match {
	return func(_, reply []byte) bool {
		return HasResponse(joinLines(streamLines(reply, "stdout")), marker)
	}
}

// HasResponse reports whether agent stdout (raw bytes, as the process
// writes them) holds a successful response whose result contains marker.
func HasResponse(stdout []byte, marker string) bool {
	for _, line := range bytes.FieldsFunc(stdout, isLineEnd) {
		r, framed, err := protocol.DecodeResponse(line)
		if framed && err == nil && r.OK && bytes.Contains(r.Result, []byte(marker)) {
			return true
		}
	}
	return false
}

func joinLines(lines [][]byte) []byte { return bytes.Join(lines, []byte("\n")) }

func isLineEnd(r rune) bool { return r == '\n' || r == '\r' }

// Refusal matches a Receive whose stdout carries a failed agent response
// whose message contains marker.
func Refusal(marker string) Match {
	return func(_, reply []byte) bool {
		for _, line := range streamLines(reply, "stdout") {
			r, framed, err := protocol.DecodeResponse(line)
			if framed && err == nil && !r.OK && r.Error != nil && bytes.Contains([]byte(r.Error.Message), []byte(marker)) {
				return true
			}
		}
		return false
	}
}

// streamLines decodes every rsp:Stream of the given name in a SOAP body
// and splits the bytes into lines.
func streamLines(body []byte, name string) [][]byte {
	d := xml.NewDecoder(bytes.NewReader(body))
	var data []byte
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Stream" || attr(se, "Name") != name {
			continue
		}
		var text string
		if err := d.DecodeElement(&text, &se); err != nil {
			break
		}
		raw, err := base64.StdEncoding.DecodeString(text)
		if err == nil {
			data = append(data, raw...)
		}
	}
	return bytes.FieldsFunc(data, isLineEnd)
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
