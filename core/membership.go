package core

import (
	"fmt"
	"slices"

	"github.com/vr-go/vr/message"
)

// Role is what a member does in its configuration.
type Role uint8

// The roles of a member. Full replicas and witnesses vote: quorums are f+1
// of the voting members, and f is the largest with 2f+1 <= voting members.
// Standbys vote nowhere (standby.go).
const (
	// RoleVoter is a full replica: it holds the log and the state,
	// executes, checkpoints, serves state, and can be primary.
	RoleVoter Role = iota + 1
	// RoleWitness holds full log entries (not only their metadata), votes
	// in view changes and acknowledges Prepares, but never executes, holds
	// no application state or checkpoint, never becomes primary and never
	// serves state transfer, checkpoints or a recovery's log. It drops its
	// log up to the primary's log base (see docs/protocol.md, "Witnesses").
	RoleWitness
	// RoleStandby is a non-voting full replica: it holds the log and the
	// state, executes, checkpoints and follows the primary's Prepares and
	// Commits, but is counted in no quorum (normal operation, view
	// change, recovery, read leases), takes no part in view changes and
	// never becomes primary. A reconfiguration can promote it to a full
	// replica, which then needs no state transfer (docs/protocol.md,
	// "Standbys").
	RoleStandby
)

func (r Role) String() string {
	switch r {
	case RoleVoter:
		return "full"
	case RoleWitness:
		return "witness"
	case RoleStandby:
		return "standby"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Member is one replica of a configuration: its stable id, which names it
// on the network (Envelope.To, the Replica fields of messages) in every
// epoch, and its role. A replica's index is its position in the current
// configuration and changes with it; its id never does, and an id that left
// a configuration is never given to another replica (NextID).
type Member struct {
	ID   uint8
	Role Role
	// Addr is where the member listens: opaque data the core carries
	// with the member (RECONFIGURATION, StartEpoch, the hard state) and
	// never reads; the runtime dials it (docs/protocol.md, "Addresses").
	Addr string
}

// Membership is a configuration as data: the epoch it belongs to and its
// members in order (a replica's index is its position). Quorums are f+1 of
// the voting members (full replicas and witnesses; standbys never count).
// The primary of view v is the full replica full[v mod len(full)], where
// full lists the indexes of the full replicas in order: views go round
// robin over the full replicas and skip witnesses and standbys.
// Reconfiguration (VR Revisited §7, reconfig.go) changes it at run time.
type Membership struct {
	Epoch   uint64
	Members []Member
	// NextID is the lowest id no configuration of the cluster ever used:
	// a member added by a reconfiguration must have an id at or above it.
	NextID int
}

// NewMembership returns a configuration of epoch 0 with n full replicas
// whose ids equal their indexes, 0..n-1.
func NewMembership(n int) Membership {
	m := Membership{Members: make([]Member, n), NextID: n}
	for i := range m.Members {
		m.Members[i] = Member{ID: uint8(i), Role: RoleVoter}
	}
	return m
}

// IndexOf returns the index of the member with id, -1 if none has it.
func (m Membership) IndexOf(id uint8) int {
	for i, mem := range m.Members {
		if mem.ID == id {
			return i
		}
	}
	return -1
}

// ID returns the id of member i.
func (m Membership) ID(i int) uint8 { return m.Members[i].ID }

// Wire returns the members in their wire form.
func (m Membership) Wire() []message.Member {
	ws := make([]message.Member, len(m.Members))
	for i, mem := range m.Members {
		ws[i] = message.Member{ID: mem.ID, Role: uint8(mem.Role), Addr: mem.Addr}
	}
	return ws
}

// FromWire returns the configuration of epoch with the members ws.
func FromWire(epoch uint64, ws []message.Member, nextID int) Membership {
	m := Membership{Epoch: epoch, Members: make([]Member, len(ws)), NextID: nextID}
	for i, w := range ws {
		m.Members[i] = Member{ID: w.ID, Role: Role(w.Role), Addr: w.Addr}
	}
	return m
}

// sameMembers reports whether a and b hold the same members with the same
// roles, in the same order.
func sameMembers(a, b Membership) bool { return slices.Equal(a.Members, b.Members) }

// WithWitnesses returns a copy of m whose members at the given indexes are
// witnesses; Validate (through Config.Validate) checks the result.
func (m Membership) WithWitnesses(indexes ...int) (Membership, error) {
	c := Membership{Epoch: m.Epoch, Members: slices.Clone(m.Members), NextID: m.NextID}
	for _, i := range indexes {
		if i < 0 || i >= len(c.Members) {
			return m, fmt.Errorf("%w: witness index %d out of range [0,%d)", ErrBadConfig, i, len(c.Members))
		}
		if c.Members[i].Role == RoleWitness {
			return m, fmt.Errorf("%w: witness index %d given twice", ErrBadConfig, i)
		}
		c.Members[i].Role = RoleWitness
	}
	return c, nil
}

// Size is the number of members.
func (m Membership) Size() int { return len(m.Members) }

// Role returns the role of member i.
func (m Membership) Role(i int) Role { return m.Members[i].Role }

// IsWitness reports whether member i is a witness.
func (m Membership) IsWitness(i int) bool { return m.Members[i].Role == RoleWitness }

// IsStandby reports whether member i is a standby.
func (m Membership) IsStandby(i int) bool { return m.Members[i].Role == RoleStandby }

// Votes reports whether member i counts in quorums: a full replica or a
// witness, not a standby.
func (m Membership) Votes(i int) bool { return m.Members[i].Role != RoleStandby }

// Standbys returns the indexes of the standbys, in order.
func (m Membership) Standbys() []int { return m.withRole(RoleStandby) }

// Voters returns the number of voting members (full replicas and
// witnesses): quorums are a majority of them.
func (m Membership) Voters() int { return len(m.Members) - len(m.Standbys()) }

// Faults is f: the largest number of voting members that may fail with
// 2f+1 <= voting members. Standbys do not count.
func (m Membership) Faults() int { return m.faults() }

// WithStandbys returns a copy of m whose members at the given indexes are
// standbys; Validate (through Config.Validate) checks the result.
func (m Membership) WithStandbys(indexes ...int) (Membership, error) {
	c := Membership{Epoch: m.Epoch, Members: slices.Clone(m.Members), NextID: m.NextID}
	for _, i := range indexes {
		if i < 0 || i >= len(c.Members) {
			return m, fmt.Errorf("%w: standby index %d out of range [0,%d)", ErrBadConfig, i, len(c.Members))
		}
		if c.Members[i].Role != RoleVoter {
			return m, fmt.Errorf("%w: standby index %d given twice or a witness", ErrBadConfig, i)
		}
		c.Members[i].Role = RoleStandby
	}
	return c, nil
}

// Witnesses returns the indexes of the witnesses, in order.
func (m Membership) Witnesses() []int { return m.withRole(RoleWitness) }

// full returns the indexes of the full replicas, in order: the candidates
// for primary.
func (m Membership) full() []int { return m.withRole(RoleVoter) }

func (m Membership) withRole(role Role) []int {
	var is []int
	for i, mem := range m.Members {
		if mem.Role == role {
			is = append(is, i)
		}
	}
	return is
}

// faults is f: the largest number of voting members that may fail with
// 2f+1 <= voting members. Standbys do not vote.
func (m Membership) faults() int { return (m.Voters() - 1) / 2 }

// validate checks that m can run the protocol: 2f+1 voting members, each
// full or a witness, at most f witnesses, so that every quorum of f+1
// holds a full replica and a view can always find a full replica to lead
// it, and any number of standbys besides.
func (m Membership) validate() error {
	n, v := len(m.Members), m.Voters()
	switch {
	case v < 1 || v%2 == 0:
		return fmt.Errorf("%w: %d voting members is not 2f+1", ErrBadConfig, v)
	case n > 255:
		return fmt.Errorf("%w: %d members exceed 255", ErrBadConfig, n)
	}
	for i, mem := range m.Members {
		if mem.Role != RoleVoter && mem.Role != RoleWitness && mem.Role != RoleStandby {
			return fmt.Errorf("%w: member %d has unknown role %d", ErrBadConfig, i, mem.Role)
		}
		if m.IndexOf(mem.ID) != i {
			return fmt.Errorf("%w: id %d given twice", ErrBadConfig, mem.ID)
		}
		if int(mem.ID) >= m.NextID {
			return fmt.Errorf("%w: id %d not below next id %d", ErrBadConfig, mem.ID, m.NextID)
		}
	}
	if w := len(m.Witnesses()); w > m.faults() {
		return fmt.Errorf("%w: %d witnesses among %d voting members: at most f = %d", ErrBadConfig, w, v, m.faults())
	}
	return nil
}
