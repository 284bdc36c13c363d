//go:build !unix

package winsim

import "errors"

// Silent is an address where the host seems switched off; see
// silent_unix.go. It needs the Unix socket API.
type Silent struct{}

// ListenSilent is not available on this platform.
func ListenSilent(string, int) (*Silent, error) {
	return nil, errors.New("winsim: silent addresses need a Unix socket API")
}

func (s *Silent) Host() string { return "" }
func (s *Silent) Port() int    { return 0 }
func (s *Silent) Close() error { return nil }
