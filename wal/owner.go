package wal

import (
	"errors"
	"fmt"
)

// Owner identifies the replica a data directory belongs to.
type Owner struct {
	ClusterID uint64
	Replica   uint64 // the replica's index in its configuration
}

// String implements fmt.Stringer.
func (o Owner) String() string { return fmt.Sprintf("cluster %d replica %d", o.ClusterID, o.Replica) }

// Claim says what ClaimDir found.
type Claim int

const (
	// ClaimMatched: the directory already records this owner.
	ClaimMatched Claim = iota
	// ClaimCreated: the directory had no superblock; one now records the
	// owner.
	ClaimCreated
	// ClaimAdopted: the superblock, written by an older version, recorded
	// no owner; now it records this one.
	ClaimAdopted
)

// ClaimDir checks that dir (on fsys) belongs to o, recording o in its superblock if
// it records no owner yet (a new directory, or one written before owners
// were recorded). It fails with an *OwnerError (matching ErrWrongOwner) if
// dir belongs to someone else, and with an error matching ErrCorrupt if
// both superblock slots are damaged. The caller should hold the
// directory's lock (LockDir).
func ClaimDir(fsys FS, dir string, o Owner) (Claim, error) {
	sb, err := ReadSuperblock(fsys, dir)
	claim := ClaimAdopted
	switch {
	case errors.Is(err, ErrNoSuperblock):
		sb, claim = Superblock{}, ClaimCreated
	case err != nil:
		return 0, err
	case sb.Owned && sb.Owner == o:
		return ClaimMatched, nil
	case sb.Owned:
		return 0, &OwnerError{Dir: dir, Recorded: sb.Owner, Given: o}
	}
	sb.Owner, sb.Owned = o, true
	if err := WriteSuperblock(fsys, dir, sb); err != nil {
		return 0, err
	}
	return claim, nil
}
