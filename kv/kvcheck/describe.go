package kvcheck

import (
	"fmt"
	"strings"
)

// describeOperation renders an operation for porcupine's visualization.
func describeOperation(input, output any) string {
	in, out := input.(Input), output.(Output)
	return describeInput(in) + " -> " + describeOutput(in, out)
}

func describeInput(in Input) string {
	switch in.Op {
	case OpGet:
		return fmt.Sprintf("get(%q)", in.Key)
	case OpPut:
		return fmt.Sprintf("put(%q, %q)", in.Key, in.Value)
	case OpDelete:
		return fmt.Sprintf("delete(%q)", in.Key)
	case OpCAS:
		return fmt.Sprintf("cas(%q, %d, %q)", in.Key, in.Expected, in.Value)
	case OpScan:
		return fmt.Sprintf("scan(%q, %q, %d)", in.Key, in.End, in.Limit)
	case OpScanPrefix:
		return fmt.Sprintf("scan-prefix(%q, %d)", in.Key, in.Limit)
	case OpBatch:
		parts := make([]string, len(in.Batch))
		for i, sub := range in.Batch {
			parts[i] = describeInput(sub)
		}
		return "batch[" + strings.Join(parts, "; ") + "]"
	}
	return fmt.Sprintf("op%d(%q)", in.Op, in.Key)
}

func describeOutput(in Input, out Output) string {
	switch op := in.Op; {
	case out.Unknown && out.Settled:
		return "unknown, settled"
	case out.Unknown:
		return "unknown"
	case op == OpGet && out.Found:
		return fmt.Sprintf("%q @ %d", out.Value, out.Version)
	case op == OpGet, op == OpDelete && !out.Found:
		return "absent"
	case op == OpDelete:
		return "deleted"
	case op == OpCAS && !out.Swapped:
		return fmt.Sprintf("failed, current %d", out.Version)
	case op == OpScan || op == OpScanPrefix:
		return describeItems(out)
	case op == OpBatch:
		return describeBatch(in, out)
	}
	return fmt.Sprintf("ok @ %d", out.Version)
}

func describeItems(out Output) string {
	parts := make([]string, len(out.Items))
	for i, it := range out.Items {
		parts[i] = fmt.Sprintf("%q=%q@%d", it.Key, it.Value, it.Version)
	}
	s := "[" + strings.Join(parts, " ") + "]"
	if out.More {
		s += " more"
	}
	return s
}

func describeBatch(in Input, out Output) string {
	if len(out.Batch) != len(in.Batch) {
		return fmt.Sprintf("%d results for %d operations", len(out.Batch), len(in.Batch))
	}
	parts := make([]string, len(in.Batch))
	for i, sub := range in.Batch {
		parts[i] = describeOutput(sub, out.Batch[i])
	}
	return "[" + strings.Join(parts, "; ") + "]"
}
