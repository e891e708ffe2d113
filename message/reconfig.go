package message

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Member names one replica of a configuration on the wire: its stable id
// (never reused once removed) and its role (core.Role's values: 1 full,
// 2 witness, 3 standby).
type Member struct {
	ID   uint8
	Role uint8
	// Addr is where the member listens, as the administrator gave it:
	// opaque to the protocol, carried with the member so that every
	// replica, a joiner and a client learn it (addrs.go). Empty when not
	// given (epoch 0's configuration comes from each replica's flags).
	Addr string
}

// StartEpoch tells a member of a new configuration that epoch Epoch began
// after the RECONFIGURATION at op Op. The sender executed that op: it holds
// the state at Op and serves it. Members is the new configuration and Prev
// the one before it (whose full replicas also serve the state), NextID the
// lowest id never used. A replica that receives one moves into Epoch only by
// fetching the checkpoint at Op (never by taking the epoch from the message:
// see docs/protocol.md, "Reconfiguration"). Any replica of Epoch also sends
// it in answer to a message of an older epoch.
type StartEpoch struct {
	Epoch   uint64
	Replica uint8 // the sender's id
	Op      uint64
	// OpView is the view of the RECONFIGURATION's log entry plus one (0:
	// unknown): a replica of the old epoch whose log holds that entry,
	// the same op in the same view, holds the committed log up to it, and
	// executes it instead of fetching the state.
	OpView  uint64
	NextID  uint16
	Members []Member
	Prev    []Member
}

// EpochStarted tells the members of the previous configuration (and the
// new one) that the sender, a member of Epoch, holds the state at the
// epoch's first op: leaving replicas may shut down after f'+1 of them.
type EpochStarted struct {
	Epoch   uint64
	Replica uint8 // the sender's id
}

// Reconfiguration is the payload of a KindReconfigure request: the
// administrator's check-and-set from epoch Epoch (the current one) to the
// configuration Members.
type Reconfiguration struct {
	Epoch   uint64
	Members []Member
}

// MaxMembers bounds a configuration's size.
const MaxMembers = 255

// ErrBadReconfiguration is returned for a payload that does not decode.
var ErrBadReconfiguration = errors.New("message: malformed reconfiguration")

// Encode returns the payload of a KindReconfigure request: Epoch (uint64),
// the member count (uint8), then each member's id and role (one byte
// each), then the members' addresses if any has one (addrs.go). Addresses
// longer than MaxAddrLen panic: check them with CheckAddrs first.
func (c Reconfiguration) Encode() []byte {
	b := binary.LittleEndian.AppendUint64(nil, c.Epoch)
	b = append(b, uint8(len(c.Members)))
	for _, m := range c.Members {
		b = append(b, m.ID, m.Role)
	}
	return AppendAddrs(b, c.Members)
}

// DecodeReconfiguration decodes a KindReconfigure request's payload.
func DecodeReconfiguration(b []byte) (Reconfiguration, error) {
	if len(b) < 9 || len(b) < 9+2*int(b[8]) {
		return Reconfiguration{}, fmt.Errorf("%w: %d bytes", ErrBadReconfiguration, len(b))
	}
	c := Reconfiguration{Epoch: binary.LittleEndian.Uint64(b), Members: make([]Member, b[8])}
	for i := range c.Members {
		c.Members[i] = Member{ID: b[9+2*i], Role: b[10+2*i]}
	}
	if err := DecodeAddrs(b[9+2*len(c.Members):], c.Members); err != nil {
		return Reconfiguration{}, fmt.Errorf("%w: %w", ErrBadReconfiguration, err)
	}
	return c, nil
}

// RefusalReason says why a RECONFIGURATION was refused: the first byte of
// a StatusRefused reply's Result.
type RefusalReason uint8

// The reasons a RECONFIGURATION is refused.
const (
	// RefuseStaleEpoch: the request's epoch is not the current one (the
	// check-and-set failed); the Result's bytes 1..8 hold the current
	// epoch.
	RefuseStaleEpoch RefusalReason = 1
	// RefuseTooSmall: fewer than 3 voting members.
	RefuseTooSmall RefusalReason = 2
	// RefuseUnchanged: the configuration equals the current one.
	RefuseUnchanged RefusalReason = 3
	// RefuseInProgress: another reconfiguration is in the log, not yet
	// executed. Replicas no longer send it (the one in the log may never
	// commit, and the refused request be admitted later): they leave the
	// request unanswered until the epoch moved (docs/protocol.md,
	// "Admission"). Clients still understand it.
	RefuseInProgress RefusalReason = 4
	// RefuseInvalid: the payload does not decode, or the configuration
	// cannot run (an even count, an unknown role, a repeated id, no full
	// replica), or a kept member changes its role other than by a
	// standby's promotion or a full replica's demotion.
	RefuseInvalid RefusalReason = 5
	// RefuseReusedID: a member new to the configuration has an id that was
	// used before (ids are never reused).
	RefuseReusedID RefusalReason = 6
	// RefuseUnauthorized: the request does not carry a valid MAC of the
	// cluster's admin secret, or the replica has none. The node refuses
	// it before the protocol sees it (node/admin.go).
	RefuseUnauthorized RefusalReason = 7
	// RefuseStandbyLagging: a standby the configuration promotes to a full
	// replica lags the primary by more than a checkpoint (or has not
	// acknowledged in the primary's view yet): the administrator waits
	// and asks again.
	RefuseStandbyLagging RefusalReason = 8
	// RefuseNewMajority: fewer than f'+1 voting members of the new
	// configuration would hold the state when its epoch starts (members
	// that stay, and standbys promoted); the others are new members, which
	// fetch the state and recover before they take part, so the new epoch
	// would start beyond its fault threshold. Add the new members as
	// standbys first, then promote them (docs/protocol.md, "A majority of
	// new members").
	RefuseNewMajority RefusalReason = 9
	// RefuseTooManyWitnesses: the new configuration has more than f'
	// witnesses among its 2f'+1 voting members, so a quorum of f'+1 could
	// hold no full replica (docs/protocol.md, "Witnesses").
	RefuseTooManyWitnesses RefusalReason = 10
)

// Transient reports whether the refusal depends on what the primary knows
// of its backups (a member that lags), not on the replicated state alone:
// another primary of the same epoch may admit the same request. The
// primary puts such a refusal through the log (KindRefusal), so that the
// refusal is the request's one outcome.
func (r RefusalReason) Transient() bool {
	return r == RefuseStandbyLagging || r == RefuseNewMajority
}

func (r RefusalReason) String() string {
	switch r {
	case RefuseStaleEpoch:
		return "stale epoch"
	case RefuseTooSmall:
		return "fewer than 3 members"
	case RefuseUnchanged:
		return "configuration unchanged"
	case RefuseInProgress:
		return "a reconfiguration is in progress"
	case RefuseInvalid:
		return "invalid configuration"
	case RefuseReusedID:
		return "a removed id reused"
	case RefuseUnauthorized:
		return "no valid admin credential"
	case RefuseStandbyLagging:
		return "a promoted standby lags by more than a checkpoint"
	case RefuseNewMajority:
		return "new members would be a majority"
	case RefuseTooManyWitnesses:
		return "more than f' witnesses"
	}
	return fmt.Sprintf("RefusalReason(%d)", uint8(r))
}
