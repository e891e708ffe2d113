package pebblekv

import (
	"encoding/binary"
	"fmt"
)

// Every user key is stored under a one-byte generation prefix: the live
// state under Store.gen, a restore in progress under the other one.
const (
	genA byte = 1
	genB byte = 2
)

// other returns the generation a restore writes into.
func other(gen byte) byte { return genA + genB - gen }

// storedHeader is the bytes of a stored value before the user's value:
// its version, 8 bytes big-endian.
const storedHeader = 8

// dataKey appends the stored key of user key k in generation gen to dst.
func dataKey(dst []byte, gen byte, k []byte) []byte {
	return append(append(dst, gen), k...)
}

// genBounds returns the bounds of generation gen's keys.
func genBounds(gen byte) (lower, upper []byte) { return []byte{gen}, []byte{gen + 1} }

// appendStored appends the stored form of an entry to dst.
func appendStored(dst []byte, version uint64, value []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, version)
	return append(dst, value...)
}

// stored is an entry as read back: its value aliases what Pebble returned.
type stored struct {
	version uint64
	value   []byte
}

// parseStored splits a stored value. A short one means the database is
// not what this package wrote: the caller panics.
func parseStored(b []byte) (stored, error) {
	if len(b) < storedHeader {
		return stored{}, fmt.Errorf("pebblekv: stored value of %d bytes", len(b))
	}
	return stored{version: binary.BigEndian.Uint64(b), value: b[storedHeader:]}, nil
}
