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

// syncIndex follows the journal up to entry upto at least: first the
// catalog and the caches, then the index, each from where it stands, and
// each as far as the journal goes. This is the group commit of the index:
// writers whose entries land while another applies wait for it, and the
// first of them then applies all of theirs in one batch (see indexFrom),
// so that concurrent writes cost the index one batch, not one each; it
// first waits a moment for record writes about to join them
// (archive_gather.go).
func (a *Archive) syncIndex(ctx context.Context, upto uint64) error {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if a.index != nil && a.indexedSeq < upto {
		a.writing.gather(groupLinger)
	}
	if a.catalog.head() < upto {
		if err := a.follow(ctx); err != nil {
			return err
		}
	}
	if a.index == nil {
		return nil
	}
	last, err := a.index.LastSeq(ctx)
	if err != nil {
		return err
	}
	last = max(last, a.indexedSeq)
	if last >= upto {
		return nil
	}
	return a.indexFrom(ctx, last)
}

// follow applies the journal entries after the catalog's, as far as the
// journal goes, to the catalog and to the caches of accounts, plans,
// customers, paper originals and jobs, in order. The caches go first: an entry the catalog has
// applied is never followed again. a.syncMu is held.
func (a *Archive) follow(ctx context.Context) error {
	for e, err := range a.journal.Since(ctx, a.catalog.head()) {
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
	case strings.HasPrefix(c.Key, PaperPrefix):
		_, err = a.paper.follow(ctx, a, c)
	case strings.HasPrefix(c.Key, ScansPrefix):
		_, err = a.scans.follow(ctx, a, c)
	case strings.HasPrefix(c.Key, JobsPrefix):
		_, err = a.jobs.follow(ctx, a, c)
	default:
		err = a.disposition.follow(ctx, c)
	}
	return err
}

// maxGroup is the most documents one Apply of the index takes; Apply
// splits them further into Bleve batches (index.MaxBatch).
const maxGroup = 2000

// indexFrom applies the journal entries after last to the index, as far
// as the journal goes, a group of entries to one Apply with the sequence of
// its last entry. a.syncMu is held.
func (a *Archive) indexFrom(ctx context.Context, last uint64) error {
	g := newIndexGroup()
	for e, err := range a.journal.Since(ctx, last) {
		if err != nil {
			return err
		}
		if err := a.entryDocs(ctx, e, g); err != nil {
			return fmt.Errorf("index entry %d: %w", e.Seq, err)
		}
		if len(g.docs) >= maxGroup {
			if err := a.applyGroup(ctx, g); err != nil {
				return err
			}
			g = newIndexGroup()
		}
	}
	return a.applyGroup(ctx, g)
}

// indexGroup is the documents of consecutive journal entries on their way
// to one Apply: the latest of each record.
type indexGroup struct {
	seq     uint64 // of the last entry
	docs    []IndexDoc
	at      map[RecordID]int // the position of each record in docs
	entries []Entry
	deleted []RecordID // records a destruction began on: out of the index
}

func newIndexGroup() *indexGroup { return &indexGroup{at: map[RecordID]int{}} }

// add puts d in the group, in place of an earlier version of its record.
func (g *indexGroup) add(d IndexDoc) {
	if i, ok := g.at[d.Record.ID]; ok {
		g.docs[i] = d
		return
	}
	g.at[d.Record.ID] = len(g.docs)
	g.docs = append(g.docs, d)
}

// applyGroup applies g to the index. A group that indexes nothing (the
// access log's entries, users, plans) costs the index nothing: only this
// process notes that it is done, and after a restart the index reads past
// it again.
func (a *Archive) applyGroup(ctx context.Context, g *indexGroup) error {
	if g.seq == 0 {
		return nil
	}
	if len(g.deleted) > 0 {
		g.docs = slices.DeleteFunc(g.docs, func(d IndexDoc) bool { return slices.Contains(g.deleted, d.Record.ID) })
	}
	if len(g.docs) > 0 || len(g.deleted) > 0 {
		if err := a.index.Apply(ctx, g.seq, g.docs, g.deleted); err != nil {
			return err
		}
	}
	a.indexedSeq = g.seq
	for _, e := range g.entries {
		a.forgetFresh(e)
	}
	return nil
}

