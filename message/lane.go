package message

// Lane is the connection a message between two replicas travels on. Each
// link between replicas has two, each in order: the control lane for the
// small messages the protocol's timers depend on (heartbeats,
// acknowledgements, view-change votes, requests for state) and the bulk
// lane for messages of many kilobytes (entries, logs, checkpoint chunks),
// so that a heartbeat never waits behind megabytes of log on the same
// link (docs/protocol.md, "Lanes").
type Lane uint8

// The lanes.
const (
	LaneControl Lane = 0
	LaneBulk    Lane = 1
)

// NumLanes is the number of lanes per link.
const NumLanes = 2

// BulkLaneBytes is the size from which a bulky message (see Bulky) takes
// the bulk lane: 64 KiB cross a link of 40 MB/s in 1.6 ms, a small part
// of a heartbeat period, so smaller messages do no harm on the control
// lane, and a Prepare of small ops keeps its place in order before the
// Commits that follow it.
const BulkLaneBytes = 64 << 10

// LaneOf returns the lane m travels on: the bulk lane if it is bulky and
// at least BulkLaneBytes in size, the control lane otherwise.
func LaneOf(m Message) Lane {
	if Bulky(m) && Size(m) >= BulkLaneBytes {
		return LaneBulk
	}
	return LaneControl
}

// String names the lane in logs.
func (l Lane) String() string {
	if l == LaneBulk {
		return "bulk"
	}
	return "control"
}
