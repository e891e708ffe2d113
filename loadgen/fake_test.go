package loadgen

import (
	"context"
	"errors"
	"sync"
)

// fakeStore is an in-memory Target that never sleeps. It counts every
// call and can fail a fraction of them.
type fakeStore struct {
	mu        sync.Mutex
	data      map[string][]byte
	hits      map[string]int // operations per key
	gets      int
	puts      int
	failEvery int                       // fail every n-th call; 0 never
	block     func(ctx context.Context) // called before each operation, if set
}

var errFake = errors.New("fake failure")

func newFakeStore() *fakeStore {
	return &fakeStore{data: map[string][]byte{}, hits: map[string]int{}}
}

// count records a call and decides whether it fails.
func (f *fakeStore) count(key []byte, get bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[string(key)]++
	if get {
		f.gets++
	} else {
		f.puts++
	}
	if f.failEvery > 0 && (f.gets+f.puts)%f.failEvery == 0 {
		return errFake
	}
	return nil
}

func (f *fakeStore) Put(ctx context.Context, key, value []byte) error {
	if f.block != nil {
		f.block(ctx)
	}
	if err := f.count(key, false); err != nil {
		return err
	}
	f.mu.Lock()
	f.data[string(key)] = append([]byte(nil), value...)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeStore) Get(ctx context.Context, key []byte) error {
	if f.block != nil {
		f.block(ctx)
	}
	if err := f.count(key, true); err != nil {
		return err
	}
	return ctx.Err()
}
