package gateway_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// concurrentIncrs has workers go-redis clients INCR one key each times
// and reports an error if the final value is not workers*each.
func concurrentIncrs(ctx context.Context, rdb *redis.Client, key string, workers, each int) error {
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				if err := rdb.Incr(ctx, key).Err(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	got, err := rdb.Get(ctx, key).Result()
	if err != nil {
		return err
	}
	if want := strconv.Itoa(workers * each); got != want {
		return fmt.Errorf("%d concurrent INCRs left %s: %d increments lost", workers*each, got, workers*each-atoi(got))
	}
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TestIncrLosesNothing: INCR is one replicated op, so 16 clients
// incrementing one key concurrently lose nothing.
func TestIncrLosesNothing(t *testing.T) {
	e := startEnv(t, nil)
	if err := concurrentIncrs(ctxT(t), e.redisClient(t), "counter", 16, 25); err != nil {
		t.Fatal(err)
	}
}

// TestIncrCheckCatchesReadModifyWrite plants INCR as a read followed by a
// write: the same check must see lost increments.
func TestIncrCheckCatchesReadModifyWrite(t *testing.T) {
	e := startEnv(t, withRMWIncr)
	rdb := e.redisClient(t)
	for round := range 5 { // a lost update is likely in every round; 5 rounds make a miss negligible
		err := concurrentIncrs(ctxT(t), rdb, fmt.Sprintf("counter%d", round), 16, 25)
		if err != nil {
			t.Logf("planted read-modify-write caught: %v", err)
			return
		}
	}
	t.Fatal("the concurrent-INCR check did not catch read-modify-write increments")
}
