package kv

// ReadOnly reports whether op is a command that only reads (Get, Scan,
// ScanPrefix). The replica's authorization uses it (node.ReadOnlyChecker):
// a client with the read role may send only such commands. Anything that
// does not decode, batches included, counts as a write.
func (s *Store) ReadOnly(op []byte) bool {
	c, err := DecodeCommand(op)
	return err == nil && c.ReadOnly()
}
