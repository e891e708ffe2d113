package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/vr-go/vr/core"
)

// Superblock is a replica's durable protocol state.
type Superblock struct {
	View           uint64
	LastNormalView uint64
	PromisedView   uint64
	Commit         uint64
	Epoch          uint64
	// CheckpointOp and CheckpointName identify the latest durable
	// checkpoint (the log may be truncated below CheckpointOp).
	CheckpointOp   uint64
	CheckpointName string
	// Owner is the replica the directory belongs to when Owned (see
	// ClaimDir). Superblocks written before owners were recorded have none.
	Owner Owner
	Owned bool
	// AnnouncedView is the highest view the replica ever moved to
	// (core.HardState.AnnouncedView); 0 in superblocks written before it
	// was recorded (the core then takes View).
	AnnouncedView uint64
}

// HardState returns the protocol state held in sb.
func (sb Superblock) HardState() core.HardState {
	return core.HardState{View: sb.View, LastNormalView: sb.LastNormalView,
		PromisedView: sb.PromisedView, Commit: sb.Commit, AnnouncedView: sb.AnnouncedView}
}

// WithHardState returns sb with its protocol state replaced by hs.
func (sb Superblock) WithHardState(hs core.HardState) Superblock {
	sb.View, sb.LastNormalView = hs.View, hs.LastNormalView
	sb.PromisedView, sb.Commit = hs.PromisedView, hs.Commit
	sb.AnnouncedView = hs.AnnouncedView
	sb.Epoch = hs.Epoch
	return sb
}

// MaxCheckpointName bounds Superblock.CheckpointName in bytes.
const MaxCheckpointName = 1024

// The superblock is two slot files of slotSize bytes each:
//
//	magic u32 | crc32c u32 | seq u64 | view | last-normal view | promised
//	view | commit | epoch | checkpoint op (u64 each) | name length u16 |
//	name | zero padding
//
// The checksum covers everything after it, padding included. The owner, if
// recorded, sits in the padding after the longest name, at ownerOffset:
//
//	owner magic u32 | cluster id u64 | replica u64
//
// and after it the announced view:
//
//	announced magic u32 | announced view u64
//
// so superblocks written before owners existed read as having none, and
// older versions still read newer superblocks (and drop the owner when
// they write one; it is adopted again on the next start).
const (
	slotSize    = 4096
	slotMagic   = 0x42535256 // "VRSB"
	slotFixed   = 4 + 4 + 8 + 6*8 + 2
	ownerOffset = slotFixed + MaxCheckpointName
	ownerMagic  = 0x4e574f56 // "VOWN"
	// announcedOffset holds the announced view, after the owner.
	announcedOffset = ownerOffset + 20
	announcedMagic  = 0x4e4e4156 // "VANN"
)

var slotFiles = [2]string{"superblock.a", "superblock.b"}

// slot is what one slot file holds.
type slot struct {
	present bool // the file exists
	valid   bool // its contents check out
	seq     uint64
	sb      Superblock
	problem error // why it is not valid
}

// WriteSuperblock durably writes sb to dir on fsys, overwriting the slot with the
// older sequence number (or an invalid one) so that the newest valid copy
// survives a crash during the write. Callers must not write concurrently.
func WriteSuperblock(fsys FS, dir string, sb Superblock) error {
	if len(sb.CheckpointName) > MaxCheckpointName {
		return fmt.Errorf("%w: checkpoint name is %d bytes, the limit is %d",
			ErrTooLarge, len(sb.CheckpointName), MaxCheckpointName)
	}
	slots, err := readSlots(fsys, dir)
	if err != nil {
		return err
	}
	target := 0
	if slots[0].valid && (!slots[1].valid || slots[1].seq < slots[0].seq) {
		target = 1
	}
	seq := max(slots[0].seqIfValid(), slots[1].seqIfValid()) + 1
	sbuf := slotBuffers.Get().(*[slotSize]byte)
	defer slotBuffers.Put(sbuf)
	buf := putSlot(sbuf, sb, seq)
	if slots[target].present {
		return overwriteSlot(fsys, filepath.Join(dir, slotFiles[target]), buf)
	}
	return createSlot(fsys, dir, slotFiles[target], buf)
}

// slotBuffers recycles the buffers superblock slots are encoded in (the
// simulator writes thousands of superblocks; a file system copies what is
// written).
var slotBuffers = sync.Pool{New: func() any { return new([slotSize]byte) }}

