package wire

// Limits bounds what a decoder accepts, so that a peer cannot make it
// allocate without bound. A zero or negative field means its default.
type Limits struct {
	// MaxBody is the largest body in bytes. Default 64 MiB.
	MaxBody int
	// MaxEntries is the most entries in one entry list. Default 1<<20.
	MaxEntries int
	// MaxPayload is the largest Request or Entry payload, or Reply result,
	// in bytes. Default 2 MiB.
	MaxPayload int
}

// MaxChunk is the largest Data of a CheckpointChunk in bytes (8 MiB). It is
// part of the format rather than of Limits: encoders refuse larger chunks
// and decoders reject them whatever Limits say, so that a chunk with its
// fixed fields always fits in a body of the default MaxBody.
const MaxChunk = 8 << 20

// The default limits.
const (
	defaultMaxBody    = 64 << 20
	defaultMaxEntries = 1 << 20
	defaultMaxPayload = 2 << 20
)

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxBody:    defaultMaxBody,
		MaxEntries: defaultMaxEntries,
		MaxPayload: defaultMaxPayload,
	}
}

// orDefaults returns l with each zero or negative field set to its default.
func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBody <= 0 {
		l.MaxBody = d.MaxBody
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxPayload <= 0 {
		l.MaxPayload = d.MaxPayload
	}
	return l
}
