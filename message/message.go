// Package message defines every message of the Viewstamped Replication
// Revisited protocol as plain Go values.
//
// Package wire owns the binary form and package core the semantics. What
// the packages in between need to know about a message without knowing its
// type (its route, the replica it names as sender, its log attributes, a
// copy of it, whether it is bulky) comes from one table with an entry per
// type (table.go), through Sender, Copy, Bulky, AppendAttrs and
// Fingerprint. Field names follow the paper (Liskov & Cowling,
// MIT-CSAIL-TR-2012-021) where it names them.
package message

import "fmt"

// Type identifies the kind of a message on the wire and in logs.
type Type uint8

// The message types. The numeric values are part of the wire format and must
// never be reused or renumbered.
const (
	TypeRequest          Type = 1
	TypeReply            Type = 2
	TypePrepare          Type = 3
	TypePrepareOK        Type = 4
	TypeCommit           Type = 5
	TypeStartViewChange  Type = 6
	TypeDoViewChange     Type = 7
	TypeStartView        Type = 8
	TypeRecovery         Type = 9
	TypeRecoveryResponse Type = 10
	TypeGetState         Type = 11
	TypeNewState         Type = 12
	TypeGetCheckpoint    Type = 13
	TypeCheckpointChunk  Type = 14
	TypeStartEpoch       Type = 15
	TypeEpochStarted     Type = 16
	TypeGetLog           Type = 17
	TypeLogChunk         Type = 18
)

