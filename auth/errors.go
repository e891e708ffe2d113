package auth

import "errors"

// Sentinel errors; errors of this package wrap them.
var (
	// ErrNoIdentity: a certificate carries no (or more than one, or a
	// malformed) vr:// identity.
	ErrNoIdentity = errors.New("auth: certificate carries no valid vr identity")
	// ErrWrongCluster: a certificate names another cluster.
	ErrWrongCluster = errors.New("auth: certificate of another cluster")
	// ErrRejected: a peer's certificate failed verification (expired,
	// signed by an unknown authority, wrong key usage, wrong identity).
	ErrRejected = errors.New("auth: peer certificate rejected")
	// ErrUnexpectedPeer: the peer's identity is valid but not the one
	// this connection expects (for example replica 2 answering at the
	// address of replica 1).
	ErrUnexpectedPeer = errors.New("auth: unexpected peer identity")
)
