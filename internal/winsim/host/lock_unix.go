//go:build unix

package host

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an flock on path without blocking. ok is false when another
// holder has it.
func tryLock(path string, exclusive bool) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EINTR) {
			return nil, false, nil
		}
		return nil, false, err
	}
	// Closing the descriptor releases the lock.
	return func() { f.Close() }, true, nil
}
