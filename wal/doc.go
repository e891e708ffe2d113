// Package wal is the durable storage of a replica: a segmented, checksummed
// log that holds both the replica's log entries and its hard state (view,
// last normal view, promised view, commit), written in atomic groups, and a
// two-slot superblock.
//
// # Why groups
//
// When a replica enters a new view it may replace a suffix of its log and,
// at the same time, raise its last normal view. The two must become durable
// together. If a crash kept the new entries but not the new hard state, the
// replica would restart claiming the old last normal view with a log that
// has already dropped entries it acknowledged in that view; if it kept the
// new hard state but not the entries, it would claim the new view with the
// old log. Either way a view change could pick a log that lacks committed
// operations. So every change is a Batch, written as one group of records
// that replay applies whole or not at all, and nothing is ever rewritten in
// place: a replacement is a later group whose records supersede earlier
// ones, so the old state stays on disk until the new one is complete.
//
// # Records
//
// Every record is
//
//	length u32 | crc32c u32 | type u8 | body
//
// in little-endian order, where length counts every byte after the length
// field and the checksum covers every byte after the checksum field. The
// bodies are
//
//	entry (1): op u64 | view u64 | client u64 | request u64 | kind u8 | payload
//	cut   (2): op u64                   the log ends at op-1
//	hard  (3): view u64 | last normal view u64 | promised view u64 | commit u64
//	end   (4): seq u64                  closes group number seq
//	reset (5): op u64                   the log is empty and continues at op
//	sync  (7): seq u64 | offset u64     ends a sync round (see below)
//
// A group is: a cut record at From (when From replaces existing entries, or
// when the batch has no entries: a pure cut) or a reset record at From
// (Batch.Reset: the whole log is dropped and restarts at From, which may
// lie beyond its end), the entry records, a hard
// record (when the hard state changes), then an end record. End records
// carry consecutive sequence numbers.
//
// # Replay
//
// Open reads the segments in order and buffers each group's records until
// its end record; only then does the group take effect. Last writer wins: a
// cut or an entry at op k drops every entry at op k or above held so far;
// a reset drops every entry and sets Replay.Base; a hard record replaces the hard state. The result is the log and the hard
// state after the last complete group.
//
// # Segments
//
// The log lives in Dir/log as segment files named by a sequence number
// (twenty zero-padded digits, ".seg"), never by op. A segment starts with a
// header of three 4 KiB pages (format 2, see format.go): a static page
// (magic, version, its own number) written once, and two mark slots; its
// records follow. A new segment starts before a group that would make the
// current one's records exceed Options.SegmentSize (a larger group gets a
// segment alone), so groups never span segments. Segments are never
// renamed, and their records never rewritten, except that Open truncates a
// torn final group, and TruncatePrefix removes the oldest segments once a
// checkpoint makes them useless.
//
// With Options.Preallocate the next segment is prepared in the background:
// a file of its full size holding zeros, durable, named "<segment>.prep"
// until a roll writes its header and renames it into place (prepare.go).
// Records then overwrite zeros, so an fsync writes data only, not the
// file's new size as well. Replay takes zeros from some offset to the end
// of the last segment, at or above its newest mark, for the unwritten
// rest of such a file; zeros below the mark are lost durable records
// (corruption). A roll cuts a prepared segment's unused zeros off, durably,
// before it creates the next, so no other segment holds any. Open removes
// prepared files a crash left behind.
//
// Group commit: Sync makes every group written before it durable. One
// fsync covers every group written before that fsync started; callers that
// arrive while an fsync runs wait for the next one, which covers all of
// them.
//
// # Sync records and marks: torn writes and corruption told apart
//
// Every sync round appends a sync record (type 7: the sequence number of
// the last group written, and the record's own offset) after the groups
// written so far, then fsyncs the segment: when Sync returns, every group
// it covers is followed, in the same file, by a valid record. The two mark
// slots in the header are written only at rare, quiet moments — creation,
// Open, a roll, TruncatePrefix — and only after the data they vouch for is
// durable: a mark says that every byte below its durable offset is
// durable, and carries flags. A roll syncs the full segment, creates the
// next one (its header durable first), then seals the full one with a mark
// (flagSealed). TruncatePrefix flags the segment it keeps first
// (flagFirst) before it removes older ones. Open makes the replayed log
// durable and then marks all of it.
//
// # Damage
//
// A crash can leave the final group incomplete. In the last segment, damage
// is taken for such a torn write, and cut off, only if nothing valid
// follows it and it lies at or above the newest mark's durable offset (the
// file included: a file that ends below it lost durable bytes). A synced
// group always has its round's sync record after it, so damage to it is
// never taken for a torn write. Open cuts a torn group off (truncating the
// segment where the last complete group, or the sync record after it,
// ends) and reports it in Replay; because the group never took effect, the
// state before it survives exactly.
//
// Anything else is never dropped silently: a bad record followed by valid
// data (a flipped bit in a synced group, the last one included), damage
// below a mark's durable offset, damage in a segment that is not the last,
// a damaged static header or both mark slots damaged, a missing segment (a
// gap, a sealed last segment, a lowest segment other than 1 that is not
// flagged first), a group whose end sequence number does not follow the
// previous one, a sync record that does not follow the group it names, or
// a record that Write never produces all make Open fail, without changing
// a file, with an error that matches ErrCorrupt and is a *CorruptError.
// The replica must then repair itself from its peers.
//
// A torn round whose sync record reached the disk while an earlier part of
// the round did not (a file system that makes a file's new size durable
// before its data, leaving zeros) is taken for corruption: a safe error, a
// repair that was not needed. A file truncated by someone else above the
// newest mark cannot be told from a torn write and is cut.
//
// Segments written before format 2 (no header, groups spanning segments)
// are still read, with the rule of that time for their tail (undecodable
// bytes at the end with nothing valid after them are torn); Open continues
// such a log in a new format-2 segment.
//
// # Ownership
//
// LockDir locks a data directory for one process (flock on Dir/LOCK), and
// ClaimDir records in the superblock which replica of which cluster it
// belongs to, refusing any other.
//
// # Superblock
//
// WriteSuperblock and ReadSuperblock keep small durable state (such as the
// latest checkpoint) in two fixed-size slot files so that a crash during a
// write always leaves one valid copy. The hard state that must change
// atomically with the log belongs in the log (Batch.Hard), not there.
package wal
