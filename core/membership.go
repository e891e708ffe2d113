package core

import "fmt"

// Role is what a member does in its configuration. Only voters exist
// today; witnesses and standbys come with reconfiguration.
type Role uint8

// The roles of a member.
const (
	RoleVoter Role = iota + 1 // holds the state, votes, can be primary
)

// Member is one replica of a configuration.
type Member struct {
	Role Role
}

// Membership is a configuration as data: the epoch it belongs to and its
// members in order (a replica's index is its position). The primary of a
// view is chosen round robin among the voters, and quorums are f+1 of
// them. It is fixed when the replica starts; reconfiguration (VR Revisited
// §7) will change it at run time.
type Membership struct {
	Epoch   uint64
	Members []Member
}

// NewMembership returns a configuration of epoch 0 with n voters.
func NewMembership(n int) Membership {
	m := Membership{Members: make([]Member, n)}
	for i := range m.Members {
		m.Members[i].Role = RoleVoter
	}
	return m
}

// Size is the number of members.
func (m Membership) Size() int { return len(m.Members) }

// voters returns the indexes of the voting members, in order.
func (m Membership) voters() []int {
	var vs []int
	for i, mem := range m.Members {
		if mem.Role == RoleVoter {
			vs = append(vs, i)
		}
	}
	return vs
}

// faults is f: the largest number of voters that may fail with 2f+1 <= voters.
func (m Membership) faults() int { return (len(m.voters()) - 1) / 2 }

// validate checks that m can run the protocol.
func (m Membership) validate() error {
	n := len(m.voters())
	switch {
	case n < 1 || n%2 == 0:
		return fmt.Errorf("%w: %d voters is not 2f+1", ErrBadConfig, n)
	case len(m.Members) > 255:
		return fmt.Errorf("%w: %d members exceed 255", ErrBadConfig, len(m.Members))
	case n != len(m.Members):
		return fmt.Errorf("%w: only voting members are supported", ErrBadConfig)
	}
	return nil
}
