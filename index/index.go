package index

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/visitarchive/visitarchive"
)

// Keys of the values Bleve keeps for us beside the documents.
var (
	keySchema  = []byte("visitarchive_schema_version")
	keyLastSeq = []byte("visitarchive_last_seq")
	keyPersist = []byte("visitarchive_persist") // see persist
)

// boltTimeout is how long Open waits for the lock of an index that another
// process holds. Without it Bleve waits for ever.
const boltTimeout = time.Second

// shardCount is how many Bleve indexes hold the records, split by a hash
// of the record id and searched together through an alias, so that one
// search (and one batch) uses every core. Shard 0 is the index directory
// itself and also holds the schema version; shard N > 0 is its
// subdirectory shardN. Every shard holds the last journal sequence it
// applied (see LastSeq).
const shardCount = 2

// Index is the Bleve index of visit records in one directory. It
// implements visitarchive.Index and is safe for concurrent use.
type Index struct {
	shards []bleve.Index    // shard 0 first
	bi     bleve.IndexAlias // every shard, for searches
	tables []tableCache     // by shard: see tables.go
	dir    string

	warmMu    sync.Mutex
	warmTimer *time.Timer  // see scheduleWarm
	warming   sync.RWMutex // held by warm, taken by Close

	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool // the alias does not say so itself

	// files is set once any shard holds text of files, which searches
	// then look in (see textQueries).
	files atomic.Bool

	searches searchGate // see yield.go
	metrics  *applyMetrics
	turn     atomic.Uint64 // the shard of the next group: see homes
	applyMu  sync.Mutex    // held by Apply, and by Close once closed is set
}

// shardDir is the directory of shard i of the index in dir.
func shardDir(dir string, i int) string {
	if i == 0 {
		return dir
	}
	return filepath.Join(dir, "shard"+strconv.Itoa(i))
}

// shardOf returns the shard that an Apply of many documents puts record
// id in.
func shardOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % shardCount)
}

// groupDocs is the most documents an Apply puts in one shard together.
const groupDocs = 64

// homes returns the shard each of docs goes to. A record that a shard
// holds stays there, so that replacing it is one change of one shard,
// which a search sees whole. A new record goes, in an Apply of a few (a
// group of interactive writes), to the shard of the group, the shards
// taking turns; in one of many (an import, a rebuild), to shardOf, so
// that every core builds segments. Bleve's cost per batch is mostly
// fixed: fed batches of 8, a shard spends about a fifth of the CPU a
// record that it spends fed one at a time, so a group of 8 split over two
// shards cost it about half as much again as in one (docs/performance.md,
// Interactive writes, step 13). Docs without a record are left out.
func (ix *Index) homes(docs []visitarchive.IndexDoc) (map[string]int, error) {
	readers := make([]bindex.IndexReader, len(ix.shards))
	for i, s := range ix.shards {
		adv, err := s.Advanced()
		if err != nil {
			return nil, err
		}
		r, err := adv.Reader()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		readers[i] = r
	}
	group := -1
	if len(docs) <= groupDocs {
		group = int(ix.turn.Add(1) % uint64(len(ix.shards)))
	}
	home := make(map[string]int, len(docs))
	for _, d := range docs {
		if d.Record == nil {
			continue
		}
		id := string(d.Record.ID)
		home[id] = group
		if group < 0 {
			home[id] = shardOf(id)
		}
		for i, r := range readers {
			in, err := r.InternalID(id)
			if err != nil {
				return nil, err
			}
			if in != nil {
				home[id] = i
				break
			}
		}
	}
	return home, nil
}

var _ visitarchive.Index = (*Index)(nil)

// Open opens the index in dir, creating it when dir does not exist or is
// empty. An index written under another SchemaVersion, or one that Bleve
// cannot read, is deleted and created again empty (LastSeq 0): the caller
// rebuilds it from the store. An index that another process has open is
// Unavailable after about a second; a directory that holds something other
// than an index is Unavailable too, and left alone.
func Open(dir string, log *slog.Logger) (*Index, error) {
	return open(dir, log, SchemaVersion, RuntimeConfig)
}

