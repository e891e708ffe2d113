package wire

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The seed corpora in testdata/fuzz hold a valid encoding of every sample,
// so that plain `go test` runs the fuzz targets on them. They are generated
// from samples(); after changing the samples, regenerate them with
//
//	WIRE_WRITE_CORPUS=1 go test ./wire -run TestSeedCorpus
const writeCorpusEnv = "WIRE_WRITE_CORPUS"

// seedCorpus returns the wanted seed files: directory, then name, then
// content in the `go test fuzz v1` format.
func seedCorpus(t *testing.T) map[string]map[string][]byte {
	dec := map[string][]byte{}
	read := map[string][]byte{}
	var stream []byte
	for i, s := range samples() {
		body := mustBody(t, s.m)
		dec[s.name] = fuzzFile(append([]byte{byte(s.m.Type())}, body...))
		frame := mustFrame(t, 0x5eed+uint64(i), uint8(i), s.m)
		read[s.name] = fuzzFile(frame)
		stream = append(stream, frame...)
	}
	read["all-in-one-stream"] = fuzzFile(stream)
	return map[string]map[string][]byte{
		filepath.Join("testdata", "fuzz", "FuzzDecodeMessage"): dec,
		filepath.Join("testdata", "fuzz", "FuzzReadFrame"):     read,
	}
}

// fuzzFile encodes one []byte argument as a seed corpus file.
func fuzzFile(b []byte) []byte {
	return fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b)
}

// TestSeedCorpus checks that the seed corpus files on disk are present and
// current, or writes them if WIRE_WRITE_CORPUS is set.
func TestSeedCorpus(t *testing.T) {
	write := os.Getenv(writeCorpusEnv) != ""
	for dir, files := range seedCorpus(t) {
		if write {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for name, want := range files {
			path := filepath.Join(dir, name)
			if write {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is missing or stale (%v); regenerate with %s=1", path, err, writeCorpusEnv)
			}
		}
	}
}
