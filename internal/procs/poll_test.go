package procs

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	calls := 0
	err := Poll(context.Background(), time.Millisecond, func() (bool, error) { calls++; return calls == 3, nil })
	if err != nil || calls != 3 {
		t.Errorf("Poll until the third call: %v after %d calls", err, calls)
	}
	boom := errors.New("boom")
	if err := Poll(context.Background(), time.Millisecond, func() (bool, error) { return false, boom }); err != boom {
		t.Errorf("Poll with a failing check = %v, want %v", err, boom)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := Poll(ctx, 5*time.Millisecond, func() (bool, error) { return false, nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Poll past its deadline = %v", err)
	}
	if took := time.Since(start); took < 30*time.Millisecond || took > 5*time.Second {
		t.Errorf("Poll gave up after %v, want about 30ms", took)
	}
}
