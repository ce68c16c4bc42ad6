package visitarchive

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
)

// SyncIndex brings the index up to the journal head, entries that other
// processes appended included. Servers call it periodically; it is cheap
// when there is nothing to do.
func (a *Archive) SyncIndex(ctx context.Context) error {
	head, err := a.journal.Head(ctx)
	if err != nil {
		return err
	}
	return a.syncIndex(ctx, head)
}

// syncIndex applies the journal entries after the index's last sequence, in
// order, up to and including upto.
func (a *Archive) syncIndex(ctx context.Context, upto uint64) error {
	if a.index == nil {
		return nil
	}
	a.indexMu.Lock()
	defer a.indexMu.Unlock()
	last, err := a.index.LastSeq(ctx)
	if err != nil || last >= upto {
		return err
	}
	for e, err := range a.journal.Since(ctx, last) {
		if err != nil {
			return err
		}
		if err := a.applyEntry(ctx, e); err != nil {
			return fmt.Errorf("index entry %d: %w", e.Seq, err)
		}
		if e.Seq >= upto {
			break
		}
	}
	return nil
}

// applyEntry indexes the records that entry e wrote, and re-indexes the
// records of any customer it changed, in one batch with e's sequence.
func (a *Archive) applyEntry(ctx context.Context, e Entry) error {
	var docs []IndexDoc
	for _, c := range e.Changes {
		if err := a.followAccounts(ctx, c); err != nil {
			return err
		}
		prefix, _, version, ok := ParseVersionKey(c.Key)
		if !ok || !c.Wrote() {
			continue
		}
		switch prefix {
		case PlansPrefix:
			if err := a.followPlan(ctx, c.Key); err != nil {
				return err
			}
		case CustomersPrefix:
			cu, err := a.freshCustomer(ctx, c.Key)
			if err != nil {
				return err
			}
			a.customers.put(cu)
			if version > 1 {
				more, err := a.customerDocs(ctx, cu)
				if err != nil {
					return err
				}
				docs = append(docs, more...)
			}
		case RecordsPrefix:
			r, err := a.freshRecord(ctx, c.Key)
			if err != nil {
				return err
			}
			docs = append(docs, a.indexDoc(r))
		}
	}
	if err := a.index.Apply(ctx, e.Seq, docs, nil); err != nil {
		return err
	}
	for _, c := range e.Changes {
		a.fresh.Delete(c.Key)
	}
	return nil
}

func (a *Archive) freshRecord(ctx context.Context, key string) (*storedRecord, error) {
	if v, ok := a.fresh.Load(key); ok {
		return v.(*storedRecord), nil
	}
	return readRecord(ctx, a.store, key)
}

func (a *Archive) freshCustomer(ctx context.Context, key string) (*Customer, error) {
	if v, ok := a.fresh.Load(key); ok {
		return &v.(*storedCustomer).Customer, nil
	}
	return readCustomer(ctx, a.store, key)
}

// indexDoc is what the index gets of the stored record s: no sensitive
// field, only their blind hashes.
func (a *Archive) indexDoc(s *storedRecord) IndexDoc {
	return IndexDoc{Record: &s.Record, Customer: a.customers.get(s.CustomerID), Blind: s.Blind}
}

// customerDocs returns the latest version of every indexed record of cu,
// so that a change of the customer's type, area or country reaches them.
func (a *Archive) customerDocs(ctx context.Context, cu *Customer) ([]IndexDoc, error) {
	var docs []IndexDoc
	q := SearchQuery{CustomerID: cu.ID, Sort: SortVisitStart, Size: MaxPageSize, NoFacets: true}
	for q.Page = 1; ; q.Page++ {
		res, err := a.index.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		recs, err := a.loadStored(ctx, res.Hits)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			docs = append(docs, IndexDoc{Record: &r.Record, Customer: cu, Blind: r.Blind})
		}
		if len(res.Hits) < q.Size {
			return docs, nil
		}
	}
}

// reindexBatch is how many records go into one index batch on a rebuild.
const reindexBatch = 1000