// OpenForBulk is Open for a process that only indexes in bulk (an import,
// a rebuild): with Bleve's own merge options instead of those chosen for
// interactive writes (RuntimeConfig), under which an import of 100,000
// records peaked at 1,110 to 1,125 MB instead of about 690.
func OpenForBulk(dir string, log *slog.Logger) (*Index, error) {
	return open(dir, log, SchemaVersion, bulkConfig)
}

// open is Open with the schema version and the options as parameters, so
// that tests can play a newer release.
func open(dir string, log *slog.Logger, version int, cfg func() map[string]any) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sizeSegmentsByBatch()
	bi, err := openOrCreate(dir, log, version, cfg)
	if err != nil {
		return nil, err
	}
	old, err := bi.GetInternal(keySchema)
	if err != nil {
		_ = bi.Close()
		return nil, unavailable("index.open", err)
	}
	if want := strconv.Itoa(version); string(old) != want {
		log.Warn("index schema changed; rebuilding", "dir", dir,
			"old", orNone(string(old)), "new", want)
		_ = bi.Close()
		if bi, err = recreate(dir, version, cfg); err != nil {
			return nil, err
		}
	}
	shards := []bleve.Index{bi}
	for i := 1; i < shardCount; i++ {
		si, err := bleve.OpenUsing(shardDir(dir, i), cfg())
		if err != nil {
			closeAll(shards)
			if errors.Is(err, berrors.ErrTimeout) {
				return nil, visitarchive.E("index.open", visitarchive.Unavailable, err,
					"the index in %s is in use by another process", dir)
			}
			// Shard 0 says the index is whole; a shard missing or
			// unreadable says otherwise.
			log.Warn("index shard unreadable; rebuilding", "dir", dir, "shard", i, "err", err)
			if bi, err = recreate(dir, version, cfg); err != nil {
				return nil, err
			}
			_ = bi.Close()
			return open(dir, log, version, cfg)
		}
		shards = append(shards, si)
	}
	ix := &Index{shards: shards, bi: bleve.NewIndexAlias(shards...), metrics: newApplyMetrics(),
		tables: make([]tableCache, len(shards)), dir: dir}
	for _, s := range shards {
		has, err := hasTerms(s, fieldFiles)
		if err != nil {
			closeAll(shards)
			return nil, unavailable("index.open", err)
		}
		if has {
			ix.files.Store(true)
		}
	}
	return ix, nil
}

// hasTerms reports whether field holds any term in shard s.
func hasTerms(s bleve.Index, field string) (bool, error) {
	d, err := s.FieldDict(field)
	if err != nil {
		return false, err
	}
	defer d.Close()
	e, err := d.Next()
	return e != nil, err
}

func closeAll(shards []bleve.Index) {
	for _, s := range shards {
		_ = s.Close()
	}
}

func openOrCreate(dir string, log *slog.Logger, version int, cfg func() map[string]any) (bleve.Index, error) {
	bi, err := bleve.OpenUsing(dir, cfg())
	switch {
	case err == nil:
		return bi, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, visitarchive.E("index.open", visitarchive.Unavailable, err,
			"the index in %s is in use by another process", dir)
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist),
		errors.Is(err, bleve.ErrorIndexMetaMissing) && isEmptyDir(dir):
		return create(dir, version, cfg)
	case errors.Is(err, bleve.ErrorIndexMetaMissing):
		return nil, visitarchive.E("index.open", visitarchive.Unavailable, err,
			"%s is not a search index; remove it or choose another directory", dir)
	default:
		log.Warn("index unreadable; rebuilding", "dir", dir, "err", err)
		return recreate(dir, version, cfg)
	}
}

