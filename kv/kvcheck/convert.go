package kvcheck

import "github.com/vr-go/vr/kv"

// InputOf converts a kv command to a checker input. It reports false for
// commands the checker does not check (scans, invalid kinds).
func InputOf(c kv.Command) (Input, bool) {
	in := Input{Key: string(c.Key)}
	switch c.Kind {
	case kv.KindGet:
		in.Op = OpGet
	case kv.KindPut:
		in.Op, in.Value = OpPut, string(c.Value)
	case kv.KindDelete:
		in.Op = OpDelete
	case kv.KindCAS:
		in.Op, in.Value, in.Expected = OpCAS, string(c.Value), c.Expected
	default:
		return Input{}, false
	}
	return in, true
}

// OutputOf converts a kv result to a checker output. It reports false if
// the store rejected the command (r.Err() != nil): such a command had no
// effect and its operation should be discarded.
func OutputOf(r kv.Result) (Output, bool) {
	if r.Code != kv.CodeOK {
		return Output{}, false
	}
	return Output{
		Found:   r.Found,
		Value:   string(r.Value),
		Version: r.Version,
		Swapped: r.Swapped,
	}, true
}
