package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// The admin credential of a cluster: a shared secret (a file given to
// `vr server --admin-secret-file` and `vr reconfigure --admin-secret-file`).
// An admin request (a RECONFIGURATION) carries, after its payload, an
// HMAC-SHA256 under the secret of the cluster id, the client id, the
// request number and the payload: the replica verifies it for every
// request before the protocol sees it, and strips it. The MAC binds the
// request to its cluster and to its client table entry, so a copy sent
// again is a duplicate the client table answers, never a new request; the
// payload's epoch (a check-and-set) keeps an old request from applying to
// a later epoch.

// AdminMACSize is the size of the MAC an admin request's payload ends with.
const AdminMACSize = sha256.Size

// MinAdminSecret is the shortest admin secret accepted, in bytes.
const MinAdminSecret = 16

// ErrAdminSecret is returned for an admin secret file that cannot be used.
var ErrAdminSecret = errors.New("auth: bad admin secret")

// LoadAdminSecret reads an admin secret file: its bytes, surrounding
// white space trimmed, at least MinAdminSecret of them.
func LoadAdminSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAdminSecret, err)
	}
	b = bytes.TrimSpace(b)
	if len(b) < MinAdminSecret {
		return nil, fmt.Errorf("%w: %s holds %d bytes, at least %d needed", ErrAdminSecret, path, len(b), MinAdminSecret)
	}
	return b, nil
}

// SealAdmin returns payload followed by its MAC under secret for the
// request (cluster, client, requestNum).
func SealAdmin(secret []byte, cluster, client, requestNum uint64, payload []byte) []byte {
	return append(append([]byte(nil), payload...), adminMAC(secret, cluster, client, requestNum, payload)...)
}

// OpenAdmin checks the MAC that sealed ends with and returns the payload
// before it; ok is false if secret is empty, sealed too short or the MAC
// wrong.
func OpenAdmin(secret []byte, cluster, client, requestNum uint64, sealed []byte) (payload []byte, ok bool) {
	if len(secret) == 0 || len(sealed) < AdminMACSize {
		return nil, false
	}
	payload, mac := sealed[:len(sealed)-AdminMACSize], sealed[len(sealed)-AdminMACSize:]
	if !hmac.Equal(mac, adminMAC(secret, cluster, client, requestNum, payload)) {
		return nil, false
	}
	return payload, true
}

func adminMAC(secret []byte, cluster, client, requestNum uint64, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("vr admin request\x00"))
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], cluster)
	binary.LittleEndian.PutUint64(b[8:], client)
	binary.LittleEndian.PutUint64(b[16:], requestNum)
	h.Write(b[:])
	h.Write(payload)
	return h.Sum(nil)
}