// create makes every shard of a new index in dir and returns shard 0.
func create(dir string, version int, cfg func() map[string]any) (bleve.Index, error) {
	var shards []bleve.Index
	for i := range shardCount {
		// Created writing every batch through, so that what creation
		// writes is on disk when it returns.
		si, err := bleve.NewUsing(shardDir(dir, i), NewMapping(), scorch.Name, bleve.Config.DefaultKVStore,
			map[string]any{"bolt_timeout": boltTimeout.String()})
		if err != nil {
			closeAll(shards)
			return nil, visitarchive.E("index.create", visitarchive.Unavailable, err,
				"cannot create the index in %s", dir)
		}
		shards = append(shards, si)
	}
	closeAll(shards[1:])
	bi := shards[0]
	// Written after every shard: an index whose creation was cut short has
	// no version and is rebuilt by the next Open.
	if err := bi.SetInternal(keySchema, []byte(strconv.Itoa(version))); err != nil {
		_ = bi.Close()
		return nil, unavailable("index.create", err)
	}
	if err := bi.Close(); err != nil {
		return nil, unavailable("index.create", err)
	}
	bi, err := bleve.OpenUsing(dir, cfg())
	if err != nil {
		return nil, unavailable("index.create", err)
	}
	return bi, nil
}

func recreate(dir string, version int, cfg func() map[string]any) (bleve.Index, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, visitarchive.E("index.create", visitarchive.Unavailable, err,
			"cannot remove the old index in %s", dir)
	}
	return create(dir, version, cfg)
}

// persistWait is how long Close waits for Bleve to write what it holds in
// memory; what it does not write is caught up from the journal at the
// next start.
const persistWait = 30 * time.Second

// persist waits until every shard has written to disk the batches it
// took so far: with unsafe_batch, closing a shard drops what it has not
// written yet.
func (ix *Index) persist() error {
	done := make(chan error, len(ix.shards))
	for _, s := range ix.shards {
		b := s.NewBatch()
		b.SetInternal(keyPersist, nil) // a change, so that the batch is written at all
		b.SetPersistedCallback(func(err error) { done <- err })
		if err := s.Batch(b); err != nil {
			return unavailable("index.close", err)
		}
	}
	timeout := time.After(persistWait)
	for range ix.shards {
		select {
		case err := <-done:
			if err != nil {
				return unavailable("index.close", err)
			}
		case <-timeout:
			return visitarchive.E("index.close", visitarchive.Unavailable, nil,
				"the index was not written to disk within %v; it catches up from the journal at the next start", persistWait)
		}
	}
	return nil
}

// RuntimeConfig is how every shard is opened (and the benchmark's Bleve
// alone, when it measures the floor of interactive writes); it is new
// each time, since Bleve writes into it. unsafe_batch lets a batch
// return once it is searchable, without waiting for Bleve to write it to
// disk: the journal, not the index, makes a change durable, and the last
// sequence each shard keeps is written with the same batch, so that after
// a crash the index holds a prefix of the journal and catches up from it.
//
// The merge and persister options are measured, not guessed (see
// docs/performance.md, "Interactive writes"): with Bleve's defaults every
// small write made a segment that the merger rewrote together with the
// large segments of earlier imports, 53% of a writing server's CPU.
func RuntimeConfig() map[string]any {
	cfg := bulkConfig()
	cfg["scorchMergePlanOptions"] = map[string]any{
		// Segments under this many records form the lowest tier of
		// the merge plan (Bleve: 2,000). With the default the small
		// segments of single writes were merged with the large ones
		// of earlier imports; at 20 they merge among themselves
		// first.
		"FloorSegmentSize": floorSegmentSize,
	}
	cfg["scorchPersisterOptions"] = map[string]any{
		// The persister waits this long before it writes what new
		// batches brought, so that it merges them in memory and
		// writes one segment instead of many (Bleve: 0). Batches do
		// not wait for it (unsafe_batch).
		"PersisterNapTimeMSec":      persisterNap.Milliseconds(),
		"PersisterNapUnderNumFiles": 1000,
	}
	return cfg
}

// bulkConfig is how OpenForBulk opens every shard, and what RuntimeConfig
// adds its merge and persister options to.
func bulkConfig() map[string]any {
	return map[string]any{"bolt_timeout": boltTimeout.String(), "unsafe_batch": true}
}

// The merge options RuntimeConfig sets; see there.
const (
	floorSegmentSize = 20
	persisterNap     = 1000 * time.Millisecond
)

