package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// ANSI styles of the demo's narration.
const (
	ansiReset  = "\033[0m"
	ansiBold   = "\033[1m"
	ansiDim    = "\033[2m"
	ansiRed    = "\033[31m"
	ansiGreen  = "\033[32m"
	ansiYellow = "\033[33m"
	ansiCyan   = "\033[36m"
)

// demoUI prints the demo's narration. Colours are used only when the output
// is a terminal and NO_COLOR is not set.
type demoUI struct {
	w     io.Writer // shared with the --verbose log stream, whole lines only
	color bool
}

func newDemoUI(w io.Writer) *demoUI {
	return &demoUI{w: &lockedWriter{w: w}, color: useColor(w)}
}

// useColor reports whether w is a terminal that should get colours.
func useColor(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (u *demoUI) paint(style, s string) string {
	if !u.color {
		return s
	}
	return style + s + ansiReset
}

func (u *demoUI) line(s string) { fmt.Fprintln(u.w, s) }

// title prints the demo's banner.
func (u *demoUI) title(s string) { u.line(u.paint(ansiBold, s)) }

// heading starts step n.
func (u *demoUI) heading(n int, s string) {
	u.line("\n" + u.paint(ansiBold+ansiCyan, fmt.Sprintf("%d. %s", n, s)))
}

// explain says in plain words what VR is doing.
func (u *demoUI) explain(format string, args ...any) { u.line("   " + fmt.Sprintf(format, args...)) }

// do shows something the demo does to the cluster.
func (u *demoUI) do(format string, args ...any) {
	u.line(u.paint(ansiYellow, "   $ "+fmt.Sprintf(format, args...)))
}

// op shows one client request and its answer.
func (u *demoUI) op(format string, args ...any) {
	u.line("   " + u.paint(ansiDim, "client ") + fmt.Sprintf(format, args...))
}

// event shows a change the demo observed, at a time since some start.
func (u *demoUI) event(since time.Duration, s string) {
	u.line(u.paint(ansiDim, fmt.Sprintf("   %+7.2fs  %s", since.Seconds(), s)))
}

// ok reports a success.
func (u *demoUI) ok(format string, args ...any) {
	u.line("   " + u.paint(ansiGreen, "✓ "+fmt.Sprintf(format, args...)))
}

// fail reports a failure.
func (u *demoUI) fail(format string, args ...any) {
	u.line("   " + u.paint(ansiRed+ansiBold, "✗ "+fmt.Sprintf(format, args...)))
}

// table prints a `vr status` table, indented.
func (u *demoUI) table(addrs []string, rows []statusRow) {
	var b bytes.Buffer
	printStatus(&b, addrs, rows)
	var out strings.Builder
	for _, l := range strings.SplitAfter(strings.TrimRight(b.String(), "\n"), "\n") {
		out.WriteString("     " + l)
	}
	u.line(out.String())
}

// lockedWriter serializes writes from the narration and the log streams.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// prefixWriter writes complete lines to w, each with a prefix.
type prefixWriter struct {
	w      io.Writer
	prefix string
	buf    []byte
}

func newPrefixWriter(w io.Writer, prefix string) *prefixWriter {
	return &prefixWriter{w: w, prefix: prefix}
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := append([]byte(p.prefix), p.buf[:i+1]...)
		if _, err := p.w.Write(line); err != nil {
			return len(b), err
		}
		p.buf = p.buf[i+1:]
	}
}
