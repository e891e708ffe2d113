package kvcheck

import "github.com/vr-go/vr/kv"

// InputOf converts a kv command to a checker input. A scan limit of 0
// becomes kv.DefaultMaxScan, the store's default. It reports false for
// commands the checker cannot check (invalid kinds, a batch holding one).
// To record a stale read, set the input's Stale field.
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
	case kv.KindScan, kv.KindScanPrefix:
		in.Op, in.Limit = OpScan, c.Limit
		if c.Kind == kv.KindScanPrefix {
			in.Op = OpScanPrefix
		} else {
			in.End = string(c.End)
		}
		if in.Limit == 0 {
			in.Limit = kv.DefaultMaxScan
		}
	case kv.KindBatch:
		return batchInput(c.Batch)
	default:
		return Input{}, false
	}
	return in, true
}

// batchInput converts a batch's commands.
func batchInput(cmds []kv.Command) (Input, bool) {
	in := Input{Op: OpBatch, Batch: make([]Input, len(cmds))}
	for i, c := range cmds {
		sub, ok := InputOf(c)
		if !ok || sub.Op == OpBatch {
			return Input{}, false
		}
		in.Batch[i] = sub
	}
	return in, len(cmds) > 0
}

// OutputOf converts a kv result to a checker output. It reports false if
// the store rejected the command (r.Err() != nil, or for a batch, any of
// its results): such a command had no effect and its operation should be
// discarded.
func OutputOf(r kv.Result) (Output, bool) {
	if r.Code != kv.CodeOK {
		return Output{}, false
	}
	out := Output{
		Found:   r.Found,
		Value:   string(r.Value),
		Version: r.Version,
		Swapped: r.Swapped,
		More:    r.More,
	}
	for _, it := range r.Items {
		out.Items = append(out.Items, Item{Key: string(it.Key), Value: string(it.Value), Version: it.Version})
	}
	for _, sub := range r.Batch {
		o, ok := OutputOf(sub)
		if !ok {
			return Output{}, false
		}
		out.Batch = append(out.Batch, o)
	}
	return out, true
}
