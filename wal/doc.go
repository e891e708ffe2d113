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
// (twenty zero-padded digits, ".seg"), never by op. A new segment starts
// when the next record would make the current one exceed
// Options.SegmentSize, so a group may span segments: its end record, not
// its first, commits it. The current segment is fsynced before the next one
// is created, so every segment but the last is durable. Segments are never
// renamed and never rewritten, except that Open truncates a torn final
// group, and TruncatePrefix removes the oldest segments once a checkpoint
// makes them useless.
//
// Group commit: Sync makes every group written before it durable. One
// fsync covers every group written before that fsync started; callers that
// arrive while an fsync runs wait for the next one, which covers all of
// them.
//
// # Damage
//
// A crash can leave the final group incomplete: a record cut short or
// failing its checksum at the very end of the last segment, or whole
// records without an end record. Open cuts such a group off (truncating the
// segment where the last complete group ends and removing any later one)
// and reports it in Replay. Because the group never took effect, the state
// before it survives exactly. Any other damage is never dropped silently:
// a bad record followed by valid data, damage in a segment that is not the
// last, a missing segment, a group whose end sequence number does not
// follow the previous one, or a record that Write never produces all make
// Open fail with an error that matches ErrCorrupt and is a *CorruptError.
//
// # Superblock
//
// WriteSuperblock and ReadSuperblock keep small durable state (such as the
// latest checkpoint) in two fixed-size slot files so that a crash during a
// write always leaves one valid copy. The hard state that must change
// atomically with the log belongs in the log (Batch.Hard), not there.
package wal
