package message

import "testing"

func TestLaneOf(t *testing.T) {
	big := []Entry{{Op: 1, Payload: make([]byte, BulkLaneBytes)}}
	small := []Entry{{Op: 1, Payload: make([]byte, 100)}}
	cases := []struct {
		m    Message
		want Lane
	}{
		{&Commit{View: 1, Commit: 2}, LaneControl},
		{&PrepareOK{View: 1, Op: 2}, LaneControl},
		{&StartViewChange{View: 1}, LaneControl},
		{&GetState{View: 1}, LaneControl},
		{&GetCheckpoint{}, LaneControl},
		{&Prepare{Entries: small}, LaneControl},
		{&Prepare{Entries: big}, LaneBulk},
		{&DoViewChange{Log: small}, LaneControl},
		{&DoViewChange{Log: big}, LaneBulk},
		{&StartView{Log: big}, LaneBulk},
		{&NewState{Entries: big}, LaneBulk},
		{&RecoveryResponse{Log: big}, LaneBulk},
		{&CheckpointChunk{Data: make([]byte, BulkLaneBytes)}, LaneBulk},
		{&CheckpointChunk{Data: make([]byte, 10)}, LaneControl},
		// Not bulky however large: a request or reply is never sent
		// between replicas.
		{&Request{Payload: make([]byte, BulkLaneBytes)}, LaneControl},
	}
	for _, c := range cases {
		if got := LaneOf(c.m); got != c.want {
			t.Errorf("LaneOf(%s of %d bytes) = %v, want %v", c.m.Type(), Size(c.m), got, c.want)
		}
	}
}