// entryDocs adds to g the records that entry e wrote, and the records of
// any customer it changed, whose attributes they are indexed with, and
// the records whose files' text it wrote or whose data key it destroyed
// (with the key goes the text of their files).
func (a *Archive) entryDocs(ctx context.Context, e Entry, g *indexGroup) error {
	g.seq, g.entries = e.Seq, append(g.entries, e)
	for _, c := range e.Changes {
		if id, ok := destroyedRecord(c); ok {
			g.deleted = append(g.deleted, id)
			continue
		}
		if err := a.dispositionDocs(ctx, c, g); err != nil {
			return err
		}
		if !c.Wrote() {
			continue
		}
		var err error
		if rid, ok := recordOfText(c.Key); ok {
			err = a.currentDoc(ctx, rid, g)
		} else {
			err = a.versionDocs(ctx, c, g)
		}
		if err != nil {
			if skipDamaged(a.log, e.Seq, c, err) != nil {
				return err
			}
		}
	}
	return nil
}

// versionDocs adds to g what the new version c of a record or customer
// changes in the index.
func (a *Archive) versionDocs(ctx context.Context, c Change, g *indexGroup) error {
	prefix, id, version, ok := ParseVersionKey(c.Key)
	switch {
	case !ok:
		return nil
	case prefix == CustomersPrefix && version > 1:
		return a.customerDocs(ctx, CustomerID(id), g)
	case prefix == RecordsPrefix:
		r, err := a.freshRecord(ctx, c)
		if err != nil {
			return err
		}
		d, err := a.indexDoc(ctx, r, a.customer(r.CustomerID))
		if err == nil {
			g.add(d)
		}
		return err
	}
	return nil
}

// recordOfText returns the record whose index document changes when key
// is written: a part of the text of one of its files, or the mark of its
// destroyed data key.
func recordOfText(key string) (RecordID, bool) {
	if rid, _, _, ok := parseAttachmentTextKey(key); ok {
		return rid, true
	}
	rest, ok := strings.CutPrefix(key, DataKeysPrefix+"records/")
	id, ok2 := strings.CutSuffix(rest, "/"+destroyedMark)
	return RecordID(id), ok && ok2 && ValidID(id)
}

// currentDoc adds to g the current version of record rid, unless g holds
// it already (from the same or a later entry: the current one).
func (a *Archive) currentDoc(ctx context.Context, rid RecordID, g *indexGroup) error {
	if _, ok := g.at[rid]; ok {
		return nil
	}
	r, err := a.loadRecord(ctx, "index", rid)
	if IsKind(err, NotFound) { // destroyed, with the text of its files
		return nil
	}
	if err != nil {
		return err
	}
	d, err := a.indexDoc(ctx, r, a.customer(r.CustomerID))
	if err == nil {
		g.add(d)
	}
	return err
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

// customerDocs adds to g the current version of every indexed record of
// customer id, so that a change of the customer's type, area or country
// reaches them.
func (a *Archive) customerDocs(ctx context.Context, id CustomerID, g *indexGroup) error {
	cu := a.customer(id)
	if cu == nil {
		return nil
	}
	q := SearchQuery{CustomerID: cu.ID, Sort: SortVisitStart, Size: MaxPageSize, NoFacets: true}
	for q.Page = 1; ; q.Page++ {
		res, err := a.index.Search(ctx, q)
		if err != nil {
			return err
		}
		recs, err := a.loadStored(ctx, res.Hits)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if _, ok := g.at[r.ID]; ok { // one in the group is newer
				continue
			}
			d, err := a.indexDoc(ctx, r, cu)
			if err != nil {
				return err
			}
			g.add(d)
		}
		if len(res.Hits) < q.Size {
			return nil
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
	if err := a.follow(ctx); err != nil {
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

// reindexTextParts is how many parts of files' text (each up to
// maxTextPart) one rebuild batch reads at most, so that a batch of
// records with long files does not hold gigabytes of text.
const reindexTextParts = 16

// readBatches reads the records of es in batches and sends them; it
// closes out when done. A batch ends at reindexBatch records or
// reindexTextParts parts of their files' text.
func (a *Archive) readBatches(ctx context.Context, es []catEntry, out chan<- []IndexDoc) error {
	defer close(out)
	start, parts := 0, 0
	for i, e := range es {
		parts += a.textPartsOf(recordOfKey(e.key))
		if i+1-start < reindexBatch && parts < reindexTextParts && i+1 < len(es) {
			continue
		}
		if err := a.readBatch(ctx, es[start:i+1], out); err != nil {
			return err
		}
		start, parts = i+1, 0
	}
	return nil
}

// readBatch reads the records of es, with their files' text, in parallel
// and sends them as one batch.
func (a *Archive) readBatch(ctx context.Context, es []catEntry, out chan<- []IndexDoc) error {
	docs := make([]IndexDoc, len(es))
	if err := parallel(ctx, len(es), func(i int) error {
		var r storedRecord
		err := readSealed(ctx, a.store, es[i].key, es[i].sum, &r)
		if err == nil {
			docs[i], err = a.indexDoc(ctx, &r, a.customer(r.CustomerID))
		}
		return err
	}); err != nil {
		return err
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
