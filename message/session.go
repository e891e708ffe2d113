package message

import "encoding/binary"

// SessionSize is the size of a session identity in a Register's result.
const SessionSize = 8

// EncodeSession is the result of a KindRegister: the identity of the
// session it opened (the op-number at which it executed), little-endian.
func EncodeSession(id uint64) []byte {
	return binary.LittleEndian.AppendUint64(make([]byte, 0, SessionSize), id)
}

// DecodeSession reads a Register's result; ok is false unless it is a
// non-zero session identity.
func DecodeSession(result []byte) (id uint64, ok bool) {
	if len(result) != SessionSize {
		return 0, false
	}
	id = binary.LittleEndian.Uint64(result)
	return id, id != 0
}
