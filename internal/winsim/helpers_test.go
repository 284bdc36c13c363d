package winsim

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// runnerFunc adapts a function to proc.Runner.
type runnerFunc func(ctx context.Context, c proc.Command) int

func (f runnerFunc) Run(ctx context.Context, c proc.Command) int { return f(ctx, c) }

// upperRunner echoes stdin to stdout upper-cased, a program whose output
// depends on its input so a test sees both directions work.
var upperRunner = runnerFunc(func(ctx context.Context, c proc.Command) int {
	in, err := io.ReadAll(c.Stdin)
	if err != nil {
		fmt.Fprintf(c.Stderr, "read stdin: %v\r\n", err)
		return 2
	}
	fmt.Fprint(c.Stdout, strings.ToUpper(string(in)))
	return 0
})

const (
	testUser = "vagrant"
	testPass = "Pa$$w0rd!"
)

func startServer(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Users == nil {
		o.Users = map[string]string{testUser: testPass}
	}
	o.Logf = t.Logf
	s, err := Start(t.Context(), o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// masterzenClient builds the pinned masterzen client the provider uses.
func masterzenClient(t testing.TB, s *Server, user, pass string, useNTLM bool) *winrm.Client {
	t.Helper()
	ep := winrm.NewEndpoint(s.Host(), s.Port(), s.CACertPEM() != nil, false, s.CACertPEM(), nil, nil, 20*time.Second)
	p := *winrm.DefaultParameters // a copy: the default is a shared pointer
	p.Timeout = "PT15S"
	if useNTLM {
		p.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	}
	c, err := winrm.NewClientWithParameters(ep, user, pass, &p)
	if err != nil {
		t.Fatalf("NewClientWithParameters: %v", err)
	}
	return c
}

// soapRequest builds a request envelope with prefixes unlike both
// masterzen's and pypsrp's, so the tests also prove the server resolves
// namespaces rather than matching prefixes.
func soapRequest(action, shellID, timeout, options, body string) string {
	var b strings.Builder
	b.WriteString(`<env:Envelope xmlns:env="` + nsSOAP + `" xmlns:addr="` + nsAddr + `" xmlns:man="` + nsWSMan + `" xmlns:sh="` + nsShell + `">`)
	b.WriteString(`<env:Header><addr:To>http://127.0.0.1/wsman</addr:To>`)
	b.WriteString(`<man:ResourceURI env:mustUnderstand="true">` + uriCmdShell + `</man:ResourceURI>`)
	b.WriteString(`<addr:ReplyTo><addr:Address env:mustUnderstand="true">` + anonymous + `</addr:Address></addr:ReplyTo>`)
	b.WriteString(`<addr:Action env:mustUnderstand="true">` + action + `</addr:Action>`)
	b.WriteString(`<man:MaxEnvelopeSize env:mustUnderstand="true">153600</man:MaxEnvelopeSize>`)
	b.WriteString(`<addr:MessageID>uuid:` + newGUID() + `</addr:MessageID>`)
	if timeout != "" {
		b.WriteString(`<man:OperationTimeout>` + timeout + `</man:OperationTimeout>`)
	}
	if shellID != "" {
		b.WriteString(`<man:SelectorSet><man:Selector Name="ShellId">` + shellID + `</man:Selector></man:SelectorSet>`)
	}
	b.WriteString(options)
	b.WriteString(`</env:Header><env:Body>` + body + `</env:Body></env:Envelope>`)
	return b.String()
}

func createBody() string {
	return `<sh:Shell><sh:InputStreams>stdin</sh:InputStreams><sh:OutputStreams>stdout stderr</sh:OutputStreams></sh:Shell>`
}

func commandBody(cmd string, args ...string) string {
	b := `<sh:CommandLine><sh:Command>` + cmd + `</sh:Command>`
	for _, a := range args {
		b += `<sh:Arguments>` + a + `</sh:Arguments>`
	}
	return b + `</sh:CommandLine>`
}

func receiveBody(cmdID string) string {
	return `<sh:Receive><sh:DesiredStream CommandId="` + cmdID + `">stdout stderr</sh:DesiredStream></sh:Receive>`
}

func sendBody(cmdID string, data []byte, end bool) string {
	e := ""
	if end {
		e = ` End="true"`
	}
	return `<sh:Send><sh:Stream Name="stdin" CommandId="` + cmdID + `"` + e + `>` + base64.StdEncoding.EncodeToString(data) + `</sh:Stream></sh:Send>`
}

// rawClient posts hand-written envelopes with Basic authentication.
type rawClient struct {
	t    *testing.T
	url  string
	user string
	pass string
	http *http.Client
}

func newRawClient(t *testing.T, s *Server) *rawClient {
	return &rawClient{t: t, url: s.URL(), user: testUser, pass: testPass, http: &http.Client{Timeout: 30 * time.Second}}
}

// post sends body and returns the status and the reply, parsed.
func (c *rawClient) post(body string) (int, *node, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", soapContentType)
	req.SetBasicAuth(c.user, c.pass)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read reply: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); len(raw) > 0 && ct != soapContentType {
		c.t.Fatalf("reply Content-Type %q, want %q", ct, soapContentType)
	}
	var root *node
	if len(raw) > 0 {
		if root, err = parseXML(raw); err != nil {
			c.t.Fatalf("reply is not XML: %v\n%s", err, raw)
		}
	}
	return resp.StatusCode, root, raw
}

// find returns the first descendant with that name (depth first).
func find(n *node, space, local string) *node {
	if n == nil {
		return nil
	}
	if n.is(space, local) {
		return n
	}
	for _, c := range n.Children {
		if f := find(c, space, local); f != nil {
			return f
		}
	}
	return nil
}

func findAll(n *node, space, local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	if n.is(space, local) {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, findAll(c, space, local)...)
	}
	return out
}

// faultCode returns the WSManFault Code of a fault reply, "" if none.
func faultCode(root *node) string {
	v, _ := find(root, nsFault, "WSManFault").attr("Code")
	return v
}

func (c *rawClient) createShell() string {
	c.t.Helper()
	status, root, raw := c.post(soapRequest(actCreate, "", "PT10S", "", createBody()))
	if status != http.StatusOK {
		c.t.Fatalf("Create: HTTP %d\n%s", status, raw)
	}
	return find(root, nsShell, "ShellId").text()
}

func (c *rawClient) startCommand(shellID, cmd string, args ...string) string {
	c.t.Helper()
	status, root, raw := c.post(soapRequest(actCommand, shellID, "PT10S", "", commandBody(cmd, args...)))
	if status != http.StatusOK {
		c.t.Fatalf("Command: HTTP %d\n%s", status, raw)
	}
	return find(root, nsShell, "CommandId").text()
}

// decodeStreams concatenates the stdout chunks of a ReceiveResponse.
func decodeStreams(t *testing.T, root *node, name string) string {
	t.Helper()
	var out bytes.Buffer
	for _, st := range findAll(root, nsShell, "Stream") {
		if n, _ := st.attr("Name"); n != name {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(st.text())
		if err != nil {
			t.Fatalf("stream is not base64: %v", err)
		}
		out.Write(b)
	}
	return out.String()
}

func masterzenClientWithCA(t *testing.T, s *Server, ca []byte) *winrm.Client {
	t.Helper()
	ep := winrm.NewEndpoint(s.Host(), s.Port(), true, false, ca, nil, nil, 20*time.Second)
	p := *winrm.DefaultParameters
	c, err := winrm.NewClientWithParameters(ep, testUser, testPass, &p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