func isEmptyDir(dir string) bool {
	ents, err := os.ReadDir(dir)
	return err == nil && len(ents) == 0
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Remove deletes the index in dir, so that the next Open starts empty.
// It refuses a directory that does not hold an index, and the index of
// a running process (which holds it open) must be closed first.
func Remove(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err != nil {
		return visitarchive.E("index.remove", visitarchive.Invalid, err,
			"%s does not hold a search index", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return visitarchive.E("index.remove", visitarchive.Unavailable, err,
			"cannot remove the index in %s", dir)
	}
	return nil
}

// Close closes the index; later calls return the first call's result.
// Every other method then fails with Unavailable.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() {
		ix.closed.Store(true)
		ix.warmMu.Lock()
		if ix.warmTimer != nil {
			ix.warmTimer.Stop()
		}
		ix.warmMu.Unlock()
		ix.warming.Lock() // a warm under way ends first
		defer ix.warming.Unlock()
		ix.applyMu.Lock() // and an Apply
		defer ix.applyMu.Unlock()
		errs := []error{ix.persist()}
		for _, s := range ix.shards {
			errs = append(errs, s.Close())
		}
		if err := errors.Join(errs...); err != nil {
			ix.closeErr = unavailable("index.close", err)
		}
	})
	return ix.closeErr
}

