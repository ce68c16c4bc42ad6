package storagetest

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// The benchmarks every backend runs from its own tests, with a
// constructor of a fresh, empty store:
//
//	func BenchmarkPut(b *testing.B) { storagetest.BenchmarkPut(b, newStore) }

// recordSize is the size of a visit record's object.
const recordSize = 2048

// BenchmarkPut measures Puts of 2 KiB (a visit record) from 8 concurrent
// writers, in puts/s.
func BenchmarkPut(b *testing.B, newStore func(testing.TB) visitarchive.Store) {
	s := newStore(b)
	body := bytes.Repeat([]byte("x"), recordSize)
	var n atomic.Int64
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("records/R%d/0000000001.json", n.Add(1))
			if _, err := s.Put(b.Context(), key, bytes.NewReader(body), int64(len(body))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
}

// BenchmarkPutBatch measures the same objects put with PutBatch in
// batches of 500, in puts/s. It skips a store that is no
// visitarchive.BatchStore.
func BenchmarkPutBatch(b *testing.B, newStore func(testing.TB) visitarchive.Store) {
	store := newStore(b)
	s, ok := store.(visitarchive.BatchStore)
	if !ok {
		b.Skipf("%T does not implement visitarchive.BatchStore", store)
	}
	body := bytes.Repeat([]byte("x"), recordSize)
	const batch = 500
	objs := make([]visitarchive.PutObject, batch)
	n := 0
	for b.Loop() {
		for i := range objs {
			n++
			objs[i] = visitarchive.PutObject{Key: fmt.Sprintf("records/R%d/0000000001.json", n), Body: bytes.NewReader(body), Size: int64(len(body))}
		}
		for _, r := range s.PutBatch(b.Context(), objs) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "puts/s")
}
