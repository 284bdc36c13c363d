//go:build !unix

package host

import (
	"errors"
	"os"
)

// tryLock on systems without flock: a lock file created exclusively. Every
// holder is exclusive, and a process that dies holding it leaves the file
// behind, to be removed by hand; the simulator is meant for unix hosts.
func tryLock(path string, _ bool) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path+".held", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	f.Close()
	return func() { os.Remove(path + ".held") }, true, nil
}
