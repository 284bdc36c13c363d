package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/protocol"
)

// MaxConnectWait is the longest CheckReachable waits for a TCP handshake.
// A host that answers at all does so within a second on any network WinRM
// is used over; ten seconds leaves room for three lost SYNs.
const MaxConnectWait = 10 * time.Second

// CheckReachable tells whether anything answers at the host's WinRM port
// within min(within, MaxConnectWait). It exists because the transports
// (masterzen's, and the sealing one for NTLM over HTTP) dial with a fixed
// 30 s timeout that no setting shortens: against a host that is switched
// off or behind a firewall that drops packets, every session open (and
// every retry of it) would wait that long.
//
// Only silence is an error, of kind unavailable. A refused or reset
// connection is an answer: the machine is up and WinRM may be restarting,
// which Call reports at once and a retry policy may ride out, so it is not
// judged here. Neither is a name that does not resolve, which Call
// reports in the same words as always. When a proxy from the environment
// applies to the WinRM URL the host is reached through it, and a direct
// dial would prove nothing, so the check passes.
func (c *Client) CheckReachable(ctx context.Context, within time.Duration) error {
	within = min(within, MaxConnectWait)
	if within <= 0 {
		within = MaxConnectWait
	}
	if viaProxy(c.cfg) {
		return nil
	}
	addr := net.JoinHostPort(c.cfg.Host, strconv.Itoa(c.cfg.port()))
	d := net.Dialer{Timeout: within}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		_ = conn.Close()
		return nil
	}
	if ctx.Err() != nil {
		return asError(c.cfg.Host, "connect", cancelled(ctx, "connecting to "+addr), c.red)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		return nil
	}
	return &Error{
		Kind: protocol.Unavailable, Host: c.cfg.Host, Op: "connect", Err: err,
		Message: fmt.Sprintf("nothing answered at %s within %s: the host is off or unreachable, "+
			"or a firewall drops WinRM traffic on the way", addr, within),
	}
}

// viaProxy reports whether masterzen's transport would send requests for
// cfg through a proxy named in the environment.
func viaProxy(cfg Config) bool {
	req, err := http.NewRequest(http.MethodPost, wsmanURL(cfg), nil)
	if err != nil {
		return false
	}
	u, err := http.ProxyFromEnvironment(req)
	return err == nil && u != nil
}
