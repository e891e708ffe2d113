package node

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/driver"
	"github.com/vr-go/vr/message"
)

// installer stores the chunks of a checkpoint the replica fetches in a
// file, and installs the fetched checkpoint on a goroutine while the loop
// keeps serving (driver.Installs; core/install.go). The file is created
// in the checkpoint directory (the data directory, or the diskless
// scratch directory) and unlinked at once: nothing is left of it after a
// crash, and no removal of stale files can meet it. A restart fetches
// again. The install reads the replica's own chain of Install.After from
// files it opens again on the loop, so that the writer may drop that
// checkpoint meanwhile.
type installer struct {
	dir     string
	ckpts   *ckptWriter
	log     *slog.Logger
	file    *os.File // the fetch being received; nil: none
	written uint64
	op      uint64 // the checkpoint the fetch assembles (it may move to a newer one of its chain)
	err     error  // a write of the fetch failed: its Install fails
	done    chan *core.Install
	running sync.WaitGroup
	busy    bool // an install runs: nothing on the loop may read the state machine
}

// installing reports whether an install runs, during which the loop must
// not read the state machine (its size, its digest): the goroutine
// restores it.
func (s *installer) installing() bool { return s != nil && s.busy }

// finished is called on the loop when an install's result arrives.
func (s *installer) finished() { s.busy = false }

func newInstaller(w *ckptWriter, log *slog.Logger) *installer {
	return &installer{dir: w.dir, ckpts: w, log: log, done: make(chan *core.Install, 1)}
}

// Chunk writes a fetched chunk at its offset; one at offset 0 starts a
// new fetch file.
func (s *installer) Chunk(m *message.CheckpointChunk) {
	if m.Offset == 0 {
		s.drop()
		f, err := os.CreateTemp(s.dir, ".fetch-*")
		if err == nil {
			err = os.Remove(f.Name()) // the open file lives on, unnamed
		}
		s.file, s.err = f, err
		s.log.Info("checkpoint fetch started", "op", m.Op, "after", m.After, "bytes", m.Size, "from", m.Replica)
	}
	if s.file == nil || s.err != nil || m.Offset != s.written {
		return
	}
	if m.Offset == 0 {
		s.op = m.Op
	} else if m.Op != s.op {
		s.op = m.Op
		s.log.Info("checkpoint fetch goes on in a newer checkpoint of the same chain", "op", m.Op, "bytes", m.Size, "at", m.Offset, "from", m.Replica)
	}
	if _, err := s.file.WriteAt(m.Data, int64(m.Offset)); err != nil {
		s.err = err
		return
	}
	s.written += uint64(len(m.Data))
}

// drop closes the fetch file, if any.
func (s *installer) drop() {
	if s.file != nil {
		s.file.Close()
	}
	s.file, s.written, s.err = nil, 0, nil
}

// Install runs in on a goroutine: the replica's chain of in.After (opened
// again here), then the fetch file; the loop hands it back to the driver
// (Driver.Installed) when it arrives on done.
func (s *installer) Install(in *core.Install) {
	f, size, err := s.file, s.written, s.err
	s.file, s.written, s.err = nil, 0, nil
	var held []heldFile
	if err == nil && in.After != 0 && !in.InState {
		held, err = s.reopen(in.After)
	}
	if err == nil && f == nil {
		err = fmt.Errorf("no fetch file")
	}
	s.log.Info("checkpoint install started", "op", in.Op, "after", in.After, "in_state", in.InState, "fetched_bytes", size)
	s.busy = true
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		start := time.Now()
		if err != nil {
			in.Fail(err)
		} else {
			hs := make([]driver.Held, len(held))
			for i, h := range held {
				hs[i] = driver.Held{Op: h.op, Size: h.size, Data: h}
			}
			driver.RunInstall(hs, in, func() io.Reader { return io.NewSectionReader(f, 0, int64(size)) }, size)
		}
		for _, h := range held {
			h.close()
		}
		if f != nil {
			f.Close()
		}
		if err := in.Err(); err != nil {
			s.log.Warn("checkpoint install failed; the replica fetches again", "op", in.Op, "after", in.After, "err", err, "took", time.Since(start))
		} else {
			s.log.Info("checkpoint installed", "op", in.Op, "after", in.After, "took", time.Since(start))
		}
		s.done <- in
	}()
}

// reopen opens again the files of the held checkpoint of op.
func (s *installer) reopen(op uint64) ([]heldFile, error) {
	for _, h := range s.ckpts.held {
		if h.op == op {
			c, err := h.reopen(s.dir)
			if err != nil {
				return nil, err
			}
			return []heldFile{c}, nil
		}
	}
	return nil, fmt.Errorf("%w: checkpoint at op %d", driver.ErrNoChain, op)
}

// close drops a fetch and waits for a running install.
func (s *installer) close() {
	if s == nil {
		return
	}
	s.drop()
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case <-s.done: // a finished install the loop will not take
		}
	}
}
