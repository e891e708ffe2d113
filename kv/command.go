package kv

import (
	"encoding/binary"
	"fmt"
)

// Kind is the type of a Command.
type Kind uint8

// The command kinds. KindInvalid is the zero value and never valid.
const (
	KindInvalid Kind = iota
	KindGet
	KindPut
	KindDelete
	KindCAS
	KindScan
	KindScanPrefix
	// KindBatch runs several commands (none of them a batch) one after the
	// other, with nothing in between: a client coalesces concurrent calls
	// into one request this way.
	KindBatch
	// KindIncr adds Delta to the decimal integer stored under Key (an
	// absent key counts as 0) in one replicated op (incr.go).
	KindIncr
	kindCount // first unknown kind
)

var kindNames = [kindCount]string{"invalid", "get", "put", "delete", "cas", "scan", "scan-prefix", "batch", "incr"}

// String returns the kind's name.
func (k Kind) String() string {
	if k >= kindCount {
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// Command is one operation on the store. Which fields matter depends on
// Kind; the others are ignored and not encoded.
type Command struct {
	Kind Kind
	// Key is the key (Get, Put, Delete, CAS), the inclusive scan start
	// (Scan, empty = from the first key) or the prefix (ScanPrefix).
	Key []byte
	// Value is the new value (Put, CAS).
	Value []byte
	// Expected is the version CAS requires; 0 means the key must not exist.
	Expected uint64
	// End is the exclusive scan end (Scan); empty means no upper bound.
	End []byte
	// Limit is the most items a scan returns; 0 means Limits.MaxScan.
	Limit int
	// Batch are the commands of a batch (KindBatch).
	Batch []Command
	// Delta is what Incr adds (negative: subtracts).
	Delta int64
}

// NewGet returns a command reading key.
func NewGet(key []byte) Command { return Command{Kind: KindGet, Key: key} }

// NewPut returns a command writing value under key.
func NewPut(key, value []byte) Command { return Command{Kind: KindPut, Key: key, Value: value} }

// NewDelete returns a command deleting key.
func NewDelete(key []byte) Command { return Command{Kind: KindDelete, Key: key} }

// NewCAS returns a command writing value under key if the key's version is
// expected (0: if the key does not exist).
func NewCAS(key []byte, expected uint64, value []byte) Command {
	return Command{Kind: KindCAS, Key: key, Expected: expected, Value: value}
}

// NewScan returns a command reading at most limit keys in [start, end).
func NewScan(start, end []byte, limit int) Command {
	return Command{Kind: KindScan, Key: start, End: end, Limit: limit}
}

// NewScanPrefix returns a command reading at most limit keys that start
// with prefix.
func NewScanPrefix(prefix []byte, limit int) Command {
	return Command{Kind: KindScanPrefix, Key: prefix, Limit: limit}
}

// Encode returns the binary encoding of c: the kind byte, then the fields
// the kind uses, byte strings as uvarint length and bytes, numbers as
// uvarints. Encode does not validate; use Limits.Validate first. A negative
// Limit encodes to a command that does not decode. It allocates once: a
// batch's commands are encoded in place.
func (c Command) Encode() []byte {
	return c.appendTo(make([]byte, 0, c.MaxEncodedLen()))
}

// MaxEncodedLen is an upper bound of len(c.Encode()), close to it.
func (c Command) MaxEncodedLen() int {
	n := 1 + 3*binary.MaxVarintLen64 + len(c.Key) + len(c.Value) + len(c.End)
	for _, sub := range c.Batch {
		n += binary.MaxVarintLen64 + sub.MaxEncodedLen()
	}
	return n
}

// appendTo appends c's encoding to b.
func (c Command) appendTo(b []byte) []byte {
	b = append(b, byte(c.Kind))
	switch c.Kind {
	case KindGet, KindDelete:
		b = appendBytes(b, c.Key)
	case KindPut:
		b = appendBytes(b, c.Key)
		b = appendBytes(b, c.Value)
	case KindCAS:
		b = appendBytes(b, c.Key)
		b = binary.AppendUvarint(b, c.Expected)
		b = appendBytes(b, c.Value)
	case KindScan:
		b = appendBytes(b, c.Key)
		b = appendBytes(b, c.End)
		b = binary.AppendUvarint(b, uint64(c.Limit))
	case KindScanPrefix:
		b = appendBytes(b, c.Key)
		b = binary.AppendUvarint(b, uint64(c.Limit))
	case KindBatch:
		b = appendBatch(b, c.Batch)
	case KindIncr:
		b = appendBytes(b, c.Key)
		b = binary.AppendVarint(b, c.Delta)
	}
	return b
}

// DecodeCommand decodes the output of Command.Encode. It rejects unknown
// kinds, truncated input, trailing bytes and non-canonical numbers with an
// error wrapping ErrBadCommand, so whatever decodes re-encodes to the same
// bytes. The command's byte slices alias b. It checks no Limits.
func DecodeCommand(b []byte) (Command, error) {
	r := newReader(b)
	c := Command{Kind: Kind(r.byte1())}
	switch c.Kind {
	case KindGet, KindDelete:
		c.Key = r.bytes()
	case KindPut:
		c.Key = r.bytes()
		c.Value = r.bytes()
	case KindCAS:
		c.Key = r.bytes()
		c.Expected = r.uvarint()
		c.Value = r.bytes()
	case KindScan:
		c.Key = r.bytes()
		c.End = r.bytes()
		c.Limit = r.count(0)
	case KindScanPrefix:
		c.Key = r.bytes()
		c.Limit = r.count(0)
	case KindBatch:
		var err error
		if c.Batch, err = decodeBatch(r); err != nil {
			return Command{}, err
		}
	case KindIncr:
		c.Key = r.bytes()
		c.Delta = r.varint()
	default:
		return Command{}, fmt.Errorf("%w: unknown kind %d", ErrBadCommand, uint8(c.Kind))
	}
	if !r.done() {
		return Command{}, fmt.Errorf("%w: malformed %v command", ErrBadCommand, c.Kind)
	}
	return c, nil
}