// ReadSuperblock returns the newest valid superblock in dir on fsys. It fails with
// ErrNoSuperblock if none was ever written and with an error matching
// ErrCorrupt if slot files exist but none is valid.
func ReadSuperblock(fsys FS, dir string) (Superblock, error) {
	slots, err := readSlots(fsys, dir)
	if err != nil {
		return Superblock{}, err
	}
	a, b := slots[0], slots[1]
	switch {
	case a.valid && (!b.valid || a.seq > b.seq):
		return a.sb, nil
	case b.valid:
		return b.sb, nil
	case !a.present && !b.present:
		return Superblock{}, ErrNoSuperblock
	}
	return Superblock{}, fmt.Errorf("%w: superblock: %s: %v; %s: %v",
		ErrCorrupt, slotFiles[0], a.problem, slotFiles[1], b.problem)
}

// seqIfValid returns the slot's sequence number, or 0 if it is not valid.
func (s slot) seqIfValid() uint64 {
	if !s.valid {
		return 0
	}
	return s.seq
}

// readSlots reads both slot files of dir.
func readSlots(fsys FS, dir string) ([2]slot, error) {
	var slots [2]slot
	for i, name := range slotFiles {
		buf, err := fsys.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			slots[i].problem = err
			continue
		}
		if err != nil {
			return slots, err
		}
		s := &slots[i]
		s.present = true
		s.sb, s.seq, s.problem = decodeSlot(buf)
		s.valid = s.problem == nil
	}
	return slots, nil
}

// putSlot encodes sb with sequence number seq into buf, a whole slot, and
// returns it.
func putSlot(buf *[slotSize]byte, sb Superblock, seq uint64) []byte {
	le := binary.LittleEndian
	clear(buf[:])
	b := buf[:8]
	le.PutUint32(b, slotMagic)
	for _, v := range []uint64{seq, sb.View, sb.LastNormalView, sb.PromisedView,
		sb.Commit, sb.Epoch, sb.CheckpointOp} {
		b = le.AppendUint64(b, v)
	}
	b = le.AppendUint16(b, uint16(len(sb.CheckpointName)))
	b = append(b, sb.CheckpointName...)
	b = b[:slotSize] // zero padding
	if sb.Owned {
		le.PutUint32(b[ownerOffset:], ownerMagic)
		le.PutUint64(b[ownerOffset+4:], sb.Owner.ClusterID)
		le.PutUint64(b[ownerOffset+12:], sb.Owner.Replica)
	}
	le.PutUint32(b[announcedOffset:], announcedMagic)
	le.PutUint64(b[announcedOffset+4:], sb.AnnouncedView)
	le.PutUint32(b[4:], crc32.Checksum(b[8:], castagnoli))
	return b
}

// decodeSlot decodes a slot and returns its superblock and sequence number.
func decodeSlot(b []byte) (Superblock, uint64, error) {
	le := binary.LittleEndian
	switch {
	case len(b) != slotSize:
		return Superblock{}, 0, fmt.Errorf("slot is %d bytes, want %d", len(b), slotSize)
	case le.Uint32(b) != slotMagic:
		return Superblock{}, 0, errors.New("bad magic")
	case crc32.Checksum(b[8:], castagnoli) != le.Uint32(b[4:]):
		return Superblock{}, 0, errChecksum
	}
	u := func(i int) uint64 { return le.Uint64(b[8+8*i:]) }
	n := int(le.Uint16(b[slotFixed-2:]))
	if n > MaxCheckpointName {
		return Superblock{}, 0, errors.New("checkpoint name too long")
	}
	sb := Superblock{View: u(1), LastNormalView: u(2), PromisedView: u(3), Commit: u(4),
		Epoch: u(5), CheckpointOp: u(6), CheckpointName: string(b[slotFixed : slotFixed+n])}
	if le.Uint32(b[ownerOffset:]) == ownerMagic {
		sb.Owned = true
		sb.Owner = Owner{ClusterID: le.Uint64(b[ownerOffset+4:]), Replica: le.Uint64(b[ownerOffset+12:])}
	}
	if le.Uint32(b[announcedOffset:]) == announcedMagic {
		sb.AnnouncedView = le.Uint64(b[announcedOffset+4:])
	}
	return sb, u(0), nil
}

// overwriteSlot rewrites an existing slot file in place and fsyncs it.
func overwriteSlot(fsys FS, path string, buf []byte) error {
	f, err := fsys.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(buf, 0)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// createSlot creates a slot file through a temporary file and a rename, so
// that a slot file that exists was complete once, and makes it durable.
func createSlot(fsys FS, dir, name string, buf []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := fsys.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(buf)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		return err
	}
	return fsys.SyncDir(dir)
}
