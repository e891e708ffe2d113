package client

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/vr-go/vr/message"
	"github.com/vr-go/vr/proxy"
)

// The statuses a test cluster cannot be made to send, judged directly.
func TestStatusErrClasses(t *testing.T) {
	c := &Client{log: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		name   string
		status message.ReplyStatus
		sent   bool
		cause  error
		class  error
	}{
		{"ok", message.StatusOK, true, nil, nil},
		{"rejected", message.StatusRejected, true, ErrRejected, ErrNotApplied},
		{"rejected registration", message.StatusRejected, false, ErrRejected, ErrNotApplied},
		{"evicted in flight", message.StatusSessionEvicted, true, ErrSessionEvicted, ErrOutcomeUnknown},
		{"evicted before the op left", message.StatusSessionEvicted, false, ErrSessionEvicted, ErrNotApplied},
		{"forbidden", message.StatusForbidden, true, ErrPermissionDenied, ErrNotApplied},
		{"forbidden registration", message.StatusForbidden, false, ErrPermissionDenied, ErrNotApplied},
	} {
		s := &session{opSent: tc.sent}
		err := c.statusErr(s, proxy.Completion{Status: tc.status})
		if tc.class == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, tc.cause) || !errors.Is(err, tc.class) || errors.Is(err, otherClass(tc.class)) {
			t.Errorf("%s: %v, want %q and %q only", tc.name, err, tc.cause, tc.class)
		}
	}
}

func otherClass(class error) error {
	if class == ErrNotApplied {
		return ErrOutcomeUnknown
	}
	return ErrNotApplied
}

// A classified error keeps its class when classified again, and every
// sentinel that carries a class carries exactly one.
func TestClassesAreExclusive(t *testing.T) {
	for _, err := range []error{
		notApplied(outcomeUnknown(ErrClosed)), outcomeUnknown(notApplied(ErrClosed)),
		ErrNotFound, ErrVersionMismatch, &CASError{}, ErrRejected, ErrBadReply,
		outcomeUnknown(ErrBadReply), notApplied(ErrNotFound),
	} {
		if errors.Is(err, ErrNotApplied) == errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("%v: not exactly one class", err)
		}
	}
	if err := notApplied(outcomeUnknown(ErrClosed)); !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("reclassified: %v", err)
	}
}
