// Command plot draws a `vr bench --samples` file as a PNG: the request
// rate, the p99 latency of each second and (for a local cluster) each
// server's resident memory, against the data the run has written and
// against time. bench/plot/sustained.sh runs the sustained benchmark of
// docs/benchmarks.md and draws it.
//
//	go run . --in samples.csv --out figure.png --title "..."
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "", "a `vr bench --samples` CSV file")
	out := flag.String("out", "", "the PNG file to write")
	title := flag.String("title", "vr bench", "the figure's title")
	warmup := flag.Bool("warmup", false, "also draw the seconds of the warmup")
	flag.Parse()
	if err := run(*in, *out, *title, *warmup); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

// errNoSamples: nothing to draw.
var errNoSamples = errors.New("no samples to draw")

func run(in, out, title string, warmup bool) error {
	if in == "" || out == "" {
		return errors.New("--in and --out are required")
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	all, err := readSamples(f)
	if err != nil {
		return err
	}
	var samples []sample
	for _, s := range all {
		if warmup || !s.warmup {
			samples = append(samples, s)
		}
	}
	if len(samples) == 0 {
		return errNoSamples
	}
	var png bytes.Buffer
	if err := drawPNG(&png, title, samples, panelsFor(samples)); err != nil {
		return err
	}
	return os.WriteFile(out, png.Bytes(), 0o644)
}

// panelsFor lists the figure's rows: memory only when the file has it.
func panelsFor(samples []sample) []panel {
	panels := []panel{
		{label: "requests/s", names: []string{"requests/s"}, series: func(s sample) []float64 { return []float64{s.rate} }},
		{label: "p99 of each second, ms", names: []string{"p99"}, series: func(s sample) []float64 { return []float64{s.p99ms} },
			target: func(sample) float64 { return p99TargetMs }},
	}
	if n := len(samples[0].rssMiB); n > 0 {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("server %d", i)
		}
		panels = append(panels, panel{label: "resident memory, MiB", names: names,
			series: func(s sample) []float64 { return s.rssMiB },
			target: func(s sample) float64 { return 2*s.dataMiB + memoryBudgetMiB }})
	}
	return panels
}
