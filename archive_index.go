package visitarchive

import (
	"context"
	"fmt"
	"strings"
	"sync"
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
		prefix, _, version, ok := ParseVersionKey(c.Key)
		if !ok {
			continue
		}
		switch prefix {
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
			docs = append(docs, IndexDoc{Record: r, Customer: a.customers.get(r.CustomerID)})
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

func (a *Archive) freshRecord(ctx context.Context, key string) (*Record, error) {
	if v, ok := a.fresh.Load(key); ok {
		return v.(*Record), nil
	}
	return readRecord(ctx, a.store, key)
}

func (a *Archive) freshCustomer(ctx context.Context, key string) (*Customer, error) {
	if v, ok := a.fresh.Load(key); ok {
		return v.(*Customer), nil
	}
	return readCustomer(ctx, a.store, key)
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
		recs, err := a.loadRecords(ctx, res.Hits)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			docs = append(docs, IndexDoc{Record: r, Customer: cu})
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
// from the journal. progress is called with the records done and the total.
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
	keys, err := latestKeys(ctx, a.store, RecordsPrefix)
	if err != nil {
		return err
	}
	batches := make(chan []IndexDoc, 2)
	errc := make(chan error, 1)
	go func() { errc <- a.readBatches(ctx, keys, batches) }()
	done := 0
	for docs := range batches {
		// Sequence 0 until the end: a rebuild cut short must not look done.
		if err := a.index.Apply(ctx, 0, docs, nil); err != nil {
			return err
		}
		done += len(docs)
		if progress != nil {
			progress(done, len(keys))
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	return a.index.Apply(ctx, head, nil, nil)
}

// latestKeys lists the key of the newest version of every customer or
// record under prefix. Keys sort by version within an object, so the last
// key of each object is its newest.
func latestKeys(ctx context.Context, store Store, prefix string) ([]string, error) {
	var keys []string
	for info, err := range store.List(ctx, prefix, "") {
		if err != nil {
			return nil, err
		}
		_, id, _, ok := ParseVersionKey(info.Key)
		if !ok {
			continue
		}
		if n := len(keys); n > 0 && strings.HasPrefix(keys[n-1], prefix+id+"/") {
			keys[n-1] = info.Key
		} else {
			keys = append(keys, info.Key)
		}
	}
	return keys, nil
}

// readBatches reads the records at keys, several at a time, and sends them
// in batches; it closes out when done.
func (a *Archive) readBatches(ctx context.Context, keys []string, out chan<- []IndexDoc) error {
	defer close(out)
	for start := 0; start < len(keys); start += reindexBatch {
		chunk := keys[start:min(start+reindexBatch, len(keys))]
		docs := make([]IndexDoc, len(chunk))
		if err := parallel(ctx, len(chunk), func(i int) error {
			r, err := readRecord(ctx, a.store, chunk[i])
			docs[i] = IndexDoc{Record: r}
			return err
		}); err != nil {
			return err
		}
		for i := range docs {
			docs[i].Customer = a.customers.get(docs[i].Record.CustomerID)
		}
		select {
		case out <- docs:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
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
