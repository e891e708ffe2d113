package core

import "github.com/vr-go/vr/message"

// Large answers to repeated requests (issue 9 at 20 MiB/s).
//
// A Recovery or GetState is small, but its answer (the primary's
// RecoveryResponse, a NewState) carries the log: megabytes, which take
// longer to cross a slow link than the asker waits before it asks again.
// Answered every time, each repeat queued one more copy of the log on the
// bulk lane to the asker; a link that heals after a partition delivers
// every request it held at once (simulator profile bandwidth at 20 MiB/s,
// seed 25: 13 held Recoveries, then a retry every 30 ms, made 40 MB of
// RecoveryResponses, two seconds of link, while the asker's Prepares
// waited behind them). The first answer to a request is on its way, so a
// repeat of the same request from the same peer is answered again only
// after a gap that doubles with every repeat answered: the first copy may
// have been lost, but copies never come faster than the link drains them.

// answerKind names the request a large answer answers.
type answerKind uint8

const (
	answerRecovery answerKind = iota + 1 // a Recovery, by nonce
	answerState                          // a GetState, by view and op
)

// answerKey identifies one request of one asker.
type answerKey struct {
	kind answerKind
	a, b uint64
}

// answerMemo is the last large answer sent to one peer.
type answerMemo struct {
	key answerKey
	at  uint64 // tick it was sent
	gap uint64 // ticks before the same request is answered again
}

// maxAnswerGapShift bounds the doubling of answerMemo.gap: at most
// 4 × ViewChangeTicks between two copies of one answer.
const maxAnswerGapShift = 2

// answerAgain reports whether the answer m to the request key from peer id
// should be sent. Small answers always are; a large one (bulk lane) is sent
// unless the same peer's same request was answered less than a gap ago.
func (r *Replica) answerAgain(id uint8, key answerKey, m message.Message) bool {
	if message.LaneOf(m) != message.LaneBulk || r.cfg.bugs.AnswerEveryRepeat {
		return true
	}
	if r.answered == nil {
		r.answered = make(map[uint8]answerMemo)
	}
	base := uint64(r.cfg.ViewChangeTicks)
	memo, ok := r.answered[id]
	switch {
	case !ok || memo.key != key:
		memo = answerMemo{key: key, gap: base}
	case r.now < memo.at+memo.gap:
		r.counters.AnswersWithheld++
		return false
	default:
		memo.gap = min(2*memo.gap, base<<maxAnswerGapShift)
	}
	memo.at = r.now
	r.answered[id] = memo
	return true
}
