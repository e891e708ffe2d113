package sim

import (
	"errors"
	"fmt"
)

// ErrBadOptions is returned (wrapped) by Run for invalid Options.
var ErrBadOptions = errors.New("sim: bad options")

// Kind classifies a violation.
type Kind string

// The kinds of violation the simulator reports.
const (
	// KindPanic: the core (or a check) panicked during a step, including a
	// failed CheckInvariants.
	KindPanic Kind = "panic"
	// KindProtocol: a replica produced something impossible (a reply to an
	// unknown client, an undecodable result, a non-consecutive execution).
	KindProtocol Kind = "protocol"
	// KindDivergence: two replicas committed different entries at one op.
	KindDivergence Kind = "committed-divergence"
	// KindCommitRegress: a replica's commit-number went backwards.
	KindCommitRegress Kind = "commit-regress"
	// KindStateDivergence: replicas that executed the same ops differ in
	// state digest or in an op's result.
	KindStateDivergence Kind = "state-divergence"
	// KindLinearizability: the clients' history is not linearizable.
	KindLinearizability Kind = "linearizability"
	// KindLiveness: a request was not answered in time after the heal.
	KindLiveness Kind = "liveness"
	// KindLostWrite: an acknowledged request is missing from the final log.
	KindLostWrite Kind = "lost-write"
	// KindConvergence: the healed cluster did not converge by the end.
	KindConvergence Kind = "convergence"
	// KindDisruption: a healthy, fault-free quorum left its view (a
	// replica returning from isolation disrupted a working cluster).
	KindDisruption Kind = "disruption"
	// KindLostDurable: a replica resumed from its disk (through the real
	// storage code) with less than its storage had reported durable.
	KindLostDurable Kind = "lost-durable"
	// KindWitness: a witness was taken for a primary, executed, held state
	// or served it (see witness.go).
	KindWitness Kind = "witness"
	// KindEpoch: a reconfiguration rule failed: an epoch that did not start
	// in view 0, an op after the RECONFIGURATION that ended its epoch, a
	// replica that may shut down before f'+1 new members started (see
	// reconfig.go).
	KindEpoch Kind = "epoch"
	// KindAtMostOnce: one client request reached a state machine at two
	// different ops (see atmostonce.go).
	KindAtMostOnce Kind = "at-most-once"
	// KindStandby: a standby was taken for a primary, counted in a quorum,
	// or sent what only a voting member sends (see standby.go).
	KindStandby Kind = "standby"
	// KindCommitView: a replica that takes part in its epoch holds a
	// commit of a view after its last normal view (see commitview.go).
	KindCommitView Kind = "commit-view"
	// KindSpuriousViewChange: a replica left its view for a view change
	// while a Prepare or Commit of that view from its primary waited unread
	// in its inbox (see spurious.go).
	KindSpuriousViewChange Kind = "spurious-view-change"
	// KindFaultFree: in a profile with no fault, a replica asked for state
	// or started a view change (see faultfree.go).
	KindFaultFree Kind = "fault-free-repair"
)

// Violation is a failed check. Replay is the command that reproduces it.
type Violation struct {
	Seed   uint64
	Kind   Kind
	Detail string
	Time   int64 // simulated microseconds
	Replay string
}

// Error implements error.
func (v *Violation) Error() string {
	return fmt.Sprintf("seed %d: %s at %.3fms: %s (replay: %s)",
		v.Seed, v.Kind, float64(v.Time)/1000, v.Detail, v.Replay)
}

// violate records the first violation of the run; later ones are ignored.
func (r *run) violate(kind Kind, format string, args ...any) {
	if r.viol != nil {
		return
	}
	replay := r.replay
	if replay == "" {
		replay = ReplayCommand(r.opts)
	}
	r.viol = &Violation{
		Seed: r.opts.Seed, Kind: kind, Detail: fmt.Sprintf(format, args...),
		Time: r.now, Replay: replay,
	}
}
