package kvcheck

import "github.com/anishathalye/porcupine"

// Partition splits a history into independent sub-histories, in order of
// first appearance: two operations are in one sub-history if they touch a
// common key, where a batch touches the keys of its operations and a scan
// touches every key of the history in its range (including keys only some
// scan returned). No operation then spans two sub-histories, so each is an
// independent object and the history is linearizable iff each one is
// (locality). Without scans and batches this is one sub-history per key.
// Operations whose input is not an Input are left out: they are not
// checked.
func Partition(history []porcupine.Operation) [][]porcupine.Operation {
	var kept []int // indices of the operations with an Input
	for i, op := range history {
		if _, ok := op.Input.(Input); ok {
			kept = append(kept, i)
		}
	}
	comp, n := components(len(kept), func(j int) (Input, Output) {
		op := history[kept[j]]
		out, _ := op.Output.(Output)
		return op.Input.(Input), out
	})
	parts := make([][]porcupine.Operation, n)
	for j, i := range kept {
		parts[comp[j]] = append(parts[comp[j]], history[i])
	}
	return parts
}

// PartitionEvent is Partition for the event representation: a return event
// goes with its call event, matched by Id.
func PartitionEvent(history []porcupine.Event) [][]porcupine.Event {
	index := map[int]int{} // event Id -> operation index
	var ins []Input
	for _, ev := range history {
		if in, ok := ev.Value.(Input); ok && ev.Kind == porcupine.CallEvent {
			index[ev.Id] = len(ins)
			ins = append(ins, in)
		}
	}
	outs := make([]Output, len(ins))
	for _, ev := range history {
		if i, ok := index[ev.Id]; ok && ev.Kind == porcupine.ReturnEvent {
			outs[i], _ = ev.Value.(Output)
		}
	}
	comp, n := components(len(ins), func(i int) (Input, Output) { return ins[i], outs[i] })
	parts := make([][]porcupine.Event, n)
	for _, ev := range history {
		if i, ok := index[ev.Id]; ok {
			parts[comp[i]] = append(parts[comp[i]], ev)
		}
	}
	return parts
}

// components assigns each of n operations (at returns the i-th) a
// sub-history number in [0, count), numbered in order of first appearance.
func components(n int, at func(i int) (Input, Output)) (comp []int, count int) {
	keys := historyKeys(n, at)
	index := make(map[string]int, len(keys))
	for k, key := range keys {
		index[key] = k
	}
	u := newUnion(len(keys) + n)
	for i := range n {
		in, _ := at(i)
		node := len(keys) + i // the operation's own node: a scan may touch no key
		if in.Op < OpScan {
			u.join(node, index[in.Key])
			continue
		}
		for k, key := range keys {
			if touches(in, key) {
				u.join(node, k)
			}
		}
	}
	number := map[int]int{}
	comp = make([]int, n)
	for i := range n {
		root := u.find(len(keys) + i)
		c, ok := number[root]
		if !ok {
			c = len(number)
			number[root] = c
		}
		comp[i] = c
	}
	return comp, len(number)
}

// historyKeys returns every key n operations name: the keys of single-key
// operations (also inside batches) and the keys scans returned.
func historyKeys(n int, at func(i int) (Input, Output)) []string {
	seen := map[string]bool{}
	var keys []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var addInput func(in Input, out Output)
	addInput = func(in Input, out Output) {
		switch in.Op {
		case OpScan, OpScanPrefix:
			for _, it := range out.Items {
				add(it.Key)
			}
		case OpBatch:
			for j, sub := range in.Batch {
				var subOut Output
				if j < len(out.Batch) {
					subOut = out.Batch[j]
				}
				addInput(sub, subOut)
			}
		default:
			add(in.Key)
		}
	}
	for i := range n {
		addInput(at(i))
	}
	return keys
}

// touches reports whether operation in reads or writes key.
func touches(in Input, key string) bool {
	switch in.Op {
	case OpScan, OpScanPrefix:
		return inRange(in, key)
	case OpBatch:
		for _, sub := range in.Batch {
			if touches(sub, key) {
				return true
			}
		}
		return false
	}
	return in.Key == key
}

// union is a union-find structure over 0..n-1.
type union struct{ parent []int }

func newUnion(n int) *union {
	u := &union{parent: make([]int, n)}
	for i := range u.parent {
		u.parent[i] = i
	}
	return u
}

func (u *union) find(x int) int {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *union) join(a, b int) { u.parent[u.find(a)] = u.find(b) }
