//go:build unix

package winsim

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// Silent is an address where the host seems switched off, or hidden behind
// a firewall that drops packets: a TCP connection to it is never answered,
// neither accepted nor refused, so a client's connect waits for its own
// timeout. Tests use it to show that a dead host fails within a bounded
// time instead of holding a whole run.
//
// It listens with an accept queue of one and fills that queue itself;
// Linux and the BSDs drop the SYN of every further connection while the
// queue is full, as they do under a SYN flood.
type Silent struct {
	fd   int
	held []net.Conn
	host string
	port int
}

// ListenSilent starts a silent address on ip (an IPv4 loopback address
// such as "127.0.0.3") and port; port 0 picks a free one. Like a server
// that just stopped, it may take the port of a closed listener.
func ListenSilent(ip string, port int) (*Silent, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() {
		return nil, fmt.Errorf("winsim: silent address %q is not an IPv4 address", ip)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, fmt.Errorf("winsim: silent socket: %w", err)
	}
	s := &Silent{fd: fd, host: ip}
	if err := s.listen(a.As4(), port); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Silent) listen(ip [4]byte, port int) error {
	syscall.CloseOnExec(s.fd)
	if err := syscall.SetsockoptInt(s.fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return fmt.Errorf("winsim: silent socket options: %w", err)
	}
	if err := syscall.Bind(s.fd, &syscall.SockaddrInet4{Addr: ip, Port: port}); err != nil {
		return fmt.Errorf("winsim: silent bind %s:%d: %w", s.host, port, err)
	}
	if err := syscall.Listen(s.fd, 0); err != nil {
		return fmt.Errorf("winsim: silent listen: %w", err)
	}
	sa, err := syscall.Getsockname(s.fd)
	if err != nil {
		return fmt.Errorf("winsim: silent address: %w", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		return fmt.Errorf("winsim: silent address is %T, not IPv4", sa)
	}
	s.port = in4.Port
	// Fill the accept queue until a connect goes unanswered: how many it
	// takes is the kernel's business (one on Linux, a few on the BSDs).
	addr := net.JoinHostPort(s.host, strconv.Itoa(s.port))
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil
			}
			return fmt.Errorf("winsim: fill the silent queue: %w", err)
		}
		s.held = append(s.held, c)
	}
	return errors.New("winsim: the kernel kept accepting connections; cannot make a silent address")
}

// Host is the IP address.
func (s *Silent) Host() string { return s.host }

// Port is the TCP port.
func (s *Silent) Port() int { return s.port }

// Close frees the address.
func (s *Silent) Close() error {
	for _, c := range s.held {
		_ = c.Close()
	}
	s.held = nil
	if s.fd < 0 {
		return nil
	}
	err := syscall.Close(s.fd)
	s.fd = -1
	return err
}
