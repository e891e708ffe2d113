package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// errMissingColumn: the CSV lacks a column the plot needs.
var errMissingColumn = errors.New("plot: missing column")

// sample is one second of a `vr bench --samples` file.
type sample struct {
	seconds float64
	warmup  bool
	rate    float64 // requests per second
	p99ms   float64
	dataMiB float64   // data the writes so far hold
	rssMiB  []float64 // per server; empty for a running cluster
}

// readSamples parses a `vr bench --samples` CSV file.
func readSamples(r io.Reader) ([]sample, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no header", errMissingColumn)
	}
	col, rss, err := columns(rows[0])
	if err != nil {
		return nil, err
	}
	out := make([]sample, 0, len(rows)-1)
	for i, row := range rows[1:] {
		s, err := parseRow(row, col, rss)
		if err != nil {
			return nil, fmt.Errorf("plot: row %d: %w", i+2, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// columns finds the needed columns and the memory columns in the header.
func columns(header []string) (map[string]int, []int, error) {
	col := map[string]int{}
	var rss []int
	for i, name := range header {
		col[name] = i
		if strings.HasPrefix(name, "rss_bytes_") {
			rss = append(rss, i)
		}
	}
	for _, need := range []string{"seconds", "warmup", "requests_per_second", "p99_ms", "data_bytes"} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("%w: %s", errMissingColumn, need)
		}
	}
	return col, rss, nil
}

// parseRow parses one data row.
func parseRow(row []string, col map[string]int, rss []int) (sample, error) {
	var s sample
	var err error
	num := func(name string) float64 {
		v, e := strconv.ParseFloat(row[col[name]], 64)
		err = errors.Join(err, e)
		return v
	}
	s.seconds, s.rate, s.p99ms = num("seconds"), num("requests_per_second"), num("p99_ms")
	s.dataMiB = num("data_bytes") / (1 << 20)
	s.warmup = row[col["warmup"]] == "true"
	for _, i := range rss {
		v, e := strconv.ParseFloat(row[i], 64)
		err = errors.Join(err, e)
		s.rssMiB = append(s.rssMiB, v/(1<<20))
	}
	return s, err
}
