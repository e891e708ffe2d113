package node

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vr-go/vr/core"
)

// desc describes one metric of the replica collector.
func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// The replica's metrics, read from its published state at each scrape.
var (
	descView          = desc("vr_view", "The replica's current view-number.")
	descStatus        = desc("vr_status", "1 for the replica's current protocol status, 0 for the others.", "status")
	descIsPrimary     = desc("vr_is_primary", "1 if the replica is the primary of its view and normal.")
	descOp            = desc("vr_op_number", "The replica's op-number: the last op in its log.")
	descCommit        = desc("vr_commit_number", "The replica's commit-number.")
	descExecuted      = desc("vr_executed_op", "The last op the replica executed.")
	descLogBase       = desc("vr_log_base_op", "Ops at or below this left the log for a checkpoint.")
	descCheckpointOp  = desc("vr_checkpoint_op", "Op of the newest checkpoint held (0: none).")
	descCheckpointAge = desc("vr_checkpoint_age_seconds", "Time since the newest checkpoint changed.")
	descLogBytes      = desc("vr_log_bytes", "Encoded size of the entries in the replica's in-memory log (bounded by --max-message-bytes).")
	descHasState      = desc("vr_has_state", "0 while the replica fetches the state below its log (it counts against f), and always on a witness.")
	descViewChanges   = desc("vr_view_changes_total", "View changes this replica started or joined.")
	descRecoveries    = desc("vr_recoveries_total", "Runs of the recovery protocol, the new-cluster handshake included.")
	descTransfers     = desc("vr_state_transfers_total", "State transfers (NewState) that brought the log up to date.")
	descFetches       = desc("vr_checkpoint_fetches_total", "Checkpoints fetched from a peer and installed.")
	descLogCatchUps   = desc("vr_log_catchups_total", "State transfers that caught up from a peer's retained log instead of a checkpoint.")
	descLogFetchFail  = desc("vr_log_fetches_failed_total", "Catch-ups from a peer's retained log given up (the peer held none of the entries, or did not answer); the replica then fetched a checkpoint.")
	descWithheld      = desc("vr_answers_withheld_total", "Large answers (a RecoveryResponse with the log, a NewState) not sent again to a repeated request because the same answer left a moment before.")
	descPreparesHeld  = desc("vr_prepares_held_total", "Prepares a backup received after a gap (a later Prepare overtook an earlier one on the other lane) and held until the gap filled.")
	descLeaseReads    = desc("vr_lease_reads_total", "Reads answered under the primary's read lease.")
	descSessions      = desc("vr_client_sessions", "Client sessions in the client table.")
	descEvictions     = desc("vr_client_session_evictions_total", "Client sessions evicted from a full client table.")

	descPeerSent      = desc("vr_transport_sent_messages_total", "Messages written to a peer replica.", "peer")
	descPeerSentBytes = desc("vr_transport_sent_bytes_total", "Frame bytes written to a peer replica.", "peer")
	descPeerRecv      = desc("vr_transport_received_messages_total", "Valid messages received from a peer replica.", "peer")
	descPeerRecvBytes = desc("vr_transport_received_bytes_total", "Frame bytes received from a peer replica.", "peer")
	descPeerDropped   = desc("vr_transport_dropped_messages_total", "Messages to a peer replica lost on the way out.", "peer")
	descDroppedIn     = desc("vr_transport_dropped_inbound_total", "Valid inbound messages dropped because the replica's inbox was full.")
	descBadFrames     = desc("vr_transport_bad_frames_total", "Inbound connections closed for a protocol violation.")
	descReconnects    = desc("vr_transport_reconnects_total", "Outbound connections re-established to a peer.")
	descDialErrors    = desc("vr_transport_dial_errors_total", "Failed outbound dial attempts.")
	descRefusedConns  = desc("vr_transport_refused_connections_total", "Inbound connections refused for a connection limit (in total or per source address).")
	descDirect        = desc("vr_transport_direct_writes_total", "Messages the loop wrote on their connection itself, its writer idle (the rest were queued for the writer goroutine).")
	descDirectTails   = desc("vr_transport_direct_tails_total", "Direct writes the socket took only in part; the writer wrote the rest.")
	descSlowClients   = desc("vr_transport_slow_clients_total", "Client connections closed because they did not read their replies (the reply queue's byte or count bound).")
	descLostPeers     = desc("vr_transport_peer_connections_lost_total", "Replica connections that ended while the transport was open (each a hint to core.Replica.PeerLost).")
	descHandshakes    = desc("vr_transport_tls_handshake_failures_total", "Inbound TLS handshakes that failed: no or a rejected certificate, plaintext, or the handshake deadline.")
	descForbidden     = desc("vr_forbidden_requests_total", "Client requests refused because the role in the client's certificate does not allow them.")
)

