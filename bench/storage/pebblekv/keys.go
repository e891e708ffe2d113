package pebblekv

import (
	"encoding/binary"
	"fmt"
)

// Key space. Metadata lives under metaPrefix, user keys under dataPrefix,
// so that a scan bounded by [dataPrefix, dataEnd) sees only user keys.
const (
	metaPrefix = 0x00
	dataPrefix = 0x01
)

var (
	// appliedKey holds the last applied op-number, 8 bytes big-endian.
	appliedKey = []byte{metaPrefix, 'a'}
	// revisionKey holds the store-wide revision, 8 bytes big-endian.
	revisionKey = []byte{metaPrefix, 'r'}
	// dataStart and dataEnd bound the user keys.
	dataStart = []byte{dataPrefix}
	dataEnd   = []byte{dataPrefix + 1}
)

// versionSize is the length of the version that prefixes a stored value.
const versionSize = 8

// appendDataKey appends the Pebble key of user key k to dst.
func appendDataKey(dst, k []byte) []byte {
	return append(append(dst, dataPrefix), k...)
}

// appendStored appends the stored form of a value: version, then value.
func appendStored(dst []byte, version uint64, value []byte) []byte {
	return append(binary.BigEndian.AppendUint64(dst, version), value...)
}

// parseStored splits a stored value into version and value (aliasing b).
func parseStored(b []byte) (uint64, []byte, error) {
	if len(b) < versionSize {
		return 0, nil, fmt.Errorf("pebblekv: stored value of %d bytes", len(b))
	}
	return binary.BigEndian.Uint64(b), b[versionSize:], nil
}

// prefixEnd returns the first key after every key starting with prefix, or
// nil if there is none (empty prefix, or all 0xff bytes).
func prefixEnd(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] < 0xff {
			end := append([]byte(nil), prefix[:i+1]...)
			end[i]++
			return end
		}
	}
	return nil
}
