package kv

// Query answers a read-only command (Get, Scan, ScanPrefix) without
// changing the store, with the bytes Apply would return for it. It reports
// false for any other command, including one that does not decode: those
// must go through the log.
func (s *Store) Query(op []byte) ([]byte, bool) {
	c, err := DecodeCommand(op)
	if err != nil {
		return nil, false
	}
	if !c.ReadOnly() {
		return nil, false
	}
	return s.exec(c).Encode(), true
}

// ReadOnly reports whether c only reads (Get, Scan, ScanPrefix, or a batch
// of those: a consistent multi-key read such as Redis's MGET).
func (c Command) ReadOnly() bool {
	switch c.Kind {
	case KindGet, KindScan, KindScanPrefix:
		return true
	case KindBatch:
		for _, sub := range c.Batch {
			if !sub.ReadOnly() {
				return false
			}
		}
		return len(c.Batch) > 0
	}
	return false
}
