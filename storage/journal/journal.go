package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"sync"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// DefaultCheckpointEvery is how many entries lie between two checkpoints.
const DefaultCheckpointEvery = 1000

// maxChanges caps the changes in one group-committed entry.
const maxChanges = 5000

// The newest entries are kept in memory, so that the index following
// right behind the appender does not read them back: at most cacheSize
// entries holding at most cacheChanges changes between them (an import
// entry holds two thousand), and always the newest entry. Unbounded by
// changes, the entries of one import of 100,000 records held 70 MB.
const (
	cacheSize    = 256
	cacheChanges = 8192
)

// Journal is the hash-chained journal over a store. It is safe for
// concurrent use, and several Journals (processes, replicas) may append to
// one store.
type Journal struct {
	store      va.Store
	log        *slog.Logger
	now        func() time.Time
	checkEvery uint64

	mu      sync.Mutex
	head    va.Entry // the last entry known; Seq 0 when empty
	pinned  uint64   // the last entry a checkpoint is known to pin
	pending []*waiter
	writing bool
	recent  map[uint64]va.Entry // seqs oldest to head.Seq, consecutive
	oldest  uint64
	changes int // in recent
}

type waiter struct {
	changes []va.Change
	done    chan result
}

type result struct {
	seq uint64
	err error
}

// Option configures a Journal.
type Option func(*Journal)

// WithClock sets the clock that stamps entries.
func WithClock(now func() time.Time) Option { return func(j *Journal) { j.now = now } }

// WithCheckpointEvery sets how many entries lie between two checkpoints.
func WithCheckpointEvery(n uint64) Option { return func(j *Journal) { j.checkEvery = max(n, 1) } }

// Open finds the head of the journal in store.
func Open(ctx context.Context, store va.Store, log *slog.Logger, opts ...Option) (*Journal, error) {
	j := &Journal{store: store, log: log, now: time.Now, checkEvery: DefaultCheckpointEvery, recent: map[uint64]va.Entry{}}
	for _, o := range opts {
		o(j)
	}
	if err := j.loadHead(ctx); err != nil {
		return nil, err
	}
	return j, nil
}

// loadHead starts from the last checkpoint, if any, and follows the entries
// after it to the end.
func (j *Journal) loadHead(ctx context.Context) error {
	var last va.ObjectInfo
	for info, err := range j.store.List(ctx, CheckpointPrefix, "") {
		if err != nil {
			return fmt.Errorf("journal: list checkpoints: %w", err)
		}
		last = info
	}
	if seq, ok := seqOf(last.Key, CheckpointPrefix); ok {
		e, err := j.read(ctx, EntryKey(seq))
		if err != nil {
			return fmt.Errorf("journal: read checkpointed entry %d: %w", seq, err)
		}
		j.head, j.pinned = e, seq
	}
	return j.advance(ctx)
}

// advance moves j.head past entries other writers appended. j.mu is held or
// j is not yet shared.
func (j *Journal) advance(ctx context.Context) error {
	for info, err := range j.store.List(ctx, EntryPrefix, EntryKey(j.head.Seq)) {
		if err != nil {
			return fmt.Errorf("journal: list entries: %w", err)
		}
		e, err := j.read(ctx, info.Key)
		if err != nil {
			return err
		}
		if e.Seq != j.head.Seq+1 || e.Prev != j.head.Hash {
			return va.E("journal.open", va.Integrity, nil,
				"journal entry %s does not follow entry %d; run verify", info.Key, j.head.Seq)
		}
		j.remember(e)
		j.head = e
	}
	return nil
}

func (j *Journal) read(ctx context.Context, key string) (va.Entry, error) {
	rc, _, err := j.store.Get(ctx, key)
	if err != nil {
		return va.Entry{}, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return va.Entry{}, fmt.Errorf("journal: read %s: %w", key, err)
	}
	var e va.Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return va.Entry{}, va.E("journal.read", va.Integrity, err, "journal entry %s is not valid JSON", key)
	}
	return e, nil
}

// Head returns the sequence number of the last entry, including those that
// other writers appended since this Journal last looked.
func (j *Journal) Head(ctx context.Context) (uint64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.advance(ctx); err != nil {
		return 0, err
	}
	return j.head.Seq, nil
}

// Append records changes and returns once they are durable. Changes that
// arrive while another Append is writing are committed together in the
// next entry; the caller that finds no write in flight does the writing.
func (j *Journal) Append(ctx context.Context, changes ...va.Change) (uint64, error) {
	if len(changes) == 0 {
		return 0, va.E("journal.append", va.Internal, nil, "no changes to append")
	}
	w := &waiter{changes: changes, done: make(chan result, 1)}
	j.mu.Lock()
	j.pending = append(j.pending, w)
	lead := !j.writing
	j.writing = true
	j.mu.Unlock()
	if lead {
		// The write must not die with the leader's request: it carries
		// other callers' changes too.
		go j.drain(context.WithoutCancel(ctx))
	}
	select {
	case r := <-w.done:
		return r.seq, r.err
	case <-ctx.Done():
		return 0, va.E("journal.append", va.Unavailable, ctx.Err(), "the journal did not confirm the change in time; it may still be recorded")
	}
}

