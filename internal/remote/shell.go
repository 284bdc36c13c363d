package remote

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/masterzen/winrm"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// wsmanURL is the endpoint address masterzen posts to, rebuilt here because
// the client keeps its copy private and the Create request needs it.
func wsmanURL(cfg Config) string {
	scheme := "http"
	if cfg.HTTPS {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/wsman", scheme, net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.port())))
}

// openShell creates a WinRS shell. It sends masterzen's own Create request
// but reads the reply itself: the snapshot's CreateShell hands back a shell
// with an empty id when the reply lacks the selector it looks for, and every
// later request on such a shell fails with a confusing "invalid selectors".
// Real Windows sends the id twice (selector and rsp:ShellId); either is
// accepted.
func openShell(cfg Config, wc *winrm.Client, tr *transport) (*winrm.Shell, string, error) {
	req := winrm.NewOpenShellRequest(wsmanURL(cfg), &wc.Parameters)
	body, err := tr.Post(wc, req)
	if err != nil {
		return nil, "", prefixError("could not open a shell", err)
	}
	id, perr := winrm.ParseOpenShellResponse(body)
	if perr != nil || id == "" {
		id = shellIDFromBody(body)
	}
	if id == "" {
		return nil, "", prefixError("could not open a shell", errors.New("the server's reply carried no shell id"))
	}
	return wc.NewShell(id), id, nil
}

type shellIDReply struct {
	Body struct {
		Shell struct {
			ShellID string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell ShellId"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Shell"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

func shellIDFromBody(body string) string {
	var r shellIDReply
	if err := xml.Unmarshal([]byte(body), &r); err != nil {
		return ""
	}
	return strings.TrimSpace(r.Body.Shell.ShellID)
}

// prefixError puts context in front of a message and keeps the kind.
func prefixError(prefix string, err error) error {
	var ke *kindError
	if errors.As(err, &ke) {
		return newKindError(ke.kind, err, "%s: %s", prefix, ke.msg)
	}
	return newKindError(protocol.Unavailable, err, "%s: %v", prefix, err)
}

// tailBuffer keeps the last bytes the agent wrote to stderr, enough to
// explain why it exited without growing with a chatty process.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

var (
	clixmlErrorRE = regexp.MustCompile(`(?s)<S S="Error">(.*?)</S>`)
	clixmlEscRE   = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)
)

// cleanStderr makes stderr readable in an error message. PowerShell writes
// errors as CLIXML ("#< CLIXML" then <Objs>) when its output is redirected;
// only the error text inside matters to a user.
func cleanStderr(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "#< CLIXML"); ok {
		var parts []string
		for _, m := range clixmlErrorRE.FindAllStringSubmatch(rest, -1) {
			text := clixmlEscRE.ReplaceAllStringFunc(m[1], func(esc string) string {
				n, err := strconv.ParseUint(esc[2:6], 16, 16)
				if err != nil {
					return esc
				}
				return string(rune(n))
			})
			parts = append(parts, xmlUnescape(text))
		}
		s = strings.TrimSpace(strings.Join(parts, ""))
	}
	s = strings.Join(strings.Fields(s), " ")
	const max = 1000
	if len(s) > max {
		cut := len(s) - max
		for cut < len(s) && !utf8.RuneStart(s[cut]) {
			cut++ // never split a character
		}
		s = "…" + s[cut:]
	}
	return s
}

var xmlUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")

func xmlUnescape(s string) string { return xmlUnescaper.Replace(s) }
