package message

import (
	"log/slog"
	"reflect"
)

// Route says who sends a message type to whom.
type Route uint8

// The routes. A replica's Step takes every type whose route ends at a
// replica.
const (
	// ClientToReplica: a client, through the VR proxy, sends it to a replica.
	ClientToReplica Route = iota + 1
	// ReplicaToClient: a replica sends it to a client.
	ReplicaToClient
	// ReplicaToReplica: replicas send it to each other.
	ReplicaToReplica
)

// spec is one message type's entry in the table (see table.go): what the
// packages that handle messages without knowing them need to know about
// it. Package wire keeps the encoding in a table of its own.
//
// Its functions take a message of the entry's type and are never given
// anything else, nor a nil pointer: the package functions that call them
// check that first.
type spec struct {
	name   string
	route  Route
	zero   func() Message
	is     func(Message) bool // m is a non-nil message of the entry's struct
	sender func(Message) (uint8, bool)
	attrs  func([]slog.Attr, Message) []slog.Attr
	copy   func(Message) Message
	bulky  func(Message) bool
	key    func(Message) uint64
	size   func(Message) int
	epoch  func(Message) *uint64
}

// def is the typed form of an entry, for the table to fill in. P is a
// pointer to the message's struct.
type def[P Message] struct {
	route Route
	// sender returns the field naming the replica that sent the message;
	// nil if the type names none.
	sender func(P) uint8
	// attrs appends the message's main fields as log attributes.
	attrs func([]slog.Attr, P) []slog.Attr
	// bulky reports whether the message carries log entries or checkpoint
	// bytes; nil if the type never does.
	bulky func(P) bool
	// key folds the message's main numbers into a cheap fingerprint.
	key func(P) uint64
	// size returns the encoded body's size in bytes (see Size).
	size func(P) int
	// epoch returns the message's Epoch field, which every type has.
	epoch func(P) *uint64
}

// define turns d into the table entry of the type *T.
func define[T any, P interface {
	*T
	Message
}](d def[P]) spec {
	s := spec{
		name:  reflect.TypeFor[T]().Name(),
		route: d.route,
		zero:  func() Message { return P(new(T)) },
		is:    func(m Message) bool { p, ok := m.(P); return ok && p != nil },
		copy:  func(m Message) Message { c := *(*T)(m.(P)); return P(&c) },
		bulky: func(Message) bool { return false },
	}
	if d.attrs != nil { // required: the tests fail without
		s.attrs = func(a []slog.Attr, m Message) []slog.Attr { return d.attrs(a, m.(P)) }
	}
	if d.key != nil { // required: the tests fail without
		s.key = func(m Message) uint64 { return d.key(m.(P)) }
	}
	if d.size != nil { // required: the tests fail without
		s.size = func(m Message) int { return d.size(m.(P)) }
	}
	if d.epoch != nil { // required: the tests fail without
		s.epoch = func(m Message) *uint64 { return d.epoch(m.(P)) }
	}
	if d.sender != nil {
		s.sender = func(m Message) (uint8, bool) { return d.sender(m.(P)), true }
	} else {
		s.sender = func(Message) (uint8, bool) { return 0, false }
	}
	if d.bulky != nil {
		s.bulky = func(m Message) bool { return d.bulky(m.(P)) }
	}
	return s
}

// index returns the entries indexed by the type of their messages.
func index(entries ...spec) []spec {
	var out []spec
	for _, s := range entries {
		t := s.zero().Type()
		if int(t) >= len(out) {
			out = append(out, make([]spec, int(t)+1-len(out))...)
		}
		if out[t].zero != nil {
			panic("message: two entries for " + s.name)
		}
		out[t] = s
	}
	return out
}

// lookup returns the entry of t, nil if t has none.
func lookup(t Type) *spec {
	if int(t) < len(specs) && specs[t].zero != nil {
		return &specs[t]
	}
	return nil
}

// entryOf returns the entry of m's type if m is a non-nil message of that
// entry's struct, nil otherwise.
func entryOf(m Message) *spec {
	if m == nil {
		return nil
	}
	if s := lookup(m.Type()); s != nil && s.is(m) {
		return s
	}
	return nil
}

// Types returns every message type, in increasing order.
func Types() []Type {
	var ts []Type
	for i := range specs {
		if t := Type(i); t.Valid() {
			ts = append(ts, t)
		}
	}
	return ts
}

// Route returns who sends messages of type t to whom, 0 if t is not a
// known type.
func (t Type) Route() Route {
	if s := lookup(t); s != nil {
		return s.route
	}
	return 0
}

// New returns a zero message of type t, nil if t is not a known type.
func New(t Type) Message {
	if s := lookup(t); s != nil {
		return s.zero()
	}
	return nil
}

// Sender returns the replica that m names as its sender (its Replica
// field). ok is false if m's type names none, or m is nil or not one of
// this package's messages.
func Sender(m Message) (replica uint8, ok bool) {
	if s := entryOf(m); s != nil {
		return s.sender(m)
	}
	return 0, false
}

// Copy returns a shallow copy of m: a new value whose fields equal m's,
// sharing m's slices. It returns m itself if m is nil or not one of this
// package's messages.
func Copy(m Message) Message {
	if s := entryOf(m); s != nil {
		return s.copy(m)
	}
	return m
}

// Bulky reports whether m carries log entries or checkpoint bytes: the
// messages whose size grows with the log or the state.
func Bulky(m Message) bool {
	if s := entryOf(m); s != nil {
		return s.bulky(m)
	}
	return false
}

// AppendAttrs appends m's main fields to dst as log attributes and returns
// the extended slice.
func AppendAttrs(dst []slog.Attr, m Message) []slog.Attr {
	if s := entryOf(m); s != nil {
		return s.attrs(dst, m)
	}
	return dst
}

// Fingerprint folds m's main numbers into a cheap uint64 (not a hash:
// different messages may share one). The simulator mixes it into its trace
// hash.
func Fingerprint(m Message) uint64 {
	if s := entryOf(m); s != nil {
		return s.key(m)
	}
	return 0
}

// EpochOf returns m's Epoch field: the epoch of the configuration its
// sender was in (0 if m is nil or not one of this package's messages).
func EpochOf(m Message) uint64 {
	if s := entryOf(m); s != nil {
		return *s.epoch(m)
	}
	return 0
}

// SetEpoch sets m's Epoch field (package wire decodes it for every type).
func SetEpoch(m Message, e uint64) {
	if s := entryOf(m); s != nil {
		*s.epoch(m) = e
	}
}