// String returns the paper's name of the message type, which is also the
// name of its struct.
func (t Type) String() string {
	if s := lookup(t); s != nil {
		return s.name
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Valid reports whether t is a known message type.
func (t Type) Valid() bool { return lookup(t) != nil }

// Message is implemented by every protocol message.
type Message interface {
	// Type returns the message's wire type.
	Type() Type
}

// RequestKind distinguishes the requests a client may send.
type RequestKind uint8

const (
	// KindApp is an operation of the wrapped state machine.
	KindApp RequestKind = 0
	// KindRegister opens a client session in the client table. It goes
	// through the log like any operation, so every replica agrees on which
	// sessions exist and which were evicted.
	KindRegister RequestKind = 1
	// KindRead is a read-only operation that must be linearizable: the
	// primary answers it from its state while it holds a read lease, and
	// otherwise puts it through the log like KindApp.
	KindRead RequestKind = 2
	// KindStaleRead is a read-only operation that any replica in normal
	// status answers from its own state, which may be behind the primary's.
	KindStaleRead RequestKind = 3
	// KindReconfigure is the administrator's RECONFIGURATION request (VR
	// Revisited §7): its payload is a Reconfiguration (reconfig.go). It
	// goes through the log and is the last op of its epoch.
	KindReconfigure RequestKind = 4
	// KindConfig asks the replica for the configuration it knows (epoch,
	// members, their addresses) and its view: a query the node answers
	// itself, never put to the protocol (a replica's core rejects it).
	// Clients discover the cluster with it; the Reply's Result is a
	// Reconfiguration encoding (docs/protocol.md, "Client discovery").
	KindConfig RequestKind = 5
	// KindRefusal is a log entry no client sends: a RECONFIGURATION the
	// primary refused for a reason that depends on what it knows of its
	// backups (RefusalReason.Transient), put through the log in the
	// request's place so that the client table answers every copy of the
	// request with the refusal, and no later primary admits a copy that
	// was still in the network. Its payload is the Reply's Result (the
	// reason byte). It never reaches the state machine.
	KindRefusal RequestKind = 6
)

// Valid reports whether k is a request kind the protocol (the core)
// knows; KindConfig is not one of them.
func (k RequestKind) Valid() bool { return k <= KindReconfigure }

// OnWire reports whether k may travel in a Request frame: a kind the
// protocol knows, or KindConfig.
func (k RequestKind) OnWire() bool { return k.Valid() || k == KindConfig }

// InLog reports whether a log entry may have kind k: a kind a client may
// send to the protocol, or KindRefusal.
func (k RequestKind) InLog() bool { return k.Valid() || k == KindRefusal }

// ReplyStatus tells a client how its request ended.
type ReplyStatus uint8

const (
	// StatusOK means the request was executed and Result holds its result.
	StatusOK ReplyStatus = 0
	// StatusSessionEvicted means the client's session is no longer in the
	// client table. The request was not executed by this reply; whether an
	// earlier copy of it executed is unknown to the client.
	StatusSessionEvicted ReplyStatus = 1
	// StatusRejected means the request was malformed (for example an
	// unknown kind) and was not executed.
	StatusRejected ReplyStatus = 2
	// StatusForbidden means the client's role (from its certificate) does
	// not allow the request; a replica answers it before the protocol
	// sees the request, so it was not executed.
	StatusForbidden ReplyStatus = 3
	// StatusRefused answers a RECONFIGURATION that was not accepted; the
	// Result's first byte is a RefusalReason (reconfig.go). Nothing
	// changed.
	StatusRefused ReplyStatus = 4
)

// Valid reports whether s is a known reply status.
func (s ReplyStatus) Valid() bool { return s <= StatusRefused }

// Entry is one operation in the log: a client request at an op-number.
type Entry struct {
	Op         uint64 // op-number assigned by the primary
	View       uint64 // view in which the primary assigned Op
	ClientID   uint64
	RequestNum uint64
	// Session is the request's Session (see Request): the identity of the
	// client's session it was sent in.
	Session uint64
	Kind    RequestKind
	Payload []byte
}

// Request is sent by a client (through the VR proxy) to the primary.
type Request struct {
	Epoch      uint64 // the sender's epoch (see Epoch)
	ClientID   uint64
	RequestNum uint64
	// Session is the identity of the client's session: the op-number of
	// the KindRegister that opened it, which the Register's reply carries
	// (EncodeSession). A request whose Session is not the live session's
	// is refused (StatusSessionEvicted), so a replayed Register that opens
	// a new session under the same ClientID never lets an older request
	// in. Zero on a KindRegister, KindStaleRead or KindConfig.
	Session uint64
	Kind    RequestKind
	View    uint64 // the view the client believes is current (advisory)
	Payload []byte
}

// Reply answers a Request. View lets the client learn the current view.
type Reply struct {
	Epoch      uint64 // the sender's epoch (see Epoch)
	View       uint64
	ClientID   uint64
	RequestNum uint64
	Replica    uint8 // the replica that answered
	Status     ReplyStatus
	Result     []byte
}

// Prepare carries one or more consecutive log entries from the primary to a
// backup. Entries[len-1].Op is the op-number of the Prepare. A Prepare may
// carry a batch; entries are always consecutive.
type Prepare struct {
	Epoch  uint64 // the sender's epoch (see Epoch)
	View   uint64
	Commit uint64
	// Sent is the primary's clock (its tick count) when it sent the
	// Prepare; a backup echoes it in PrepareOK, which grants a read lease
	// that started no earlier.
	Sent uint64
	// LogBase is the primary's log base: ops at or below it left the
	// primary's log for a checkpoint. A witness drops its log up to it.
	LogBase uint64
	Entries []Entry
}

// PrepareOK acknowledges that the sender holds every entry up to and
// including Op in View. Acknowledgements are cumulative.
type PrepareOK struct {
	Epoch   uint64 // the sender's epoch (see Epoch)
	View    uint64
	Op      uint64
	Replica uint8
	// Echo is the Sent of the latest Prepare or Commit the sender accepted
	// from the primary: the sender promised not to send DoViewChange for a
	// later view for a lease period after receiving it.
	Echo uint64
	// Saved is the op of the newest checkpoint the sender saved and
	// serves (0: none). The primary cuts its log only below a checkpoint
	// that enough replicas saved (core/quorumsaved.go), so that a backup
	// that lags behind its checkpoints never leaves the state at the
	// primary alone.
	Saved uint64
}

// Commit tells backups the commit-number when the primary is idle; it is also
// the primary's heartbeat.
type Commit struct {
	Epoch   uint64 // the sender's epoch (see Epoch)
	View    uint64
	Commit  uint64
	Sent    uint64 // the primary's clock when sent (see Prepare.Sent)
	LogBase uint64 // the primary's log base (see Prepare.LogBase)
}

// StartViewChange announces that the sender moved to View and wants a view
// change. PromisedView is the highest view for which the sender sent
// DoViewChange (or was normal in): it can never return to a lower view, so a
// replica whose view is below it joins the view change even while its own
// view looks healthy.
type StartViewChange struct {
	Epoch        uint64 // the sender's epoch (see Epoch)
	View         uint64
	Replica      uint8
	PromisedView uint64
}

// DoViewChange is sent to the primary of View once the sender has seen f
// StartViewChange messages for View.
type DoViewChange struct {
	Epoch          uint64 // the sender's epoch (see Epoch)
	View           uint64
	LastNormalView uint64
	Op             uint64
	Commit         uint64
	Replica        uint8
	Log            []Entry // the sender's log after its base: ops Op-len(Log)+1..Op
}

// StartView is sent by the new primary once it has f+1 DoViewChange messages.
type StartView struct {
	Epoch  uint64 // the sender's epoch (see Epoch)
	View   uint64
	Op     uint64
	Commit uint64
	Log    []Entry // the new view's log after the primary's base: ops Op-len(Log)+1..Op
}

// Recovery is sent by a replica that lost its state. NewCluster marks a
// replica that was started as a member of a brand-new cluster and asks
// whether every other replica is new too.
type Recovery struct {
	Epoch      uint64 // the sender's epoch (see Epoch)
	Replica    uint8
	Nonce      uint64
	NewCluster bool
}

// RecoveryResponse answers a Recovery. Every replica reports its view,
// op-number and commit-number; only the primary of View includes its log.
//
// AnnouncedView is the highest view the sender ever moved to (and so
// announced with a StartViewChange), even if it went back to a lower view
// since: the recovering replica may have sent a DoViewChange for it before
// it lost its state, so it must not become normal below it (see
// docs/protocol.md, "Recovery"). Normal says the sender is in normal status
// (only normal answers count towards the paper's f+1); NewMember says the
// sender is itself a brand-new replica still in its first handshake, which
// holds nothing; LostState says the sender is itself recovering: it lost
// whatever it held.
type RecoveryResponse struct {
	Epoch         uint64 // the sender's epoch (see Epoch)
	View          uint64
	Nonce         uint64
	Op            uint64
	Commit        uint64
	Replica       uint8
	AnnouncedView uint64
	Normal        bool
	NewMember     bool
	LostState     bool
	Log           []Entry
}

// GetState asks a replica of View for the log after Op.
type GetState struct {
	Epoch   uint64 // the sender's epoch (see Epoch)
	View    uint64
	Op      uint64
	Replica uint8
}

// NewState answers GetState with every log entry after the requested op.
// From echoes the GetState's Op, so that a replica takes only the answer to
// the request it has outstanding: an answer to a request of an earlier
// incarnation (a message that was long under way) could start past its log
// and make it wait for a checkpoint that may never exist.
type NewState struct {
	Epoch   uint64 // the sender's epoch (see Epoch)
	View    uint64
	Op      uint64 // the sender's op-number; Entries end here
	Commit  uint64
	Replica uint8
	From    uint64
	Entries []Entry
}

// GetCheckpoint asks for part of a checkpoint. A replica whose log starts
// above what it executed needs the state at an op in [MinOp, MaxOp]. With Op
// 0 it asks for the newest checkpoint the receiver holds in that range;
// afterwards for checkpoint Op from byte Offset on. With After not 0 the
// sender holds the chain of records (core/delta.go) of the checkpoint at
// After and asks only for the records after it, if the receiver's chain
// holds a record of After; otherwise the receiver sends the whole chain.
type GetCheckpoint struct {
	Epoch   uint64 // the sender's epoch (see Epoch)
	Replica uint8
	MinOp   uint64
	MaxOp   uint64
	Op      uint64
	Offset  uint64
	After   uint64
}

// CheckpointChunk carries the bytes [Offset, Offset+len(Data)) of the
// checkpoint taken after executing Op, which is Size bytes long. Checksum is
// the CRC32C of Data; the checkpoint also ends in a checksum of its own.
// With After not 0 the bytes are only the records of the checkpoint's chain
// after the record of After (Size and Offset count those): they continue
// a chain that ends at After.
type CheckpointChunk struct {
	Epoch    uint64 // the sender's epoch (see Epoch)
	Replica  uint8
	Op       uint64
	Size     uint64
	Offset   uint64
	After    uint64
	Checksum uint32
	Data     []byte
}

// GetLog asks a replica for the committed entries after Op that its
// driver retains beyond its log (driver/retain.go): a backup whose log
// ends below its state source's log base catches up from them instead of
// fetching a checkpoint (docs/protocol.md, "Catching up from the retained
// log"). MaxBytes bounds the entries' encoded size in the answer: the room
// in the asker's log.
type GetLog struct {
	Epoch    uint64 // the sender's epoch (see Epoch)
	Replica  uint8
	Op       uint64
	MaxBytes uint64
}

// LogChunk answers GetLog with committed entries from From+1 on, in op
// order and without gaps; none if the replica retains no entry From+1.
type LogChunk struct {
	Epoch   uint64 // the sender's epoch (see Epoch)
	Replica uint8
	From    uint64
	Entries []Entry
}

// Type implements Message.
func (*Request) Type() Type { return TypeRequest }

// Type implements Message.
func (*Reply) Type() Type { return TypeReply }

// Type implements Message.
func (*Prepare) Type() Type { return TypePrepare }

// Type implements Message.
func (*PrepareOK) Type() Type { return TypePrepareOK }

// Type implements Message.
func (*Commit) Type() Type { return TypeCommit }

// Type implements Message.
func (*StartViewChange) Type() Type { return TypeStartViewChange }

// Type implements Message.
func (*DoViewChange) Type() Type { return TypeDoViewChange }

// Type implements Message.
func (*StartView) Type() Type { return TypeStartView }

// Type implements Message.
func (*Recovery) Type() Type { return TypeRecovery }

// Type implements Message.
func (*RecoveryResponse) Type() Type { return TypeRecoveryResponse }

// Type implements Message.
func (*GetState) Type() Type { return TypeGetState }

// Type implements Message.
func (*NewState) Type() Type { return TypeNewState }

// Type implements Message.
func (*GetCheckpoint) Type() Type { return TypeGetCheckpoint }

// Type implements Message.
func (*CheckpointChunk) Type() Type { return TypeCheckpointChunk }

// Type implements Message.
func (*StartEpoch) Type() Type { return TypeStartEpoch }

// Type implements Message.
func (*EpochStarted) Type() Type { return TypeEpochStarted }

// Type implements Message.
func (*GetLog) Type() Type { return TypeGetLog }

// Type implements Message.
func (*LogChunk) Type() Type { return TypeLogChunk }