// drain writes entries until nothing is pending.
func (j *Journal) drain(ctx context.Context) {
	for {
		j.mu.Lock()
		batch := takeBatch(&j.pending)
		if len(batch) == 0 {
			j.writing = false
			j.mu.Unlock()
			return
		}
		j.mu.Unlock()
		var changes []va.Change
		for _, w := range batch {
			changes = append(changes, w.changes...)
		}
		seq, err := j.write(ctx, changes)
		for _, w := range batch {
			w.done <- result{seq, err}
		}
	}
}

// takeBatch removes waiters from the front of pending up to maxChanges
// changes (at least one waiter).
func takeBatch(pending *[]*waiter) []*waiter {
	n, total := 0, 0
	for n < len(*pending) && (n == 0 || total+len((*pending)[n].changes) <= maxChanges) {
		total += len((*pending)[n].changes)
		n++
	}
	batch := (*pending)[:n:n]
	*pending = (*pending)[n:]
	return batch
}

// write appends one entry, retrying on the next sequence number when another
// writer took this one.
func (j *Journal) write(ctx context.Context, changes []va.Change) (uint64, error) {
	for attempt := 0; attempt < 100; attempt++ {
		j.mu.Lock()
		prev := j.head
		j.mu.Unlock()
		e := va.Entry{Seq: prev.Seq + 1, Time: j.now().UTC(), Changes: changes, Prev: prev.Hash}
		e.Hash = Hash(e)
		b := encode(e)
		_, err := j.store.Put(ctx, EntryKey(e.Seq), bytes.NewReader(b), int64(len(b)))
		if va.IsKind(err, va.Conflict) {
			j.mu.Lock()
			err = j.advance(ctx)
			j.mu.Unlock()
			if err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("journal: append entry %d: %w", e.Seq, err)
		}
		j.mu.Lock()
		j.remember(e)
		j.head = e
		j.mu.Unlock()
		if e.Seq%j.checkEvery == 0 {
			j.checkpoint(ctx, e)
		}
		return e.Seq, nil
	}
	return 0, va.E("journal.append", va.Unavailable, nil, "the journal is too busy: other writers took 100 sequence numbers in a row")
}

// checkpoint pins entry e, logging a failure: the chain is intact
// without it, Verify only loses a pin.
func (j *Journal) checkpoint(ctx context.Context, e va.Entry) {
	if err := j.pin(ctx, e); err != nil {
		j.log.Warn("journal checkpoint not written", "seq", e.Seq, "err", err)
	}
}

func (j *Journal) pin(ctx context.Context, e va.Entry) error {
	b := encode(Checkpoint{Seq: e.Seq, Hash: e.Hash})
	if _, err := j.store.Put(ctx, CheckpointKey(e.Seq), bytes.NewReader(b), int64(len(b))); err != nil && !va.IsKind(err, va.Conflict) {
		return fmt.Errorf("journal: checkpoint entry %d: %w", e.Seq, err)
	}
	j.mu.Lock()
	j.pinned = max(j.pinned, e.Seq)
	j.mu.Unlock()
	return nil
}

// Checkpoint pins the head this Journal knows, unless a checkpoint pins it
// already. The server calls it every minute and every command when it
// ends, so that Verify can prove that nothing was cut from the journal's
// end before then.
func (j *Journal) Checkpoint(ctx context.Context) error {
	j.mu.Lock()
	head, pinned := j.head, j.pinned
	j.mu.Unlock()
	if head.Seq == 0 || head.Seq <= pinned {
		return nil
	}
	return j.pin(ctx, head)
}

// remember keeps e, the entry after the newest one kept, in the cache of
// recent entries, and forgets the oldest ones beyond its bounds. j.mu is
// held.
func (j *Journal) remember(e va.Entry) {
	if _, ok := j.recent[e.Seq-1]; !ok {
		clear(j.recent) // not the next one: start again from e
		j.oldest, j.changes = e.Seq, 0
	}
	j.recent[e.Seq] = e
	j.changes += len(e.Changes)
	for j.oldest < e.Seq && (len(j.recent) > cacheSize || j.changes > cacheChanges) {
		j.changes -= len(j.recent[j.oldest].Changes)
		delete(j.recent, j.oldest)
		j.oldest++
	}
}

// Since yields the entries after seq after, in order, up to the head this
// Journal knew when Since was called: its own appends, and those of other
// writers that Head or an append of its own has found. The newest come
// from memory; the store is listed only for older ones.
func (j *Journal) Since(ctx context.Context, after uint64) iter.Seq2[va.Entry, error] {
	return func(yield func(va.Entry, error) bool) {
		j.mu.Lock()
		head := j.head.Seq
		j.mu.Unlock()
		for seq := after + 1; seq <= head; seq++ {
			j.mu.Lock()
			e, ok := j.recent[seq]
			j.mu.Unlock()
			if !ok {
				j.listFrom(ctx, seq-1, head, yield)
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// listFrom yields the entries after seq up to head from the store.
func (j *Journal) listFrom(ctx context.Context, seq, head uint64, yield func(va.Entry, error) bool) {
	want := seq + 1
	for info, err := range j.store.List(ctx, EntryPrefix, EntryKey(seq)) {
		if err != nil {
			yield(va.Entry{}, fmt.Errorf("journal: list entries: %w", err))
			return
		}
		e, err := j.read(ctx, info.Key)
		if err == nil && e.Seq != want {
			err = va.E("journal.since", va.Integrity, nil, "journal entry %s holds seq %d, want %d; run verify", info.Key, e.Seq, want)
		}
		if !yield(e, err) || err != nil || e.Seq >= head {
			return
		}
		want++
	}
}
