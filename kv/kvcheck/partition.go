package kvcheck

import "github.com/anishathalye/porcupine"

// Partition splits a history into one sub-history per key, in order of
// first appearance. Operations whose input is not an Input (scans, say) are
// left out: they are not checked.
func Partition(history []porcupine.Operation) [][]porcupine.Operation {
	index := map[string]int{}
	var parts [][]porcupine.Operation
	for _, op := range history {
		in, ok := op.Input.(Input)
		if !ok {
			continue
		}
		i, seen := index[in.Key]
		if !seen {
			i = len(parts)
			index[in.Key] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

// PartitionEvent is Partition for the event representation: a return event
// goes with its call event, matched by Id.
func PartitionEvent(history []porcupine.Event) [][]porcupine.Event {
	index := map[string]int{}
	partOf := map[int]int{} // event Id -> partition
	var parts [][]porcupine.Event
	for _, ev := range history {
		if ev.Kind == porcupine.CallEvent {
			in, ok := ev.Value.(Input)
			if !ok {
				continue
			}
			i, seen := index[in.Key]
			if !seen {
				i = len(parts)
				index[in.Key] = i
				parts = append(parts, nil)
			}
			partOf[ev.Id] = i
		}
		if i, ok := partOf[ev.Id]; ok {
			parts[i] = append(parts[i], ev)
		}
	}
	return parts
}