// Apply indexes docs (replacing any earlier version of each record) and
// removes deleted, in Bleve batches of at most MaxBatch per shard (and
// MaxBatchText of files' text), all shards at once; then it
// records seq as the last sequence applied. After a crash either seq is
// recorded and all of it is there, or seq is not and the caller applies
// the same entries again, which changes nothing that is already there. A
// record in both docs and deleted ends up deleted. seq is recorded as
// given, even when lower than the last: a replay from an earlier sequence
// is then replayed again after a crash rather than skipped. A doc without
// a record ID is Invalid and nothing is applied.
//
// Each doc goes to the shard homes names. Applies run one at a time, so
// that two never place the same new record in two shards.
func (ix *Index) Apply(ctx context.Context, seq uint64, docs []visitarchive.IndexDoc, deleted []visitarchive.RecordID) error {
	const op = "index.apply"
	if err := ctx.Err(); err != nil {
		return unavailable(op, err)
	}
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	if ix.closed.Load() { // Bleve's readers of a closed shard panic
		return unavailable(op, bleve.ErrorIndexClosed)
	}
	home, err := ix.homes(docs)
	if err != nil {
		return unavailable(op, err)
	}
	batches := make([][]*bleve.Batch, len(ix.shards))
	text := make([]int, len(ix.shards)) // bytes of files' text in each shard's last batch
	// add returns the batch of shard i with room for one more change,
	// which brings n bytes of files' text.
	add := func(i, n int) *bleve.Batch {
		b := batches[i]
		if len(b) == 0 || b[len(b)-1].Size() >= MaxBatch || text[i] > 0 && text[i]+n > MaxBatchText {
			batches[i], text[i] = append(b, ix.shards[i].NewBatch()), 0
		}
		text[i] += n
		return batches[i][len(batches[i])-1]
	}
	// last returns the last batch of shard i, for changes that cost Bleve
	// no analysis (deletions, the sequence): they never start a batch of
	// their own when one is there.
	last := func(i int) *bleve.Batch {
		if len(batches[i]) == 0 {
			return add(i, 0)
		}
		return batches[i][len(batches[i])-1]
	}
	for i, d := range docs {
		if d.Record == nil || d.Record.ID == "" {
			return visitarchive.E(op, visitarchive.Invalid, nil, "document %d has no record id", i)
		}
		id := string(d.Record.ID)
		n := filesSize(d.Files)
		if n > 0 {
			ix.files.Store(true)
		}
		if err := add(home[id], n).Index(id, Document(d)); err != nil {
			return visitarchive.E(op, visitarchive.Internal, err, "cannot index record %s", d.Record.ID)
		}
	}
	for _, id := range deleted {
		for i := range ix.shards {
			last(i).Delete(string(id))
		}
	}
	// Each shard's last batch records seq, so that a shard holds seq
	// exactly when it holds the changes up to it.
	for i := range ix.shards {
		last(i).SetInternal(keyLastSeq, binary.BigEndian.AppendUint64(nil, seq))
	}
	if len(docs) <= yieldDocs && len(docs) > 0 {
		ix.searches.wait(yieldMax)
	}
	start := time.Now()
	errs := make([]error, len(ix.shards))
	var wg sync.WaitGroup
	for i, s := range ix.shards {
		wg.Go(func() { errs[i] = applyBatches(s, batches[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return unavailable(op, err)
	}
	if len(docs) > 0 || len(deleted) > 0 {
		ix.metrics.observe(len(docs)+len(deleted), start)
		ix.scheduleWarm()
	}
	return nil
}

// MaxBatch is the most changes Apply hands Bleve in one batch; it splits
// larger ones. Bleve's memory grows with the batch: at 100,000 records,
// indexing in batches of 500 per shard peaked at 1,177 MB, and of 250 at
// 551 MB, for 20% more time.
const MaxBatch = 250

// MaxBatchText is the most text of files (IndexDoc.Files) one batch takes,
// beyond its first document: Bleve analyses a batch whole before it
// writes it, and a record's files may hold megabytes.
const MaxBatchText = 8 << 20

// filesSize is the bytes of text in files.
func filesSize(files []visitarchive.FileText) int {
	n := 0
	for _, f := range files {
		for _, p := range f.Pages {
			n += len(p)
		}
	}
	return n
}

// applyBatches applies the batches of one shard in order.
func applyBatches(s bleve.Index, bs []*bleve.Batch) error {
	for _, b := range bs {
		if err := s.Batch(b); err != nil {
			return err
		}
	}
	return nil
}

// search runs req on every shard. The alias answers a shard's failure
// with partial results and a count of failures; a search that is not
// whole is an error here.
func (ix *Index) search(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	if ix.closed.Load() {
		return nil, bleve.ErrorIndexClosed
	}
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	if res.Status != nil && res.Status.Failed > 0 {
		for _, err := range res.Status.Errors {
			return nil, err
		}
		return nil, errors.New("a shard of the index failed")
	}
	return res, nil
}

// LastSeq returns the journal sequence every shard has applied (the seq
// of the last Apply), or 0 for a new index. After a crash one shard may
// hold a later one than another; catching up from the smaller re-applies
// changes the other already holds, which leaves it as it was.
func (ix *Index) LastSeq(ctx context.Context) (uint64, error) {
	var last uint64
	for i, s := range ix.shards {
		seq, ok, err := lastSeqOf(s)
		switch {
		case err != nil:
			return 0, err
		case !ok && i > 0: // written before every shard kept its own
			continue
		case i == 0 || seq < last:
			last = seq
		}
	}
	return last, nil
}

// lastSeqOf reads the last sequence shard s applied; ok is false when it
// holds none.
func lastSeqOf(s bleve.Index) (seq uint64, ok bool, err error) {
	v, err := s.GetInternal(keyLastSeq)
	switch {
	case err != nil:
		return 0, false, unavailable("index.last_seq", err)
	case v == nil:
		return 0, false, nil
	case len(v) != 8:
		return 0, false, visitarchive.E("index.last_seq", visitarchive.Unavailable, nil,
			"the index is damaged (last sequence of %d bytes); rebuild it", len(v))
	}
	return binary.BigEndian.Uint64(v), true, nil
}

// Count returns the number of indexed records.
func (ix *Index) Count(ctx context.Context) (uint64, error) {
	if ix.closed.Load() {
		return 0, unavailable("index.count", bleve.ErrorIndexClosed)
	}
	n, err := ix.bi.DocCount()
	if err != nil {
		return 0, unavailable("index.count", err)
	}
	return n, nil
}

// unavailable wraps a failure of Bleve itself: the index is closed,
// damaged, or the caller gave up waiting.
func unavailable(op string, err error) error {
	switch {
	case errors.Is(err, bleve.ErrorIndexClosed):
		return visitarchive.E(op, visitarchive.Unavailable, err, "the search index is closed")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return visitarchive.E(op, visitarchive.Unavailable, err, "the search was cancelled or timed out")
	}
	return visitarchive.E(op, visitarchive.Unavailable, err, "the search index is unavailable")
}

func itoa(i int) string { return strconv.Itoa(i) }
