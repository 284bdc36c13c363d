package host

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// stateFile is a host's JSON state on disk. Writers replace the file by
// rename, so a reader never sees half a state, and every save gives the
// file a new identity that loadIfChanged notices.
type stateFile struct {
	path string
	seen os.FileInfo // the file as last loaded or saved
}

// lock takes the inter-process lock beside the state file (not on it:
// rename replaces the state file's inode, which would orphan a lock held on
// it). It polls so that ctx can end the wait.
func (f *stateFile) lock(ctx context.Context, exclusive bool) (func(), error) {
	delay := time.Millisecond
	for {
		unlock, ok, err := tryLock(f.path+".lock", exclusive)
		if err != nil {
			return nil, fmt.Errorf("host: lock %s: %w", f.path, err)
		}
		if ok {
			return unlock, nil
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("host: wait for lock on %s: %w", f.path, err)
		}
		if delay < 20*time.Millisecond {
			delay *= 2
		}
	}
}

// loadIfChanged reads the state when the file is not the one last seen.
func (f *stateFile) loadIfChanged() (*State, bool, error) {
	fi, err := os.Stat(f.path)
	if err != nil {
		return nil, false, fmt.Errorf("host: state file: %w", err)
	}
	if f.seen != nil && os.SameFile(fi, f.seen) && fi.ModTime().Equal(f.seen.ModTime()) && fi.Size() == f.seen.Size() {
		return nil, false, nil
	}
	raw, err := os.ReadFile(f.path)
	if err != nil {
		return nil, false, fmt.Errorf("host: read state: %w", err)
	}
	var s State
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, false, fmt.Errorf("host: state file %s is not a host state: %w", f.path, err)
	}
	if s.Version != 1 {
		return nil, false, fmt.Errorf("host: state file %s has version %d, this build reads 1", f.path, s.Version)
	}
	f.seen = fi
	return &s, true, nil
}

// save writes s beside the state file and renames it into place.
func (f *stateFile) save(s *State) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("host: encode state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), filepath.Base(f.path)+".tmp*")
	if err != nil {
		return fmt.Errorf("host: save state: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("host: save state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("host: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("host: save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("host: save state: %w", err)
	}
	fi, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("host: save state: %w", err)
	}
	f.seen = fi
	return nil
}
