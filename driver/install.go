package driver

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/internal/yield"
	"github.com/vr-go/vr/message"
)

// Installs stores the chunks of a checkpoint the replica fetches and
// installs it off the replica's step (core/install.go): the node in a
// file and on a goroutine, the simulator in memory after a simulated
// delay.
type Installs interface {
	// Chunk stores a fetched chunk at its offset; one at offset 0 starts
	// a new fetch. A chunk it could not store fails the Install that
	// follows (RunInstall: fewer bytes than Install.Size).
	Chunk(m *message.CheckpointChunk)
	// Install assembles the fetched checkpoint (OpenInstall), runs
	// in.Run on it off the loop, or in.Fail, and then the owner of the
	// driver calls Driver.Installed(in) from the driver's loop.
	Install(in *core.Install)
}

// ErrNoChain reports an Install whose After names a checkpoint the driver
// no longer holds.
var ErrNoChain = errors.New("driver: the chain to continue is not held")

// Installed reports that the driver ran in (core.Install.Run): the
// replica takes the restored state, or fetches again.
func (d *Driver) Installed(in *core.Install) {
	d.replica.Installed(in)
	d.Flush()
}

// fetched hands an Output's chunks and Install to the installer: the
// driver's own, in memory and on the loop, when the Config names none.
func (d *Driver) fetched(chunks []*message.CheckpointChunk, install *core.Install) {
	if len(chunks) == 0 && install == nil {
		return
	}
	if d.cfg.Installs == nil {
		d.cfg.Installs = &memInstalls{d: d}
	}
	for _, m := range chunks {
		d.cfg.Installs.Chunk(m)
	}
	if install != nil {
		d.cfg.Installs.Install(install)
	}
}

// OpenInstall returns a way to open the bytes of the checkpoint that in
// installs: the fetched bytes that fetched yields, after the chain of
// in.After if in.After is not 0 (the held checkpoint of that op) and the
// deltas do not apply to the state machine as it is (in.InState). It
// reads held's Data, so the caller must keep it open until in ran.
//
// The reader yields the processor as it goes (package yield): restoring a
// GiB computes for seconds, off the loop, which must not wait behind it.
func OpenInstall(held []Held, in *core.Install, fetched func() io.Reader) (func() (io.ReadCloser, error), error) {
	if in.After == 0 || in.InState {
		return func() (io.ReadCloser, error) { return io.NopCloser(&yield.Reader{R: fetched()}), nil }, nil
	}
	for _, h := range held {
		if h.Op == in.After {
			return func() (io.ReadCloser, error) {
				return io.NopCloser(&yield.Reader{R: io.MultiReader(io.NewSectionReader(h.Data, 0, int64(h.Size)), fetched())}), nil
			}, nil
		}
	}
	return nil, fmt.Errorf("%w: checkpoint at op %d", ErrNoChain, in.After)
}

// memInstalls is the driver's installer when its owner names none: the
// fetched bytes in memory, the install run on the loop (drivers' tests).
type memInstalls struct {
	d   *Driver
	buf []byte
}

func (m *memInstalls) Chunk(c *message.CheckpointChunk) {
	if c.Offset == 0 {
		m.buf = nil
	}
	if c.Offset == uint64(len(m.buf)) {
		m.buf = append(m.buf, c.Data...)
	}
}

func (m *memInstalls) Install(in *core.Install) {
	buf := m.buf
	m.buf = nil
	var held []Held
	if m.d.cfg.Checkpoints != nil {
		held = m.d.cfg.Checkpoints.Held()
	}
	RunInstall(held, in, func() io.Reader { return bytes.NewReader(buf) }, uint64(len(buf)))
	m.d.Installed(in)
}

// RunInstall runs in on the fetched bytes (size of them), after the
// chain of in.After among held: what an installer does off the loop, with
// held checkpoints whose Data nobody closes meanwhile. It fails in when
// the fetched bytes are not all there or the chain is gone.
func RunInstall(held []Held, in *core.Install, fetched func() io.Reader, size uint64) {
	if size != in.Size {
		in.Fail(fmt.Errorf("driver: %d bytes fetched of %d", size, in.Size))
		return
	}
	open, err := OpenInstall(held, in, fetched)
	if err != nil {
		in.Fail(err)
		return
	}
	_ = in.Run(open) // its outcome goes back with Installed
}
