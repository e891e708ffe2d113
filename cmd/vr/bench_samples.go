package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"
)

// samplesHeader is the first row of a --samples file; with --local, one
// rss_bytes_<i> column per server follows.
const samplesHeader = "seconds,warmup,requests_per_second,p99_ms,max_ms,keys_written,data_bytes"

// writeSamples writes the per-second samples as CSV: the data a run's
// writes hold is the distinct keys written times recordBytes (key and
// value), for a store that started empty.
func writeSamples(path string, recordBytes int, samples []benchSample) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	servers := 0
	if len(samples) > 0 {
		servers = len(samples[0].rss)
	}
	fmt.Fprint(w, samplesHeader)
	for i := range servers {
		fmt.Fprintf(w, ",rss_bytes_%d", i)
	}
	fmt.Fprintln(w)
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
	}
	for _, s := range samples {
		fmt.Fprintf(w, "%.3f,%t,%.1f,%s,%s,%d,%d", s.at.Seconds(), s.warmup, s.rate, ms(s.p99), ms(s.max), s.keys, s.keys*int64(recordBytes))
		for i := range servers {
			var rss int64
			if i < len(s.rss) {
				rss = s.rss[i]
			}
			fmt.Fprintf(w, ",%d", rss)
		}
		fmt.Fprintln(w)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
