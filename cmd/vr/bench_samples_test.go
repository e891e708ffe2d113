package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWriteSamples: one CSV row per second after the header, with the data
// written as keys × (key + value) bytes and one memory column per server.
func TestWriteSamples(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.csv")
	samples := []benchSample{
		{at: time.Second, warmup: true, rate: 100, p99: 2500 * time.Microsecond, max: 4 * time.Millisecond, keys: 90, rss: []int64{10, 20, 30}},
		{at: 2 * time.Second, rate: 200, p99: time.Millisecond, max: time.Millisecond, keys: 180, rss: []int64{11, 21, 31}},
	}
	if err := writeSamples(path, 8+1024, samples); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0]) != 10 || rows[0][9] != "rss_bytes_2" {
		t.Fatalf("rows %q, want a header with 3 memory columns and 2 samples", rows)
	}
	want := []string{"2.000", "false", "200.0", "1.000", "1.000", "180", "185760", "11", "21", "31"}
	for i, w := range want {
		if rows[2][i] != w {
			t.Fatalf("second sample %q, want %q", rows[2], want)
		}
	}
	if rows[1][1] != "true" || rows[1][3] != "2.500" {
		t.Fatalf("first sample %q: want warmup and p99 2.500 ms", rows[1])
	}
}
