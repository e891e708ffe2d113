package transport

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Rate limit of warnings about one source: a client that keeps retrying
// with a bad certificate, or plaintext, or over a limit, is logged at warn
// level once per logWindow and per reason; the repeats go to debug.
const (
	logWindow  = time.Minute
	maxLogKeys = 4096
)

// logLimiter remembers when each (source, reason) was last warned about.
type logLimiter struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// allow reports whether a warning for key may be logged now.
func (l *logLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[key]; ok && now.Sub(t) < logWindow {
		return false
	}
	if l.last == nil || len(l.last) >= maxLogKeys {
		l.last = make(map[string]time.Time)
	}
	l.last[key] = now
	return true
}

// logLimited logs msg about conn at warn level, or at debug level if the
// same reason was logged for the same source IP within logWindow.
func (t *Transport) logLimited(conn net.Conn, reason, msg string, attrs ...slog.Attr) {
	lvl := slog.LevelWarn
	if !t.logged.allow(sourceIP(conn)+" "+reason, time.Now()) {
		lvl = slog.LevelDebug
	}
	attrs = append([]slog.Attr{slog.String("remote", conn.RemoteAddr().String())}, attrs...)
	t.log.LogAttrs(context.Background(), lvl, msg, attrs...)
}
