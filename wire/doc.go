// Package wire is the binary encoding of every VR message and of the frames
// that carry them over a byte stream.
//
// # Frames
//
// A frame is a fixed header of HeaderSize (24) bytes followed by the body.
// All integers are little-endian:
//
//	offset size field
//	     0    4 magic     Magic; the bytes "VRwf" on the wire
//	     4    1 version   Version (4)
//	     5    1 type      message.Type of the body
//	     6    1 sender    replica index 0..254, or SenderClient (255)
//	     7    1 reserved  must be 0
//	     8    8 cluster   cluster id
//	    16    4 length    body length in bytes
//	    20    4 checksum  CRC-32C (Castagnoli) of bytes 0..19 then the body
//
// # Bodies
//
// A body starts with the sender's epoch (uint64, the Epoch field every
// message has; version 2 added it, and a version-1 frame is refused with
// ErrBadVersion), then the message's other fields in declaration order (see package message),
// with no tags and no padding: uint64 fields take 8 bytes, uint32 fields 4,
// uint8 fields and enums (RequestKind, ReplyStatus) 1 byte. A byte slice is
// a uint32 length then the bytes. An entry list is a uint32 count then the
// entries; an Entry is Op, View, ClientID, RequestNum, Session, Kind,
// Payload, so 45 bytes plus its payload.
//
// The enums take these values; any other byte is malformed:
//
//	RequestKind  0 KindApp, 1 KindRegister, 2 KindRead, 3 KindStaleRead,
//	             4 KindReconfigure, 5 KindConfig (requests only),
//	             6 KindRefusal (log entries only)
//	ReplyStatus  0 StatusOK, 1 StatusSessionEvicted, 2 StatusRejected,
//	             3 StatusForbidden, 4 StatusRefused
//
// A member list (StartEpoch) is a uint8 count, then each member's id and
// role, one byte each. After StartEpoch's two lists comes a bool (one
// byte) that says whether their address section follows: for each member
// of Members then Prev, a uint8 length and the address's bytes
// (message/addrs.go); it follows exactly when some member has an address.
//
// The rule gives, for instance, these bodies for normal operation (the
// tables below show the fields after the 8 bytes of Epoch): a Prepare is
// 8+36 bytes plus its entries, a PrepareOK 8+33 bytes, a Commit 8+32
// bytes. Sent is the primary's clock when it sent the message, and Echo the
// Sent that a backup returns to it (read leases); LogBase is the primary's
// log base, up to which a witness drops its log.
//
//	Prepare          offset size field
//	                      0    8 View
//	                      8    8 Commit
//	                     16    8 Sent
//	                     24    8 LogBase
//	                     32    4 len(Entries), at least 1
//	                     36    n Entries
//
//	PrepareOK        offset size field
//	                      0    8 View
//	                      8    8 Op
//	                     16    1 Replica
//	                     17    8 Echo
//	                     25    8 Saved
//
//	Commit           offset size field
//	                      0    8 View
//	                      8    8 Commit
//	                     16    8 Sent
//	                     24    8 LogBase
//
// And these for checkpoint transfer: a GetCheckpoint is 41 bytes, a
// CheckpointChunk 45 bytes plus its Data.
//
//	GetCheckpoint    offset size field
//	                      0    1 Replica
//	                      1    8 MinOp
//	                      9    8 MaxOp
//	                     17    8 Op
//	                     25    8 Offset
//	                     33    8 After
//
//	CheckpointChunk  offset size field
//	                      0    1 Replica
//	                      1    8 Op
//	                      9    8 Size
//	                     17    8 Offset
//	                     25    8 After
//	                     33    4 Checksum
//	                     37    4 len(Data), at most MaxChunk
//	                     41    n Data
//
// Every integer has a fixed width, so the encoding is canonical: a body that
// DecodeMessage accepts re-encodes with AppendMessage to the same bytes, and
// likewise for frames.
//
// # Validation
//
// Decoders reject truncated bodies, trailing bytes, unknown enum values,
// entry counts above Limits.MaxEntries, payloads and results above
// Limits.MaxPayload, entry lists whose Op numbers are not consecutive (or
// would overflow), an empty Prepare, a non-empty Log of DoViewChange,
// StartView or RecoveryResponse whose last Op differs from the message's Op,
// and a CheckpointChunk whose Data is longer than MaxChunk (whatever the
// Limits) or does not lie within its checkpoint: Offset+len(Data) must not
// exceed Size (nor overflow). The Checksum of a chunk is not checked here;
// it is carried for the receiver to check. The encoders refuse the same
// invalid messages, so nothing they produce is rejected by a decoder with
// default limits unless it is too large.
//
// # Nil and empty
//
// Empty byte slices and empty entry lists decode as nil. A message therefore
// round-trips to a reflect.DeepEqual copy once every empty slice in it
// (Payload, Result, Data, Entries, Log, and each entry's Payload) is
// replaced by nil. Decoded messages never alias the input buffer; the
// payloads of one entry list share a single backing array, each capped at
// its own length.
//
// Errors wrap the sentinel errors of this package (ErrMalformed and so on)
// and can be tested with errors.Is.
package wire
