package main

import (
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const csvHead = "seconds,warmup,requests_per_second,p99_ms,max_ms,keys_written,data_bytes"

// TestDrawsThreeRowsWithMemory: a local run's file (memory columns) draws
// three rows of two panels; a running cluster's, two rows; the warmup is
// left out unless asked for.
func TestDrawsThreeRowsWithMemory(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		head, rows string
		height     int
	}{
		{csvHead + ",rss_bytes_0,rss_bytes_1\n", "1,true,10,1,2,5,5000,100,200\n2,false,20,3,4,9,9000,300,400\n", 3 * 4 * 96},
		{csvHead + "\n", "1,false,10,1,2,5,5000\n2,false,20,3,4,9,9000\n", 2 * 4 * 96},
	} {
		in, out := filepath.Join(dir, "s.csv"), filepath.Join(dir, "s.png")
		if err := os.WriteFile(in, []byte(tc.head+tc.rows), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := run(in, out, "t", false); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 16*96 || b.Dy() != tc.height {
			t.Fatalf("image %v, want %dx%d", b, 16*96, tc.height)
		}
	}
}

func TestReadSamples(t *testing.T) {
	s, err := readSamples(strings.NewReader(csvHead + ",rss_bytes_0\n2.5,false,100.5,7.25,9,1024,2097152,1048576\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 1 || s[0].seconds != 2.5 || s[0].rate != 100.5 || s[0].p99ms != 7.25 || s[0].dataMiB != 2 || len(s[0].rssMiB) != 1 || s[0].rssMiB[0] != 1 {
		t.Fatalf("samples %+v", s)
	}
	if _, err := readSamples(strings.NewReader("seconds,warmup\n1,false\n")); !errors.Is(err, errMissingColumn) {
		t.Fatalf("a file without p99: %v, want errMissingColumn", err)
	}
	if _, err := readSamples(strings.NewReader(csvHead + "\nx,false,1,1,1,1,1\n")); err == nil {
		t.Fatal("a row with a bad number parsed")
	}
	if err := run(filepath.Join(t.TempDir(), "none.csv"), "x.png", "t", false); err == nil {
		t.Fatal("a missing input file drew a figure")
	}
}
