// Package proxy is the client side of Viewstamped Replication: the "VR
// proxy" of the paper that turns application operations into numbered
// requests, finds the primary, retries and learns the current view.
//
// A Proxy is pure and deterministic: it has no goroutines, no clock, no
// randomness and does no I/O. Its inputs are Submit, Handle (replies) and
// Tick (logical time); its outputs are drained with Output. The simulator's
// clients and the real client library drive the same code.
package proxy

import (
	"errors"
	"fmt"

	"github.com/vr-go/vr/message"
)

// Sentinel errors.
var (
	// ErrBadConfig is returned (wrapped) by New for an invalid Config.
	ErrBadConfig = errors.New("proxy: bad config")
	// ErrBusy is returned by Submit while an operation is in flight: a
	// session has at most one outstanding request.
	ErrBusy = errors.New("proxy: an operation is already in flight")
)

// Config configures a Proxy.
type Config struct {
	// ReplicaCount is the size of the configuration (2f+1).
	ReplicaCount int
	// ClientID identifies the client; it must be non-zero and unique.
	ClientID uint64
	// RetryTicks is how many ticks an unanswered request waits before it is
	// sent again (zero: DefaultRetryTicks).
	RetryTicks int
	// BroadcastAfter is how many unanswered retries go to the believed
	// primary before the request is sent to every replica (zero:
	// DefaultBroadcastAfter).
	BroadcastAfter int
	// Witnesses are the indexes of the configuration's witnesses, which
	// are never primary: the primary of view v is the (v mod k)-th of the
	// k other replicas, in index order (core.Membership). Nil: none.
	Witnesses []int
}

// Defaults used for zero Config fields.
const (
	DefaultRetryTicks     = 10
	DefaultBroadcastAfter = 2
)

// Defaults fills zero fields with their defaults.
func (c Config) Defaults() Config {
	if c.RetryTicks == 0 {
		c.RetryTicks = DefaultRetryTicks
	}
	if c.BroadcastAfter == 0 {
		c.BroadcastAfter = DefaultBroadcastAfter
	}
	return c
}

// Validate checks the configuration (after Defaults).
func (c Config) Validate() error {
	switch {
	case c.ReplicaCount < 1 || c.ReplicaCount%2 == 0 || c.ReplicaCount > 255:
		return fmt.Errorf("%w: replica count %d is not 2f+1 in [1,255]", ErrBadConfig, c.ReplicaCount)
	case c.ClientID == 0:
		return fmt.Errorf("%w: client id must be non-zero", ErrBadConfig)
	case c.RetryTicks < 1:
		return fmt.Errorf("%w: retry ticks %d < 1", ErrBadConfig, c.RetryTicks)
	case c.BroadcastAfter < 1:
		return fmt.Errorf("%w: broadcast-after %d < 1", ErrBadConfig, c.BroadcastAfter)
	case len(c.Witnesses) > (c.ReplicaCount-1)/2:
		return fmt.Errorf("%w: %d witnesses among %d replicas", ErrBadConfig, len(c.Witnesses), c.ReplicaCount)
	}
	for _, w := range c.Witnesses {
		if w < 0 || w >= c.ReplicaCount {
			return fmt.Errorf("%w: witness %d out of range", ErrBadConfig, w)
		}
	}
	return nil
}

// Send is a request to deliver to replica To.
type Send struct {
	To  int
	Req *message.Request
}

// Completion reports how one submitted operation ended. With StatusOK,
// Result holds the state machine's result. With StatusSessionEvicted the
// outcome is unknown: the operation may or may not have executed.
type Completion struct {
	RequestNum uint64
	Status     message.ReplyStatus
	Result     []byte
}

// Output is everything the proxy produced since the last call to Output.
type Output struct {
	Sends []Send
	Done  []Completion
}
