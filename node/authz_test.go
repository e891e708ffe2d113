package node

import (
	"bytes"
	"io"
	"testing"

	"github.com/vr-go/vr/auth"
	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/kv"
	"github.com/vr-go/vr/message"
)

// TestRequiredRole checks the role each request needs: the payload
// decides, not the request's kind (a read request may go through the log).
func TestRequiredRole(t *testing.T) {
	store := kv.New(kv.DefaultLimits())
	get := kv.NewGet([]byte("k")).Encode()
	put := kv.NewPut([]byte("k"), []byte("v")).Encode()
	cases := []struct {
		kind    message.RequestKind
		payload []byte
		want    auth.Role
	}{
		{message.KindRegister, nil, auth.RoleRead},
		{message.KindRead, get, auth.RoleRead},
		{message.KindStaleRead, get, auth.RoleRead},
		{message.KindApp, get, auth.RoleRead},
		{message.KindApp, put, auth.RoleWrite},
		{message.KindRead, put, auth.RoleWrite},
		{message.KindStaleRead, put, auth.RoleWrite},
		{message.KindApp, []byte{0xff}, auth.RoleWrite},
	}
	for _, tc := range cases {
		if got := RequiredRole(&message.Request{Kind: tc.kind, Payload: tc.payload}, store); got != tc.want {
			t.Errorf("kind %d payload %x: %v, want %v", tc.kind, tc.payload, got, tc.want)
		}
	}
	// A state machine that cannot tell reads from writes: all need write.
	if got := RequiredRole(&message.Request{Kind: message.KindRead, Payload: get}, opaque{}); got != auth.RoleWrite {
		t.Errorf("opaque state machine: %v", got)
	}
}

// opaque is a state machine without ReadOnly.
type opaque struct{}

func (opaque) Apply(uint64, []byte) []byte { return nil }
func (opaque) Snapshot() core.Snapshot     { return bytes.NewReader(nil) }
func (opaque) Restore(io.Reader) error     { return nil }
