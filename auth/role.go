package auth

import "fmt"

// Role is what a client may do. Roles are ordered: each allows what the
// ones below it allow.
type Role uint8

const (
	// RoleNone allows nothing; it is the role of a replica's certificate
	// and of a missing identity.
	RoleNone Role = iota
	// RoleRead allows reads (and the session registration they need).
	RoleRead
	// RoleWrite allows reads and writes.
	RoleWrite
	// RoleAdmin allows everything, including admin operations such as
	// reconfiguration.
	RoleAdmin
)

// roleNames are the roles as written in certificates and on the command line.
var roleNames = [...]string{RoleNone: "none", RoleRead: "read", RoleWrite: "write", RoleAdmin: "admin"}

// String returns the role's name: read, write, admin (or none).
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// Allows reports whether a holder of r may do what needs required.
func (r Role) Allows(required Role) bool {
	return r >= required && r <= RoleAdmin
}

// ParseRole parses read, write or admin.
func ParseRole(s string) (Role, error) {
	for r := RoleRead; r <= RoleAdmin; r++ {
		if roleNames[r] == s {
			return r, nil
		}
	}
	return RoleNone, fmt.Errorf("%w: role %q: use read, write or admin", ErrNoIdentity, s)
}

// Roles lists the client roles, weakest first.
func Roles() []Role { return []Role{RoleRead, RoleWrite, RoleAdmin} }
