package visitarchive

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// SyncIndex brings the catalog, the caches and the index up to the
// journal head, entries that other processes appended included. Servers
// call it periodically; it is cheap when there is nothing to do.
func (a *Archive) SyncIndex(ctx context.Context) error {
	head, err := a.journal.Head(ctx)
	if err != nil {
		return err
	}
	return a.syncIndex(ctx, head)
}

// syncIndex follows the journal up to and including entry upto: first the
// catalog and the caches, then the index, each from where it stands.
func (a *Archive) syncIndex(ctx context.Context, upto uint64) error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if err := a.follow(ctx, upto); err != nil {
		return err
	}
	if a.index == nil {
		return nil
	}
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

// follow applies the journal entries after the catalog's up to upto to the
// catalog and to the caches of accounts, plans and customers, in order.
// The caches go first: an entry the catalog has applied is never
// followed again. a.syncMu is held.
func (a *Archive) follow(ctx context.Context, upto uint64) error {
	from := a.catalog.head()
	if from >= upto {
		return nil
	}
	for e, err := range a.journal.Since(ctx, from) {
		if err != nil {
			return err
		}
		for _, c := range e.Changes {
			if err := a.followChange(ctx, c); skipDamaged(a.log, e.Seq, c, err) != nil {
				return fmt.Errorf("follow entry %d: %w", e.Seq, err)
			}
		}
		a.catalog.apply(e)
		if a.index == nil {
			a.forgetFresh(e)
		}
		if e.Seq >= upto {
			break
		}
	}
	return nil
}

// followChange applies one journaled change to the caches.
func (a *Archive) followChange(ctx context.Context, c Change) error {
	if err := a.accounts.follow(ctx, c); err != nil {
		return err
	}
	if !c.Wrote() {
		return nil
	}
	var err error
	switch {
	case strings.HasPrefix(c.Key, PlansPrefix):
		_, err = a.plans.follow(ctx, a, c)
	case strings.HasPrefix(c.Key, CustomersPrefix):
		_, err = a.customers.follow(ctx, a, c)
	}
	return err
}

// applyEntry indexes the records that entry e wrote, and re-indexes the
// records of any customer it changed, in one batch with e's sequence.
func (a *Archive) applyEntry(ctx context.Context, e Entry) error {
	var docs []IndexDoc
	for _, c := range e.Changes {
		prefix, id, version, ok := ParseVersionKey(c.Key)
		if !ok || !c.Wrote() {
			continue
		}
		switch {
		case prefix == CustomersPrefix && version > 1:
			cu := a.customer(CustomerID(id))
			if cu == nil {
				continue
			}
			more, err := a.customerDocs(ctx, cu)
			if err != nil {
				return err
			}
			docs = append(docs, more...)
		case prefix == RecordsPrefix:
			r, err := a.freshRecord(ctx, c)
			if err != nil {
				if skipDamaged(a.log, e.Seq, c, err) != nil {
					return err
				}
				continue
			}
			docs = append(docs, a.indexDoc(r))
		}
	}
	if err := a.index.Apply(ctx, e.Seq, docs, nil); err != nil {
		return err
	}
	a.forgetFresh(e)
	return nil
}

// skipDamaged returns err unless it says that the object of c is missing
// or altered: that is logged, and following goes on without it, so that
// one damaged object does not stop every later change from being seen.
// verify names it.
func skipDamaged(log *slog.Logger, seq uint64, c Change, err error) error {
	if !IsKind(err, NotFound) && !IsKind(err, Integrity) {
		return err
	}
	log.Error("a journaled object is missing or altered; skipping it (run verify)", "seq", seq, "key", c.Key, "err", err)
	return nil
}

// forgetFresh drops the objects of e from the fresh ones: they are
// followed and indexed.
func (a *Archive) forgetFresh(e Entry) {
	for _, c := range e.Changes {
		a.fresh.Delete(c.Key)
	}
}

// freshRecord returns the record that change c wrote: the one in hand if
// this process wrote it, else read from the store and checked against the
// hash c recorded.
func (a *Archive) freshRecord(ctx context.Context, c Change) (*storedRecord, error) {
	if r, ok := a.freshObject(c.Key).(*storedRecord); ok {
		return r, nil
	}
	var r storedRecord
	return &r, a.readChange(ctx, c, &r)
}

// freshObject returns the object this process wrote at key and has not
// yet indexed, or nil.
func (a *Archive) freshObject(key string) any {
	v, _ := a.fresh.Load(key)
	return v
}

// indexDoc is what the index gets of the stored record s: no sensitive
// field, only their blind hashes.
func (a *Archive) indexDoc(s *storedRecord) IndexDoc {
	return IndexDoc{Record: &s.Record, Customer: a.customer(s.CustomerID), Blind: s.Blind}
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

// Reindex rebuilds the index from the store: it indexes the current
// version of every record the journal recorded, then marks the index as
// up to the journal entry the catalog stood at, so that anything written
// meanwhile is caught up from the journal. progress is called with the
// records done and the total.
func (a *Archive) Reindex(ctx context.Context, progress func(done, total int)) error {
	if err := a.hasIndex("reindex"); err != nil {
		return err
	}
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	head, err := a.journal.Head(ctx)
	if err != nil {
		return err
	}
	if err := a.follow(ctx, head); err != nil {
		return err
	}
	head = a.catalog.head()
	records := a.catalog.currents(RecordsPrefix)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the reads when indexing fails
	// The reads run one batch ahead of the indexing.
	batches := make(chan []IndexDoc, 2)
	errc := make(chan error, 1)
	go func() { errc <- a.readBatches(ctx, records, batches) }()
	done := 0
	for docs := range batches {
		// Sequence 0 until the end: a rebuild cut short must not look done.
		if err := a.index.Apply(ctx, 0, docs, nil); err != nil {
			return err
		}
		done += len(docs)
		if progress != nil {
			progress(done, len(records))
		}
	}
	if err := <-errc; err != nil {
		return err
	}
	return a.index.Apply(ctx, head, nil, nil)
}

// readBatches reads the records of es in batches and sends them; it
// closes out when done.
func (a *Archive) readBatches(ctx context.Context, es []catEntry, out chan<- []IndexDoc) error {
	defer close(out)
	for chunk := range slices.Chunk(es, reindexBatch) {
		if err := a.readBatch(ctx, chunk, out); err != nil {
			return err
		}
	}
	return nil
}

// readBatch reads the records of es in parallel and sends them as one
// batch.
func (a *Archive) readBatch(ctx context.Context, es []catEntry, out chan<- []IndexDoc) error {
	docs := make([]IndexDoc, len(es))
	if err := parallel(ctx, len(es), func(i int) error {
		var r storedRecord
		err := readSealed(ctx, a.store, es[i].key, es[i].sum, &r)
		if err == nil {
			docs[i] = IndexDoc{Record: &r.Record, Blind: r.Blind}
		}
		return err
	}); err != nil {
		return err
	}
	for i := range docs {
		docs[i].Customer = a.customer(docs[i].Record.CustomerID)
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
