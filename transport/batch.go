package transport

import (
	"log/slog"
	"net"
	"time"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/wire"
)

const (
	// maxBatchBytes is the size at which a batch is written even though
	// more messages are queued, so that one huge backlog does not need one
	// huge buffer.
	maxBatchBytes = 256 << 10
	// maxRetainBytes is the largest buffer a writer keeps between batches;
	// a bigger one (grown by a single large message) is released.
	maxRetainBytes = 4 << 20
)

// batchWriter encodes batches of messages into one reused buffer and writes
// each batch with as few Write calls as maxBatchBytes allows (usually one).
// It is owned by a single writer goroutine.
type batchWriter struct {
	stats   *counters
	link    *linkCounters // the peer's counters; nil for a client
	log     *slog.Logger
	cluster uint64
	sender  uint8
	timeout time.Duration
	buf     []byte
}

// write encodes and writes msgs to conn. Messages the encoder refuses are
// logged and dropped. On a write error the messages not yet written are
// counted as dropped and the error is returned.
func (w *batchWriter) write(conn net.Conn, msgs []message.Message) error {
	buf := w.buf[:0]
	inBuf := 0
	for i, m := range msgs {
		out, err := wire.AppendFrame(buf, w.cluster, w.sender, m)
		if err != nil {
			w.stats.dropOut(w.link, 1)
			w.log.Warn("transport: cannot encode message", "type", typeName(m), "err", err)
			continue
		}
		buf, inBuf = out, inBuf+1
		if len(buf) < maxBatchBytes {
			continue
		}
		if err := w.flush(conn, buf, inBuf); err != nil {
			w.stats.dropOut(w.link, uint64(len(msgs)-1-i))
			w.retain(buf)
			return err
		}
		buf, inBuf = buf[:0], 0
	}
	err := w.flush(conn, buf, inBuf)
	w.retain(buf)
	return err
}

// flush writes buf, which holds n frames, under a fresh write deadline.
func (w *batchWriter) flush(conn net.Conn, buf []byte, n int) error {
	if n == 0 {
		return nil
	}
	err := conn.SetWriteDeadline(time.Now().Add(w.timeout))
	if err == nil {
		_, err = conn.Write(buf)
	}
	if err != nil {
		w.stats.dropOut(w.link, uint64(n))
		return err
	}
	w.counted(n, len(buf))
	return nil
}

// counted counts n frames of size bytes in all as sent.
func (w *batchWriter) counted(n, size int) {
	w.stats.sent.Add(uint64(n))
	if w.link != nil {
		w.link.sent.Add(uint64(n))
		w.link.sentBytes.Add(uint64(size))
	}
}

// retain keeps buf for the next batch unless it grew too large.
func (w *batchWriter) retain(buf []byte) {
	if cap(buf) > maxRetainBytes {
		buf = nil
	}
	w.buf = buf
}

// typeName names m's type for logs, tolerating nil.
func typeName(m message.Message) string {
	if m == nil {
		return "nil"
	}
	return m.Type().String()
}
