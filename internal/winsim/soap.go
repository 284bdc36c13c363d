package winsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespace URIs. Requests are matched on these, never on prefixes: pypsrp
// says wsa:/wsman:, masterzen says a:/w:, and both are right.
const (
	nsSOAP  = "http://www.w3.org/2003/05/soap-envelope"
	nsAddr  = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsXfer  = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsWSMan = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsMSWSM = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	nsShell = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	nsFault = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	nsCfg   = "http://schemas.microsoft.com/wbem/wsman/1/config"
	nsXML   = "http://www.w3.org/XML/1998/namespace"
)

// Actions and resources.
const (
	actCreate   = nsXfer + "/Create"
	actDelete   = nsXfer + "/Delete"
	actGet      = nsXfer + "/Get"
	actCommand  = nsShell + "/Command"
	actSend     = nsShell + "/Send"
	actReceive  = nsShell + "/Receive"
	actSignal   = nsShell + "/Signal"
	actFault    = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	uriCmdShell = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
	uriConfig   = "http://schemas.microsoft.com/wbem/wsman/1/config"
	anonymous   = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

	stateDone    = nsShell + "/CommandState/Done"
	stateRunning = nsShell + "/CommandState/Running"
)

// node is one element of a parsed envelope.
type node struct {
	Name     xml.Name
	Attr     []xml.Attr
	Children []*node
	Text     string
}

// maxDepth bounds nesting so a hostile envelope cannot make the parser
// recurse without limit; real WS-Man envelopes are about 6 deep.
const maxDepth = 64

var errNotEnvelope = errors.New("not a SOAP 1.2 envelope")

// parseXML reads a whole document into a tree. encoding/xml resolves
// prefixes to namespace URIs, keeps CDATA as text and rejects documents that
// are not well formed.
func parseXML(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
			}
			n := &node{Name: t.Name, Attr: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root != nil {
				return nil, errors.New("more than one root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("empty document")
	}
	return root, nil
}

func (n *node) is(space, local string) bool {
	return n != nil && n.Name.Space == space && n.Name.Local == local
}

// child returns the first child element with that name, or nil.
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.is(space, local) {
			return c
		}
	}
	return nil
}

func (n *node) children(space, local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.Children {
		if c.is(space, local) {
			out = append(out, c)
		}
	}
	return out
}

// attr returns an unqualified attribute (WS-Man attributes such as Name,
// CommandId and End carry no namespace).
func (n *node) attr(local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

// envelope is a parsed request: the header fields the service acts on and
// the body's first element.
type envelope struct {
	Action        string
	MessageID     string
	ResourceURI   string
	To            string
	MaxEnvelope   int    // wsman:MaxEnvelopeSize, 0 if absent
	OpTimeout     string // wsman:OperationTimeout as sent
	Selectors     map[string]string
	Options       map[string]string // keys upper-cased: WinRS option names are case-insensitive
	Header        *node
	Body          *node // the s:Body element
	BodyFirstElem *node
}

func parseEnvelope(data []byte) (*envelope, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	if !root.is(nsSOAP, "Envelope") {
		return nil, errNotEnvelope
	}
	hdr := root.child(nsSOAP, "Header")
	body := root.child(nsSOAP, "Body")
	if hdr == nil || body == nil {
		return nil, fmt.Errorf("%w: missing Header or Body", errNotEnvelope)
	}
	e := &envelope{
		Action:      hdr.child(nsAddr, "Action").text(),
		MessageID:   hdr.child(nsAddr, "MessageID").text(),
		ResourceURI: hdr.child(nsWSMan, "ResourceURI").text(),
		To:          hdr.child(nsAddr, "To").text(),
		OpTimeout:   hdr.child(nsWSMan, "OperationTimeout").text(),
		Selectors:   map[string]string{},
		Options:     map[string]string{},
		Header:      hdr,
		Body:        body,
	}
	if len(body.Children) > 0 {
		e.BodyFirstElem = body.Children[0]
	}
	if s := hdr.child(nsWSMan, "MaxEnvelopeSize").text(); s != "" {
		if _, err := fmt.Sscanf(s, "%d", &e.MaxEnvelope); err != nil {
			return nil, fmt.Errorf("MaxEnvelopeSize %q: %w", s, err)
		}
	}
	for _, s := range hdr.child(nsWSMan, "SelectorSet").children(nsWSMan, "Selector") {
		if name, ok := s.attr("Name"); ok {
			e.Selectors[name] = s.text()
		}
	}
	for _, o := range hdr.child(nsWSMan, "OptionSet").children(nsWSMan, "Option") {
		if name, ok := o.attr("Name"); ok {
			e.Options[strings.ToUpper(name)] = o.text()
		}
	}
	return e, nil
}

// optionTrue reads a WinRS boolean option ("TRUE", "True", "true").
func (e *envelope) optionTrue(name string) bool {
	return strings.EqualFold(e.Options[name], "true")
}
