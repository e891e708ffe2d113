package storage

import "testing"

// TestRawIOReachesTheLog: Config.RawIO is the log's wal.Options.RawIO.
func TestRawIOReachesTheLog(t *testing.T) {
	for _, raw := range []bool{true, false} {
		s := &Storage{cfg: Config{Dir: t.TempDir(), RawIO: raw}}
		if got := s.walOptions().RawIO; got != raw {
			t.Errorf("Config.RawIO %v: the log's RawIO is %v", raw, got)
		}
	}
}
