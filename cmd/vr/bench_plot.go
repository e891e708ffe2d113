package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vr-go/vr/loadgen"
)

// benchSample is one second of a run, for --plot: the request rate and,
// with --local, every server's resident memory.
type benchSample struct {
	at     time.Duration
	warmup bool
	rate   float64
	p99    time.Duration // of the requests of that second
	max    time.Duration
	keys   int64   // distinct keys written so far
	rss    []int64 // bytes per server; nil when unknown
}

// sampleOf reads the servers' memory at a progress snapshot.
func sampleOf(s loadgen.Snapshot, local *benchLocal) benchSample {
	b := benchSample{at: s.Elapsed, warmup: s.Warmup, rate: s.Rate, p99: s.P99, max: s.Max, keys: s.KeysWritten}
	if local != nil {
		b.rss = local.rss()
	}
	return b
}

// writePlot writes the samples as an SVG file: the request rate on top,
// the p99 latency of each second below it and, when known, each server's
// resident memory at the bottom, over time.
func writePlot(path, title string, samples []benchSample) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return plotSVG(f, title, samples)
}

// Layout of the plot, in SVG pixels.
const (
	plotW, panelH, plotLeft, plotTop = 760, 180, 70, 40
)

func plotSVG(w io.Writer, title string, samples []benchSample) error {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n",
		plotW+plotLeft+20, plotTop+3*panelH+120)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%d" y="20" font-size="13">%s</text>`+"\n", plotLeft, escapeXML(title))
	var end time.Duration
	if n := len(samples); n > 0 {
		end = samples[n-1].at
	}
	rates, p99s := make([][]float64, 1), make([][]float64, 1)
	for _, s := range samples {
		rates[0] = append(rates[0], s.rate)
		p99s[0] = append(p99s[0], float64(s.p99))
	}
	panel(&b, plotTop, "requests/s", samples, rates, end, 1)
	panel(&b, plotTop+panelH+40, "p99 latency of each second, ms", samples, p99s, end, float64(time.Millisecond))
	if mem := rssSeries(samples); mem != nil {
		panel(&b, plotTop+2*(panelH+40), "resident memory per server, MiB", samples, mem, end, 1<<20)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// rssSeries returns one series per server, or nil if memory is unknown.
func rssSeries(samples []benchSample) [][]float64 {
	if len(samples) == 0 || samples[0].rss == nil {
		return nil
	}
	out := make([][]float64, len(samples[0].rss))
	for _, s := range samples {
		for i := range out {
			v := 0.0
			if i < len(s.rss) {
				v = float64(s.rss[i])
			}
			out[i] = append(out[i], v)
		}
	}
	return out
}

var plotColors = []string{"#2a7", "#27c", "#c52", "#a3a", "#777"}

// panel draws series (values divided by unit) against the samples' times.
func panel(b *strings.Builder, top int, label string, samples []benchSample, series [][]float64, end time.Duration, unit float64) {
	peak := 1.0
	for _, s := range series {
		for _, v := range s {
			peak = max(peak, v/unit)
		}
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#ccc"/>`+"\n", plotLeft, top, plotW, panelH)
	fmt.Fprintf(b, `<text x="%d" y="%d">%s (max %.0f)</text>`+"\n", plotLeft, top-6, label, peak)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%.0f</text><text x="%d" y="%d" text-anchor="end">0</text>`+"\n",
		plotLeft-4, top+10, peak, plotLeft-4, top+panelH)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", plotLeft+plotW, top+panelH+14, end.Round(time.Second))
	for k, s := range series {
		var pts []string
		for i, v := range s {
			x := plotLeft + int(float64(plotW)*float64(samples[i].at)/float64(max(end, 1)))
			y := top + panelH - int(float64(panelH)*(v/unit)/peak)
			pts = append(pts, fmt.Sprintf("%d,%d", x, y))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n",
			plotColors[k%len(plotColors)], strings.Join(pts, " "))
	}
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
