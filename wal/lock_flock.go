//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package wal

import (
	"errors"
	"os"
	"syscall"
)

// lockingEnforced: flock is available.
const lockingEnforced = true

// errLockHeld means another holder has the lock.
var errLockHeld = errors.New("lock held")

// lockFile takes an exclusive flock on f without waiting.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLockHeld
	}
	return err
}

// unlockFile releases the flock on f.
func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
