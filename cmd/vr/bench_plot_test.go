package main

import (
	"strings"
	"testing"
	"time"
)

func TestPlotSVGDrawsEverySeries(t *testing.T) {
	var samples []benchSample
	for i := range 5 {
		samples = append(samples, benchSample{at: time.Duration(i+1) * time.Second, rate: float64(1000 * (i + 1)),
			p99: time.Duration(i+1) * 7 * time.Millisecond, rss: []int64{int64(i+1) << 20, 2 << 20, 3 << 20}})
	}
	var b strings.Builder
	if err := plotSVG(&b, "a <title>", samples); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for _, want := range []string{"requests/s (max 5000)", "ms (max 35)", "MiB (max 5)", "a &lt;title&gt;", "5s"} {
		if !strings.Contains(svg, want) {
			t.Errorf("plot lacks %q", want)
		}
	}
	if n := strings.Count(svg, "<polyline"); n != 5 {
		t.Errorf("%d lines, want 5 (the rate, the p99 and 3 servers' memory)", n)
	}
	samples[0].rss = nil
	for i := range samples {
		samples[i].rss = nil
	}
	b.Reset()
	_ = plotSVG(&b, "", samples)
	if strings.Count(b.String(), "<polyline") != 2 || strings.Contains(b.String(), "MiB") {
		t.Error("without memory samples the plot must show the rate and the p99 only")
	}
}
