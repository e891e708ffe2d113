package sim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestFileDataModel runs random writes, appends, cuts, growths, shares and
// reads on files against plain byte slices, and checks after every step
// that each file holds what its model does and that every view handed out
// (reads, recorded writes, shared copies) still holds what it held.
func TestFileDataModel(t *testing.T) {
	for seed := range uint64(200) {
		if err := fileDataRun(seed, 300); err != "" {
			t.Fatalf("seed %d: %s", seed, err)
		}
	}
}

// fileDataRun is one random run of TestFileDataModel: it returns what
// went wrong ("" if nothing did).
func fileDataRun(seed uint64, steps int) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	type view struct {
		b    []byte // as handed out
		want []byte // what it held then
	}
	files := []*fileData{{}}
	models := [][]byte{nil}
	var views []view
	for step := range steps {
		i := rng.IntN(len(files))
		fd, m := files[i], models[i]
		size := len(m)
		data := make([]byte, 1+rng.IntN(60))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		var what string
		switch op := rng.IntN(10); {
		case op == 9 && size == 0: // a new file written whole, with zeros
			data = make([]byte, sparseMin+rng.IntN(3*sparseMin))
			for range rng.IntN(6) {
				data[rng.IntN(len(data))] = byte(1 + rng.IntN(255))
			}
			what = fmt.Sprintf("new sparse file of %d", len(data))
			fd.newSparse(data, rng.IntN(100))
			m = bytes.Clone(data)
		case op <= 2: // a write somewhere, maybe past the end
			off := rng.IntN(size + 30)
			what = fmt.Sprintf("write %d at %d", len(data), off)
			b := fd.write(data, int64(off))
			views = append(views, view{b, bytes.Clone(data)})
			m = writeModel(m, data, off)
		case op == 3: // an append
			what = fmt.Sprintf("append %d", len(data))
			b := fd.write(data, int64(size))
			views = append(views, view{b, bytes.Clone(data)})
			m = append(m, data...)
		case op == 4: // a cut or a growth
			n := rng.IntN(size + 40)
			what = fmt.Sprintf("resize to %d", n)
			fd.resize(int64(n))
			m = writeModel(m[:min(n, size)], nil, n)
		case op == 5: // a read
			what = "read"
			b := fd.view()
			views = append(views, view{b, bytes.Clone(m)})
		case op == 6: // a copy that shares
			n := rng.IntN(size + 1)
			what = fmt.Sprintf("share %d", n)
			files = append(files, fd.share(int64(n)))
			models = append(models, bytes.Clone(m[:n]))
		case op == 7 && size > 0: // a flipped byte (rot)
			off := rng.IntN(size)
			what = fmt.Sprintf("flip at %d", off)
			x := fd.byteAt(int64(off)) ^ 0x10
			fd.writeAt([]byte{x}, int64(off))
			m = writeModel(m, []byte{x}, off)
		default: // a file taking shared bytes whole
			what = "set shared"
			fd.setShared(data)
			views = append(views, view{data, bytes.Clone(data)})
			m = bytes.Clone(data)
		}
		models[i] = m
		for k, f := range files {
			if got := f.contents(); !bytes.Equal(got, models[k]) || f.size != int64(len(got)) {
				return fmt.Sprintf("step %d (%s on file %d): file %d holds %d bytes (size %d), want %d; first difference at %d",
					step, what, i, k, len(got), f.size, len(models[k]), firstDiff(got, models[k]))
			}
		}
		for k, v := range views {
			if !bytes.Equal(v.b, v.want) {
				return fmt.Sprintf("step %d (%s on file %d): view %d of %d bytes changed at %d", step, what, i, k, len(v.b), firstDiff(v.b, v.want))
			}
		}
	}
	return ""
}

// writeModel writes data into m at off, growing it with zeros.
func writeModel(m, data []byte, off int) []byte {
	if end := off + len(data); end > len(m) {
		m = append(m, make([]byte, end-len(m))...)
	}
	copy(m[off:], data)
	return m
}

// firstDiff returns the first offset where a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
