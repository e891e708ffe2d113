package kv

import (
	"encoding/binary"
	"fmt"
)

// Item is one key with its value and version.
type Item struct {
	Key     []byte
	Value   []byte
	Version uint64
}

// Result is the outcome of one Command. If Code is not CodeOK the command
// was rejected, state did not change and only Kind and Code are set.
type Result struct {
	// Kind echoes the command's kind (KindInvalid if it did not decode).
	Kind Kind
	// Code is CodeOK or the reason the command was rejected.
	Code Code
	// Found: Get found the key; Delete removed an existing key.
	Found bool
	// Value is the value Get found.
	Value []byte
	// Version is the key's version for Get, the new version for Put and a
	// swapped CAS, and the current version (0: absent) for a failed CAS.
	Version uint64
	// Swapped reports whether a CAS wrote its value.
	Swapped bool
	// Items are the keys a scan found, in key order.
	Items []Item
	// More reports that a scan stopped at its limit with keys left in range.
	More bool
	// Batch are the results of a batch's commands, in order.
	Batch []Result
	// Counter is the value Incr left under the key.
	Counter int64
}

// Err returns the sentinel error for r.Code, nil if the command executed.
func (r Result) Err() error { return r.Code.Err() }

// Encode returns the binary encoding of r: kind and code bytes, then, for
// CodeOK, the fields r.Kind uses.
func (r Result) Encode() []byte {
	return r.appendTo(make([]byte, 0, r.MaxEncodedLen()))
}

// appendTo appends r's encoding to b.
func (r Result) appendTo(b []byte) []byte {
	b = append(b, byte(r.Kind), byte(r.Code))
	if r.Code != CodeOK {
		return b
	}
	switch r.Kind {
	case KindGet:
		b = appendBool(b, r.Found)
		if r.Found {
			b = binary.AppendUvarint(b, r.Version)
			b = appendBytes(b, r.Value)
		}
	case KindPut:
		b = binary.AppendUvarint(b, r.Version)
	case KindDelete:
		b = appendBool(b, r.Found)
	case KindCAS:
		b = appendBool(b, r.Swapped)
		b = binary.AppendUvarint(b, r.Version)
	case KindScan, KindScanPrefix:
		b = appendBool(b, r.More)
		b = binary.AppendUvarint(b, uint64(len(r.Items)))
		for _, it := range r.Items {
			b = appendBytes(b, it.Key)
			b = appendBytes(b, it.Value)
			b = binary.AppendUvarint(b, it.Version)
		}
	case KindIncr:
		b = binary.AppendVarint(b, r.Counter)
		b = binary.AppendUvarint(b, r.Version)
	case KindBatch:
		b = binary.AppendUvarint(b, uint64(len(r.Batch)))
		for _, sub := range r.Batch {
			b = appendNested(b, sub)
		}
	}
	return b
}

// MaxEncodedLen is an upper bound of len(r.Encode()).
func (r Result) MaxEncodedLen() int {
	n := 4 + 2*binary.MaxVarintLen64 + len(r.Value)
	for _, it := range r.Items {
		n += 3*binary.MaxVarintLen64 + len(it.Key) + len(it.Value)
	}
	for _, sub := range r.Batch {
		n += binary.MaxVarintLen64 + sub.MaxEncodedLen()
	}
	return n
}

// DecodeResult decodes the output of Result.Encode, strictly: malformed
// input gives an error wrapping ErrBadResult. Byte slices alias b.
func DecodeResult(b []byte) (Result, error) {
	r := newReader(b)
	res := Result{Kind: Kind(r.byte1()), Code: Code(r.byte1())}
	if !r.ok || res.Kind >= kindCount || res.Code >= codeCount {
		return Result{}, fmt.Errorf("%w: bad header", ErrBadResult)
	}
	if res.Code == CodeOK {
		if res.Kind == KindInvalid {
			return Result{}, fmt.Errorf("%w: ok result of invalid kind", ErrBadResult)
		}
		res.decodeBody(r)
	}
	if !r.done() {
		return Result{}, fmt.Errorf("%w: malformed %v result", ErrBadResult, res.Kind)
	}
	return res, nil
}

// decodeBody reads the fields of a CodeOK result of kind res.Kind.
func (res *Result) decodeBody(r *reader) {
	switch res.Kind {
	case KindGet:
		res.Found = r.boolean()
		if res.Found {
			res.Version = r.uvarint()
			res.Value = r.bytes()
		}
	case KindPut:
		res.Version = r.uvarint()
	case KindDelete:
		res.Found = r.boolean()
	case KindCAS:
		res.Swapped = r.boolean()
		res.Version = r.uvarint()
	case KindScan, KindScanPrefix:
		res.More = r.boolean()
		n := r.count(3) // an item takes at least 3 bytes
		if n > 0 {
			res.Items = make([]Item, n)
		}
		for i := range res.Items {
			res.Items[i] = Item{Key: r.bytes(), Value: r.bytes(), Version: r.uvarint()}
		}
	case KindIncr:
		res.Counter = r.varint()
		res.Version = r.uvarint()
	case KindBatch:
		res.decodeBatch(r)
	}
}