// replicaCollector exports the replica's published state and the
// transport's counters.
type replicaCollector struct{ n *Node }

// Describe sends every descriptor.
func (c *replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descView, descStatus, descIsPrimary, descOp, descCommit, descExecuted,
		descLogBase, descCheckpointOp, descCheckpointAge, descHasState, descLogBytes, descViewChanges, descRecoveries,
		descTransfers, descFetches, descLogCatchUps, descLogFetchFail, descWithheld, descPreparesHeld, descLeaseReads, descSessions, descEvictions, descPeerSent, descPeerSentBytes,
		descPeerRecv, descPeerRecvBytes, descPeerDropped, descDroppedIn, descBadFrames, descReconnects,
		descDialErrors, descRefusedConns, descHandshakes, descForbidden, descLostPeers,
		descDirect, descDirectTails, descSlowClients,
		descKVSlabBytes, descKVLiveBytes, descKVCompactions} {
		ch <- d
	}
}

// Collect sends the current values.
func (c *replicaCollector) Collect(ch chan<- prometheus.Metric) {
	info := *c.n.info.Load()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(descView, float64(info.View))
	for _, s := range []core.Status{core.StatusNormal, core.StatusViewChange, core.StatusRecovering} {
		gauge(descStatus, b2f(info.Status == s), s.String())
	}
	gauge(descIsPrimary, b2f(info.Status == core.StatusNormal && info.Primary == info.Index))
	gauge(descOp, float64(info.Op))
	gauge(descCommit, float64(info.Commit))
	gauge(descExecuted, float64(info.Executed))
	gauge(descLogBase, float64(info.LogBase))
	gauge(descCheckpointOp, float64(info.CheckpointOp))
	gauge(descCheckpointAge, c.n.metrics.checkpointAge(info.CheckpointOp).Seconds())
	gauge(descHasState, b2f(hasState(info)))
	gauge(descLogBytes, float64(info.LogBytes))
	k := info.Counters
	counter(descViewChanges, k.ViewChanges)
	counter(descRecoveries, k.Recoveries)
	counter(descTransfers, k.StateTransfers)
	counter(descFetches, k.CheckpointFetches)
	counter(descLogCatchUps, k.LogCatchUps)
	counter(descLogFetchFail, k.LogFetchesFailed)
	counter(descWithheld, k.AnswersWithheld)
	counter(descPreparesHeld, k.PreparesHeld)
	counter(descLeaseReads, info.LeaseReads)
	gauge(descSessions, float64(k.Sessions))
	counter(descEvictions, k.SessionEvictions)
	c.collectTransport(counter)
	c.collectKVMemory(ch)
}

// collectTransport sends the transport's counters, per peer where it keeps
// them per peer.
func (c *replicaCollector) collectTransport(counter func(*prometheus.Desc, uint64, ...string)) {
	for _, p := range c.n.transport.PeerStats() {
		peer := label(p.Peer)
		counter(descPeerSent, p.Sent, peer)
		counter(descPeerSentBytes, p.SentBytes, peer)
		counter(descPeerRecv, p.Received, peer)
		counter(descPeerRecvBytes, p.ReceivedBytes, peer)
		counter(descPeerDropped, p.DroppedOut, peer)
	}
	s := c.n.transport.Stats()
	counter(descDroppedIn, s.DroppedIn)
	counter(descBadFrames, s.BadFrames)
	counter(descReconnects, s.Reconnects)
	counter(descDialErrors, s.DialErrors)
	counter(descRefusedConns, s.RefusedConns)
	counter(descHandshakes, s.HandshakeFailures)
	counter(descLostPeers, s.LostPeers)
	counter(descDirect, s.Direct)
	counter(descDirectTails, s.DirectTails)
	counter(descSlowClients, s.SlowClients)
	counter(descForbidden, c.n.forbidden.Load())
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
