package procs

import (
	"os"
	"path/filepath"
	"strings"
)

// LogPath is replica i's log file, replica-<name>.log in LogDir. Every
// start of the replica appends to it.
func (c *Cluster) LogPath(i int) string {
	return filepath.Join(c.LogDir, "replica-"+c.name(i)+".log")
}

// LogSize is the current length of replica i's log file: a mark after
// which LogSince reads what a later start printed.
func (c *Cluster) LogSize(i int) int64 {
	st, err := os.Stat(c.LogPath(i))
	if err != nil {
		return 0
	}
	return st.Size()
}

// LogSince returns replica i's log after mark, nil if there is none.
func (c *Cluster) LogSince(i int, mark int64) []byte {
	b, _ := os.ReadFile(c.LogPath(i))
	if int64(len(b)) < mark {
		return nil
	}
	return b[mark:]
}

// LogTail returns the last n lines of replica i's log.
func (c *Cluster) LogTail(i, n int) ([]string, error) {
	b, err := os.ReadFile(c.LogPath(i))
	if err != nil || len(b) == 0 {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return lines[max(0, len(lines)-n):], nil
}
