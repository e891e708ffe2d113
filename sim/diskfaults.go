package sim

// The disk faults act on the reads and writes of the real storage code
// (packages storage and wal) through the simulated file system:
//
//   - torn and lost writes: a crash faults what was in flight (fscrash.go);
//     always possible, they lose nothing a completed sync covered;
//   - EIO and ENOSPC from a write or a sync: the storage returns the
//     error, the driver fails and the replica stops (it restarts later);
//     ENOSPC lasts: the disk stays full for up to Faults.MaxDiskFull, and
//     every write and sync fails meanwhile (a restart that must write
//     fails too, and the replica stays down);
//   - EIO from a read (at a restart): what was read before the bad
//     sector comes with the error, as from os.ReadFile; a replica that
//     fails to open its disk stays down and tries again later;
//   - slow disks: a write now and then takes up to Faults.MaxSlowDisk;
//   - bit rot of durable data, found by a restarting replica, and
//     misdirected writes (a write lands a few sectors off): these damage
//     what the replica promised, so they count against f like a lost
//     state, and strike only while the replicas that lost or may lose
//     their state (crashed, recovering, stateless, damaged) stay within f
//     with the victim counted (see downOrRecovering). An error also stops a
//     replica, so it too strikes only within f.

// diskFaults returns the faults rep's disk injects.
func (r *run) diskFaults(rep *replica) fsFaults {
	fc := &r.opts.Faults
	var f fsFaults
	if fc.IOErrors > 0 {
		f.ioError = func() error { return r.ioError(rep) }
	}
	if fc.ReadErrors > 0 {
		f.readError = func(size int) (int, error) { return r.readError(rep, size) }
	}
	if fc.Misdirect > 0 {
		f.misdirect = func() int64 { return r.misdirect(rep) }
	}
	return f
}

// ioError draws an I/O error for a write or a sync of rep's disk: EIO
// once, or ENOSPC for as long as the disk stays full.
func (r *run) ioError(rep *replica) error {
	if r.quiet {
		return nil
	}
	if r.now < rep.disk.fullUntil {
		r.res.DiskErrors++
		return errENOSPC
	}
	if !r.chance(r.opts.Faults.IOErrors) || !r.mayLose(rep) {
		return nil
	}
	r.res.DiskErrors++
	if r.chance(0.5) {
		rep.disk.fullUntil = r.now + r.between(1, max(1, us(r.opts.Faults.MaxDiskFull)))
		r.logf("replica %d: disk full until %.3fms", rep.idx, float64(rep.disk.fullUntil)/1000)
		return errENOSPC
	}
	return errEIO
}

// readError draws an I/O error for a read of a size-byte file of rep's
// disk, and how much was read before it: the sectors before a bad one.
func (r *run) readError(rep *replica, size int) (int, error) {
	if r.quiet || !r.chance(r.opts.Faults.ReadErrors) || !r.mayLose(rep) {
		return size, nil
	}
	r.res.ReadErrors++
	return r.rng.IntN(size/sector+1) * sector, errEIO
}

// sector is the unit a disk reads and fails in.
const sector = 512

// misdirect draws where a write of rep's disk lands, relative to where it
// should.
func (r *run) misdirect(rep *replica) int64 {
	if r.quiet || !rep.up || rep.disk.damaged || !r.chance(r.opts.Faults.Misdirect) || !r.mayLose(rep) {
		return 0
	}
	rep.disk.damaged = true
	r.res.Misdirected++
	shift := int64(512 * (1 + r.rng.IntN(8)))
	if r.chance(0.5) {
		return -shift
	}
	return shift
}

// rotDisk flips bits of a crashed replica's durable data before it
// restarts, now and then.
func (r *run) rotDisk(rep *replica) {
	// One damaged place at a time (see simFS.rot): a disk whose damage
	// was not found yet (a restart that failed after it) rots no more.
	if rep.disk.damaged || !r.chance(r.opts.Faults.Corrupt) || !r.mayLose(rep) {
		return
	}
	if name := rep.disk.fs.rot(r.rng); name != "" {
		rep.disk.damaged = true
		r.res.Rotted++
		r.logf("replica %d: bits rotted in %s", rep.idx, name)
	}
}

// mayLose reports whether rep may lose its state now: counting it, at most
// f replicas have lost or may lose theirs (a crashed replica is counted
// already).
func (r *run) mayLose(rep *replica) bool {
	k := r.downOrRecovering()
	if rep.up && !rep.disk.damaged && !r.lostState(rep) {
		k++
	}
	return k <= r.f || r.opts.Faults.BeyondF
}

// diskLatency draws how long one write of rep takes; during the fault
// phase a slow disk now and then takes much longer, a fault of its links
// for the stability monitor (like a slow step).
func (r *run) diskLatency(rep *replica) int64 {
	fc := &r.opts.Faults
	if rep.idx == r.slowDisk && !r.quiet {
		// A fault of its links for the stability monitor, as any slow
		// write; it heals with the network.
		d := r.between(1, max(1, us(fc.DiskLatency))*slowReplicaFactor)
		r.mon.markSlow(rep.idx, r.now+d)
		return d
	}
	if !r.quiet && r.chance(fc.SlowDisk) {
		d := r.between(1, max(1, us(fc.MaxSlowDisk)))
		r.mon.markSlow(rep.idx, r.now+d)
		return d
	}
	return r.between(1, max(1, us(fc.DiskLatency)))
}

// slowReplicaFactor is how much slower the slow replica's disk is.
const slowReplicaFactor = 20

// drawSlowDisk picks the replica whose disk is slow throughout the run, or
// none (-1).
func (r *run) drawSlowDisk() {
	r.slowDisk = -1
	if p := r.opts.Faults.SlowReplica; p > 0 && r.chance(p) {
		r.slowDisk = r.rng.IntN(r.n)
		r.logf("replica %d has a slow disk during the fault phase", r.slowDisk)
	}
}

// stopFailed stops every replica whose storage failed, as `vr server`
// exits, and schedules its restart. runUntil calls it after an event in
// which a storage failed (simStorage.Persist sets storageFailed).
func (r *run) stopFailed() {
	for _, rep := range r.replicas {
		if !rep.up || rep.drv.Failed() == nil {
			continue
		}
		r.logf("replica %d stops: %v", rep.idx, rep.drv.Failed())
		r.crash(rep)
		fc := &r.opts.Faults
		r.schedule(r.now+r.between(us(fc.MinDowntime), us(fc.MaxDowntime)), event{kind: evRestart, node: rep.idx, inc: rep.inc})
	}
}

// lostState reports whether an up replica is stateless (below) after it
// lost its state in a restart: a fault, unlike a replica that only lags.
func (r *run) lostState(rep *replica) bool { return rep.amnesiac && r.stateless(rep) }

// stateless reports whether an up replica holds a log but not the state
// below it (it fetches a checkpoint).
func (r *run) stateless(rep *replica) bool {
	i := rep.core.Info()
	return i.Executed < i.LogBase
}
