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
		if err := fileDataRun(seed, 300, false); err != "" {
			t.Fatalf("seed %d: %s", seed, err)
		}
	}
}

// TestFileDataModelFragmented is TestFileDataModel without the steps that
// give a file new contents whole or join its pieces (reads), and with a
// third of the writes across the end, so that files stay in many pieces.
// Appends after a write spliced in once doubled the room of each new
// piece without bound (this test ran out of memory).
func TestFileDataModelFragmented(t *testing.T) {
	for seed := range uint64(40) {
		if err := fileDataRun(seed, 1500, true); err != "" {
			t.Fatalf("seed %d: %s", seed, err)
		}
	}
}

// TestFileDataWriteAcrossEndOfManyPieces writes across the end of a file
// cut into as many pieces as a file may have (the step at which splice
// joins them), from every offset near the end. Such a write was once
// dropped (splice joined the pieces, then overwrote in place only a write
// that fitted, which this one does not): a log's synced sync record
// vanished, the simulator took the log for corrupt, and two replicas of a
// three-member epoch recovered at once and could never finish
// (reconfig-durable seeds 1,200,624 and 1,201,154).
func TestFileDataWriteAcrossEndOfManyPieces(t *testing.T) {
	for back := 1; back < 30; back++ {
		fd, m := &fileData{}, make([]byte, 0, 4096)
		fd.write(make([]byte, 1000), 0)
		m = writeModel(m, make([]byte, 1000), 0)
		for k := 0; len(fd.ext) < maxExtents-2; k++ { // single bytes inside: two more pieces each
			fd.write([]byte{byte(k + 1)}, int64(7*k+3))
			m = writeModel(m, []byte{byte(k + 1)}, 7*k+3)
		}
		p := bytes.Repeat([]byte{0xAB}, 40)
		fd.write(p, int64(1000-back))
		m = writeModel(m, p, 1000-back)
		if got := fd.contents(); !bytes.Equal(got, m) || fd.size != int64(len(m)) {
			t.Fatalf("40 bytes at %d of a file of 1000 bytes in pieces: it holds %d bytes (size %d), want %d; first difference at %d",
				1000-back, len(got), fd.size, len(m), firstDiff(got, m))
		}
	}
}

// fileDataRun is one random run of TestFileDataModel: it returns what
// went wrong ("" if nothing did). With fragment, files are never given new
// contents whole: every such step writes inside the file instead.
func fileDataRun(seed uint64, steps int, fragment bool) string {
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
		op := rng.IntN(10)
		if fragment && (op >= 8 || op == 5 || op == 6) {
			op = 0 // a write instead of new contents, a share or a read (which joins)
		}
		switch {
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
			if fragment && rng.IntN(3) == 0 { // across the end, as a log's sync record over prepared zeros
				off = max(0, size-rng.IntN(30))
			}
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
