package main

import (
	"context"
	"io"
	"iter"
	"sync"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// layerTimes tells where the wall time of a step went: for each layer
// call (store put, journal append, index apply, …) how many calls there
// were, their summed latency, and the wall time during which at least one
// was in flight. Busy times of different layers can overlap when the
// Archive runs them concurrently; the sum of latencies exceeds the busy
// time when calls of one layer run in parallel.
type layerTimes struct {
	mu    sync.Mutex
	calls map[string]*busy
}

type busy struct {
	inFlight int
	since    time.Time
	Calls    int64         `json:"calls"`
	Busy     time.Duration `json:"busy_ns"`
	Sum      time.Duration `json:"sum_ns"`
}

// layerStat is the JSON form of one layer call's figures.
type layerStat struct {
	Calls       int64   `json:"calls"`
	BusySeconds float64 `json:"busy_seconds"`
	MeanMs      float64 `json:"mean_ms"`
}

func newLayerTimes() *layerTimes { return &layerTimes{calls: map[string]*busy{}} }

// begin marks the start of one call of name; the returned func its end.
func (l *layerTimes) begin(name string) (end func()) {
	t0 := time.Now()
	l.mu.Lock()
	b := l.calls[name]
	if b == nil {
		b = &busy{}
		l.calls[name] = b
	}
	if b.inFlight == 0 {
		b.since = t0
	}
	b.inFlight++
	l.mu.Unlock()
	return func() {
		t1 := time.Now()
		l.mu.Lock()
		b.inFlight--
		b.Calls++
		b.Sum += t1.Sub(t0)
		if b.inFlight == 0 {
			b.Busy += t1.Sub(b.since)
		}
		l.mu.Unlock()
	}
}

// take returns the figures so far and starts afresh.
func (l *layerTimes) take() map[string]layerStat {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]layerStat{}
	for name, b := range l.calls {
		if b.Calls == 0 {
			continue
		}
		out[name] = layerStat{Calls: b.Calls, BusySeconds: b.Busy.Seconds(),
			MeanMs: float64(b.Sum) / float64(b.Calls) / float64(time.Millisecond)}
		l.calls[name] = &busy{inFlight: b.inFlight, since: b.since}
	}
	return out
}

// timed wraps store for timing. The wrapper must offer every optional
// interface the store offers, or the Archive would take a slower path
// than it takes in production: BatchStore is the one the root package
// looks for (import.go); add any new one here.
func timed(store va.Store, t *layerTimes) va.Store {
	ts := timedStore{store, t}
	if bs, ok := store.(va.BatchStore); ok {
		return timedBatchStore{ts, bs}
	}
	return ts
}

// timedBatchStore is a timedStore of a BatchStore.
type timedBatchStore struct {
	timedStore
	bs va.BatchStore
}

func (s timedBatchStore) PutBatch(ctx context.Context, objs []va.PutObject) []va.PutResult {
	defer s.t.begin("store.put_batch")()
	return s.bs.PutBatch(ctx, objs)
}

// timedStore times the calls of a Store. Listing time is the time spent
// in the backend between items, not in the caller's loop body.
type timedStore struct {
	va.Store
	t *layerTimes
}

func (s timedStore) Put(ctx context.Context, key string, r io.Reader, size int64) (va.ObjectInfo, error) {
	defer s.t.begin("store.put")()
	return s.Store.Put(ctx, key, r, size)
}

func (s timedStore) Get(ctx context.Context, key string) (io.ReadCloser, va.ObjectInfo, error) {
	end := s.t.begin("store.get")
	rc, info, err := s.Store.Get(ctx, key)
	if err != nil {
		end()
		return rc, info, err
	}
	return &timedBody{ReadCloser: rc, end: end}, info, nil
}

// timedBody ends a Get's time when the caller closes the body, so that
// reading (and checking the hash) counts as part of the Get.
type timedBody struct {
	io.ReadCloser
	end  func()
	once sync.Once
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.end)
	return err
}

func (s timedStore) Stat(ctx context.Context, key string) (va.ObjectInfo, error) {
	defer s.t.begin("store.stat")()
	return s.Store.Stat(ctx, key)
}

func (s timedStore) List(ctx context.Context, prefix, after string) iter.Seq2[va.ObjectInfo, error] {
	return timedSeq(s.t, "store.list", s.Store.List(ctx, prefix, after))
}

func (s timedStore) Delete(ctx context.Context, key string) error {
	defer s.t.begin("store.delete")()
	return s.Store.Delete(ctx, key)
}

// timedSeq times seq while it produces items, not while the consumer runs.
func timedSeq[V any](t *layerTimes, name string, seq iter.Seq2[V, error]) iter.Seq2[V, error] {
	return func(yield func(V, error) bool) {
		end := t.begin(name)
		defer func() { end() }()
		for v, err := range seq {
			end()
			if !yield(v, err) {
				end = func() {}
				return
			}
			end = t.begin(name)
		}
	}
}

type timedJournal struct {
	va.Journal
	t *layerTimes
}

func (j timedJournal) Append(ctx context.Context, changes ...va.Change) (uint64, error) {
	defer j.t.begin("journal.append")()
	return j.Journal.Append(ctx, changes...)
}

func (j timedJournal) Since(ctx context.Context, after uint64) iter.Seq2[va.Entry, error] {
	return timedSeq(j.t, "journal.since", j.Journal.Since(ctx, after))
}

func (j timedJournal) Head(ctx context.Context) (uint64, error) {
	defer j.t.begin("journal.head")()
	return j.Journal.Head(ctx)
}

type timedIndex struct {
	va.Index
	t *layerTimes
}

func (ix timedIndex) Apply(ctx context.Context, seq uint64, docs []va.IndexDoc, deleted []va.RecordID) error {
	defer ix.t.begin("index.apply")()
	return ix.Index.Apply(ctx, seq, docs, deleted)
}

func (ix timedIndex) Search(ctx context.Context, q va.SearchQuery) (*va.SearchResult, error) {
	defer ix.t.begin("index.search")()
	return ix.Index.Search(ctx, q)
}

func (ix timedIndex) LastSeq(ctx context.Context) (uint64, error) {
	defer ix.t.begin("index.last_seq")()
	return ix.Index.LastSeq(ctx)
}
