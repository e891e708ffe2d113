package node

import (
	"strings"
	"testing"

	"github.com/vr-go/vr/core"
)

func TestNotReadyReasons(t *testing.T) {
	normal := core.Info{Status: core.StatusNormal, View: 3, Commit: 5000, Executed: 4990, LogBase: 4000}
	cases := []struct {
		name string
		edit func(*core.Info)
		lag  uint64
		want string // "" = ready
	}{
		{"caught up", func(*core.Info) {}, 1000, ""},
		{"lag at the bound", func(*core.Info) {}, 10, ""},
		{"lag beyond the bound", func(*core.Info) {}, 9, "10 committed ops not executed"},
		{"view change", func(i *core.Info) { i.Status = core.StatusViewChange }, 1000, "status view-change"},
		{"recovering", func(i *core.Info) { i.Status = core.StatusRecovering }, 1000, "status recovering"},
		{"no state", func(i *core.Info) { i.Executed = 3000 }, 1 << 40, "fetching the state"},
	}
	for _, c := range cases {
		info := normal
		c.edit(&info)
		got := notReady(info, c.lag)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: notReady = %q, want %q", c.name, got, c.want)
		}
	}
}