// Reindex rebuilds the index from the store alone: it indexes the latest
// version of every record, then marks the index as up to the journal head
// read before it started, so that anything written meanwhile is caught up
// from the journal. progress is called with the records done and the
// total: the records counted, once a listing beside the reads has counted
// them all, and until then those listed so far.
func (a *Archive) Reindex(ctx context.Context, progress func(done, total int)) error {
	if err := a.hasIndex("reindex"); err != nil {
		return err
	}
	a.indexMu.Lock()
	defer a.indexMu.Unlock()
	head, err := a.journal.Head(ctx)
	if err != nil {
		return err
	}
	if err := a.customers.load(ctx, a.store); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the listings when indexing fails
	// The listing feeds the reads as it goes, so indexing starts at once;
	// a second listing beside it only counts, so that the progress has the
	// whole total long before the reads reach the end.
	var listed, counted atomic.Int64
	go func() { counted.Store(int64(countLatest(ctx, a.store, RecordsPrefix))) }()
	batches := make(chan []IndexDoc, 2)
	errc := make(chan error, 1)
	go func() { errc <- a.readBatches(ctx, latestVersions(ctx, a.store, RecordsPrefix), &listed, batches) }()
	done := 0
	for docs := range batches {
		// Sequence 0 until the end: a rebuild cut short must not look done.
		if err := a.index.Apply(ctx, 0, docs, nil); err != nil {
			return err
		}
		done += len(docs)
		if progress != nil {
			progress(done, int(max(listed.Load(), counted.Load())))
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	return a.index.Apply(ctx, head, nil, nil)
}

// countLatest counts the customers or records under prefix; a listing
// that fails counts 0.
func countLatest(ctx context.Context, store Store, prefix string) int {
	n := 0
	for _, err := range latestVersions(ctx, store, prefix) {
		if err != nil {
			return 0
		}
		n++
	}
	return n
}

// latestKeys lists the key of the newest version of every customer or
// record under prefix.
func latestKeys(ctx context.Context, store Store, prefix string) ([]string, error) {
	var keys []string
	for key, err := range latestVersions(ctx, store, prefix) {
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// latestVersions yields the key of the newest version of every customer or
// record under prefix, in key order. Keys sort by version within an
// object, so an object's newest key is the one before the next object's.
func latestVersions(ctx context.Context, store Store, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		var last, lastID string
		for info, err := range store.List(ctx, prefix, "") {
			if err != nil {
				yield("", err)
				return
			}
			_, id, _, ok := ParseVersionKey(info.Key)
			if !ok {
				continue
			}
			if last != "" && id != lastID && !yield(last, nil) {
				return
			}
			last, lastID = info.Key, id
		}
		if last != "" {
			yield(last, nil)
		}
	}
}

// readBatches reads the records at keys, several at a time, and sends them
// in batches; it counts the keys in listed and closes out when done.
func (a *Archive) readBatches(ctx context.Context, keys iter.Seq2[string, error], listed *atomic.Int64, out chan<- []IndexDoc) error {
	defer close(out)
	chunk := make([]string, 0, reindexBatch)
	for key, err := range keys {
		if err != nil {
			return err
		}
		listed.Add(1)
		if chunk = append(chunk, key); len(chunk) == reindexBatch {
			if err := a.readBatch(ctx, chunk, out); err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	return a.readBatch(ctx, chunk, out)
}

// readBatch reads the records at keys in parallel and sends them as one
// batch.
func (a *Archive) readBatch(ctx context.Context, keys []string, out chan<- []IndexDoc) error {
	if len(keys) == 0 {
		return nil
	}
	docs := make([]IndexDoc, len(keys))
	if err := parallel(ctx, len(keys), func(i int) error {
		r, err := readRecord(ctx, a.store, keys[i])
		if err == nil {
			docs[i] = IndexDoc{Record: &r.Record, Blind: r.Blind}
		}
		return err
	}); err != nil {
		return err
	}
	for i := range docs {
		docs[i].Customer = a.customers.get(docs[i].Record.CustomerID)
	}
	select {
	case out <- docs:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// workers is how many object-store requests run at once in bulk work.
const workers = 16

// parallel calls fn(0..n-1) on up to workers goroutines and returns the
// first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  = make(chan int)
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
