package main

import (
	"fmt"
	"io"
	"strings"
)

// row is one line of the table: a label and how to show a result.
type row struct {
	label string
	cell  func(r result) string
}

// Formatting helpers: microseconds, milliseconds, MiB.
func us(ns float64) string { return fmt.Sprintf("%.2f", ns/1e3) }
func ms(ns float64) string { return fmt.Sprintf("%.1f", ns/1e6) }
func mib(b float64) string { return fmt.Sprintf("%.1f", b/(1<<20)) }
func pebbleOnly(r result, s string) string {
	if r.Engine != "pebble" {
		return "-"
	}
	return s
}

// rows returns the table's rows; gap is the Puts between checkpoints.
func rows(gap int) []row {
	return []row{
		{"load: insert N keys in random order (µs/op)", func(r result) string { return us(r.LoadPerOp) }},
		{"put: overwrite random key (µs/op)", func(r result) string { return us(r.PutPerOp) }},
		{"get50put50 (µs/op)", func(r result) string { return us(r.MixedPerOp) }},
		{"get: random key (µs/op)", func(r result) string { return us(r.GetPerOp) }},
		{"Go heap in use after load, after GC (MiB)", func(r result) string { return mib(float64(r.Heap)) }},
		{"Pebble block cache + memtables, off heap (MiB)", func(r result) string {
			return pebbleOnly(r, mib(float64(r.Cache))+" + "+mib(float64(r.MemTables)))
		}},
		{"process RSS after load (MiB)", func(r result) string { return mib(float64(r.RSS)) }},
		{"write amplification over the mixes (sstable bytes / user bytes)", func(r result) string {
			return pebbleOnly(r, fmt.Sprintf("%.1f", r.WriteAmp))
		}},
		{"compaction debt left (MiB)", func(r result) string { return pebbleOnly(r, mib(float64(r.Debt))) }},
		{"checkpoint after the mixes (ms)", func(r result) string { return ms(r.CkptTime) }},
		{"  bytes written (MiB)", func(r result) string { return mib(float64(r.Ckpt.Written)) }},
		{"  checkpoint directory, hard links counted (MiB)", func(r result) string { return mib(float64(r.Ckpt.DirBytes)) }},
		{fmt.Sprintf("checkpoint after %d more puts (ms)", gap), func(r result) string { return ms(r.CkptGapTime) }},
		{"  bytes written (MiB)", func(r result) string { return mib(float64(r.CkptGap.Written)) }},
		{"restore: read file + rebuild tree / first Pebble open (ms)", func(r result) string { return ms(r.Restore) }},
		{"first 10k gets after restore (µs/op)", func(r result) string { return us(r.ColdGetPerOp) }},
		{"process RSS after restore + gets (MiB)", func(r result) string { return mib(float64(r.RestoreRSS)) }},
	}
}

// printReport writes the machine, the parameters and the tables as
// Markdown.
func printReport(w io.Writer, cfg config, m machine, results []result, builds []buildResult) {
	fmt.Fprintf(w, "machine: %s, %d cores, %s memory, %s, %s\n", m.cpu, m.cores, m.memory, m.goVersion, m.date)
	fmt.Fprintf(w, "load average (1/5/15 min): before %s, after %s\n", m.loadBefore, m.loadAfter)
	fmt.Fprintf(w, "keys 16 B, values 256 B random; %d rounds of %d ops per mix, median; Pebble: no WAL, NoSync, %d MiB cache, %d MiB memtable\n\n",
		cfg.rounds, cfg.ops, cfg.pebble.CacheSize>>20, cfg.pebble.MemTableSize>>20)
	header := []string{"measure"}
	for _, r := range results {
		header = append(header, fmt.Sprintf("%s %s", r.Engine, count(r.N)))
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat(" --- |", len(header)))
	for _, rw := range rows(cfg.gap) {
		cells := []string{rw.label}
		for _, r := range results {
			cells = append(cells, rw.cell(r))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	if len(builds) == 0 {
		return
	}
	fmt.Fprintf(w, "\n| program (cold build cache) | go build (s) | binary (MiB) |\n| --- | --- | --- |\n")
	for _, b := range builds {
		fmt.Fprintf(w, "| %s | %.1f | %.1f |\n", b.name, b.wall.Seconds(), float64(b.binary)/(1<<20))
	}
}

// count writes 100000 as 100k and 1000000 as 1M.
func count(n int) string {
	switch {
	case n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}
