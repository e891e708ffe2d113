package message

// Sizes of the binary encoding (package wire), so that packages that must
// not import wire — the core above all — can bound what they send. wire's
// tests check every figure against its encoder.
const (
	// EntryOverhead is an encoded Entry's size without its payload.
	EntryOverhead = 45
	// entryListOverhead is the count before an entry list.
	entryListOverhead = 4
	// bytesOverhead is the length before a byte slice.
	bytesOverhead = 4
	// MaxFixedSize bounds the fixed fields of every message type: a
	// message's Size is at most MaxFixedSize plus its entries' sizes, or
	// plus its payload, result or checkpoint data.
	MaxFixedSize = 64
)

// Size returns the encoded size of e in bytes.
func (e Entry) Size() int { return EntryOverhead + len(e.Payload) }

// EntriesSize returns the encoded size of an entry list holding es.
func EntriesSize(es []Entry) int {
	n := entryListOverhead
	for _, e := range es {
		n += e.Size()
	}
	return n
}

// Size returns the size in bytes of m's body as package wire encodes it
// (the frame header not included), 0 if m is nil or not one of this
// package's messages.
func Size(m Message) int {
	if s := entryOf(m); s != nil {
		return s.size(m)
	}
	return 0
}
