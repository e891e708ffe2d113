package wal

import (
	"fmt"

	"github.com/vr-go/vr/message"
)

// logState is the log that replay builds by applying committed groups in
// order. Last writer wins: a cut or an entry at op k drops every entry at
// op >= k held so far.
//
// Replay may start at a segment after the oldest ones were removed by
// TruncatePrefix, without the entries those held. It then sees an empty
// log, and later a replacement that reached back below the ops it has seen
// (into the removed entries, legitimately): an op below the first held one
// therefore empties the log instead of being an error. Only a gap past the
// end of a non-empty log, which Write never produces, is damage.
type logState struct {
	first   uint64 // op of entries[0]
	entries []message.Entry
	// base is the op below the log as the last reset record set it (0 if
	// none was seen); next is the op a reset requires next, or 0.
	base, next uint64
}

// reset empties the log; it continues at op.
func (s *logState) reset(op uint64) {
	clear(s.entries)
	s.entries = s.entries[:0]
	s.base, s.next = op-1, op
}

// last returns the op of the last entry, or 0 if the log is empty.
func (s *logState) last() uint64 {
	if len(s.entries) == 0 {
		return 0
	}
	return s.first + uint64(len(s.entries)) - 1
}

// cut drops every entry at op k or above. It returns why that cannot be
// right, or "".
func (s *logState) cut(k uint64) string {
	switch n := len(s.entries); {
	case n == 0:
	case k <= s.first:
		clear(s.entries)
		s.entries = s.entries[:0]
	case k <= s.last()+1:
		keep := k - s.first
		clear(s.entries[keep:])
		s.entries = s.entries[:keep]
	default:
		return fmt.Sprintf("op %d is past the end of the log (ops %d..%d)", k, s.first, s.last())
	}
	return ""
}

// put makes e the last entry, dropping every entry at e.Op or above. It
// returns why that cannot be right, or "". e is kept as is.
func (s *logState) put(e message.Entry) string {
	if s.next != 0 && e.Op != s.next {
		return fmt.Sprintf("op %d after a reset to op %d", e.Op, s.next)
	}
	s.next = 0
	if reason := s.cut(e.Op); reason != "" {
		return reason
	}
	if len(s.entries) == 0 {
		s.first = e.Op
	}
	s.entries = append(s.entries, e)
	return ""
}
