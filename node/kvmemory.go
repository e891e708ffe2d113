package node

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vr-go/vr/kv"
)

// memoryReporter is a state machine that accounts for the memory of its
// records (kv.Store).
type memoryReporter interface{ Memory() kv.Memory }

// The kv store's memory, published by the loop at each tick.
var (
	descKVSlabBytes   = desc("vr_kv_slab_bytes", "Bytes of the kv store's slabs that hold a live record (or are being filled).")
	descKVLiveBytes   = desc("vr_kv_live_record_bytes", "Bytes of the kv store's live records, headers included: the slab bytes beyond these are slack that compaction takes back.")
	descKVCompactions = desc("vr_kv_compactions_total", "Slabs the kv store compacted (moved its live records out of) since the process started.")
)

// publishMemory stores the state machine's memory accounting for the
// metrics. Only the loop goroutine calls it, while it owns the state.
func (n *Node) publishMemory() {
	if r, ok := n.sm.(memoryReporter); ok {
		m := r.Memory()
		n.kvMemory.Store(&m)
	}
}

// collectKVMemory sends the kv store's memory metrics, once published.
func (c *replicaCollector) collectKVMemory(ch chan<- prometheus.Metric) {
	m := c.n.kvMemory.Load()
	if m == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descKVSlabBytes, prometheus.GaugeValue, float64(m.SlabBytes))
	ch <- prometheus.MustNewConstMetric(descKVLiveBytes, prometheus.GaugeValue, float64(m.LiveBytes))
	ch <- prometheus.MustNewConstMetric(descKVCompactions, prometheus.CounterValue, float64(m.Compactions))
}
