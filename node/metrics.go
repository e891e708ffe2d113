package node

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vr-go/vr/core"
	"github.com/vr-go/vr/message"
)

// metrics are a node's Prometheus collectors, in a registry of the node's
// own (several nodes may share a process, as in tests). The loop goroutine
// records into them; the registry reads the replica's state from the
// published core.Info, so a scrape never waits for the loop.
type metrics struct {
	reg            *prometheus.Registry
	requestLatency prometheus.Histogram
	batchEntries   prometheus.Histogram

	mu      sync.Mutex // guards arrived and recent
	arrived map[uint64]arrival
	recent  recentLatencies

	ckptOp    uint64
	ckptSince time.Time
}

// arrival is when a client's latest request reached the replica.
type arrival struct {
	request uint64
	at      time.Time
}

// walMetrics are durable mode's: the log's write and fsync figures. They
// exist before the node (the storage opens first) and are registered with
// the node's other metrics.
type walMetrics struct {
	writeBytes prometheus.Counter
	syncTime   prometheus.Histogram
}

func newWALMetrics() walMetrics {
	return walMetrics{
		writeBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vr_wal_written_entry_bytes_total",
			Help: "Bytes of log entries appended to the write-ahead log.",
		}),
		syncTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vr_wal_fsync_duration_seconds",
			Help: "Time one fsync of the write-ahead log took.",
			// 50µs to about 1.6s.
			Buckets: prometheus.ExponentialBuckets(0.00005, 2, 16),
		}),
	}
}

func newMetrics(n *Node, wal walMetrics) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requestLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vr_request_duration_seconds",
			Help: "Time from a client request's arrival to the reply (at the replica that answered it).",
			// 100µs to about 6.5s.
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 17),
		}),
		batchEntries: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vr_prepare_batch_entries",
			Help:    "Log entries per Prepare the primary sends.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		arrived:   map[uint64]arrival{},
		ckptSince: time.Now(),
	}
	m.reg.MustRegister(m.requestLatency, m.batchEntries, wal.writeBytes, wal.syncTime, &replicaCollector{n: n},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// requestArrived notes when a client's request arrived.
func (m *metrics) requestArrived(req *message.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.arrived) >= maxClientRoutes {
		clear(m.arrived)
	}
	if a, ok := m.arrived[req.ClientID]; ok && a.request == req.RequestNum {
		return // a retransmission: the first arrival counts
	}
	m.arrived[req.ClientID] = arrival{request: req.RequestNum, at: time.Now()}
}

// replied observes the latency of the request a reply answers.
func (m *metrics) replied(r *message.Reply) {
	m.mu.Lock()
	a, ok := m.arrived[r.ClientID]
	var d time.Duration
	if ok && a.request == r.RequestNum {
		delete(m.arrived, r.ClientID)
		d = time.Since(a.at)
		m.recent.add(time.Now(), d)
	}
	m.mu.Unlock()
	if ok && a.request == r.RequestNum {
		m.requestLatency.Observe(d.Seconds())
	}
}

// output observes the Prepares of one Output: each once, although it goes
// to every backup.
func (m *metrics) output(out core.Output) {
	var last *message.Prepare
	for _, e := range out.Messages {
		if p, ok := e.Msg.(*message.Prepare); ok && p != last {
			m.batchEntries.Observe(float64(len(p.Entries)))
			last = p
		}
	}
}

// checkpointAge is the time since the newest checkpoint changed (or since
// the node started, before the first).
func (m *metrics) checkpointAge(op uint64) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if op != m.ckptOp {
		m.ckptOp, m.ckptSince = op, time.Now()
	}
	return time.Since(m.ckptSince)
}

// label returns the peer label value for replica i.
func label(i int) string { return strconv.Itoa(i) }
