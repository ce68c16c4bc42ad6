package index

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/visitarchive/visitarchive"
)

// Keys of the values Bleve keeps for us beside the documents.
var (
	keySchema  = []byte("visitarchive_schema_version")
	keyLastSeq = []byte("visitarchive_last_seq")
)

// boltTimeout is how long Open waits for the lock of an index that another
// process holds. Without it Bleve waits for ever.
const boltTimeout = time.Second

// Index is the Bleve index of visit records in one directory. It
// implements visitarchive.Index and is safe for concurrent use.
type Index struct {
	bi  bleve.Index
	dir string

	closeOnce sync.Once
	closeErr  error
}

var _ visitarchive.Index = (*Index)(nil)

// Open opens the index in dir, creating it when dir does not exist or is
// empty. An index written under another SchemaVersion, or one that Bleve
// cannot read, is deleted and created again empty (LastSeq 0): the caller
// rebuilds it from the store. An index that another process has open is
// Unavailable after about a second; a directory that holds something other
// than an index is Unavailable too, and left alone.
func Open(dir string, log *slog.Logger) (*Index, error) {
	return open(dir, log, SchemaVersion)
}

// open is Open with the schema version as a parameter, so that tests can
// play a newer release.
func open(dir string, log *slog.Logger, version int) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bi, err := openOrCreate(dir, log, version)
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
		if bi, err = recreate(dir, version); err != nil {
			return nil, err
		}
	}
	return &Index{bi: bi, dir: dir}, nil
}

func openOrCreate(dir string, log *slog.Logger, version int) (bleve.Index, error) {
	bi, err := bleve.OpenUsing(dir, runtimeConfig())
	switch {
	case err == nil:
		return bi, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, visitarchive.E("index.open", visitarchive.Unavailable, err,
			"the index in %s is in use by another process", dir)
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist),
		errors.Is(err, bleve.ErrorIndexMetaMissing) && isEmptyDir(dir):
		return create(dir, version)
	case errors.Is(err, bleve.ErrorIndexMetaMissing):
		return nil, visitarchive.E("index.open", visitarchive.Unavailable, err,
			"%s is not a search index; remove it or choose another directory", dir)
	default:
		log.Warn("index unreadable; rebuilding", "dir", dir, "err", err)
		return recreate(dir, version)
	}
}

func create(dir string, version int) (bleve.Index, error) {
	bi, err := bleve.NewUsing(dir, NewMapping(), scorch.Name, bleve.Config.DefaultKVStore, runtimeConfig())
	if err != nil {
		return nil, visitarchive.E("index.create", visitarchive.Unavailable, err,
			"cannot create the index in %s", dir)
	}
	// Written after the mapping: an index whose creation was cut short has
	// no version and is rebuilt by the next Open.
	if err := bi.SetInternal(keySchema, []byte(strconv.Itoa(version))); err != nil {
		_ = bi.Close()
		return nil, unavailable("index.create", err)
	}
	return bi, nil
}

func recreate(dir string, version int) (bleve.Index, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, visitarchive.E("index.create", visitarchive.Unavailable, err,
			"cannot remove the old index in %s", dir)
	}
	return create(dir, version)
}

// runtimeConfig is new each time: Bleve writes into it.
func runtimeConfig() map[string]any {
	return map[string]any{"bolt_timeout": boltTimeout.String()}
}

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
		if err := ix.bi.Close(); err != nil {
			ix.closeErr = unavailable("index.close", err)
		}
	})
	return ix.closeErr
}

// Apply indexes docs (replacing any earlier version of each record) and
// removes deleted, and records seq as the last sequence applied, all in
// one Bleve batch: after a crash either all of it is there or none. A
// record in both docs and deleted ends up deleted. seq is recorded as
// given, even when lower than the last: a replay from an earlier sequence
// is then replayed again after a crash rather than skipped. A doc without
// a record ID is Invalid and nothing is applied.
func (ix *Index) Apply(ctx context.Context, seq uint64, docs []visitarchive.IndexDoc, deleted []visitarchive.RecordID) error {
	const op = "index.apply"
	if err := ctx.Err(); err != nil {
		return unavailable(op, err)
	}
	b := ix.bi.NewBatch()
	for i, d := range docs {
		if d.Record == nil || d.Record.ID == "" {
			return visitarchive.E(op, visitarchive.Invalid, nil, "document %d has no record id", i)
		}
		if err := b.Index(string(d.Record.ID), Document(d)); err != nil {
			return visitarchive.E(op, visitarchive.Internal, err, "cannot index record %s", d.Record.ID)
		}
	}
	for _, id := range deleted {
		b.Delete(string(id))
	}
	b.SetInternal(keyLastSeq, binary.BigEndian.AppendUint64(nil, seq))
	if err := ix.bi.Batch(b); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// LastSeq returns the seq of the last Apply, or 0 for a new index.
func (ix *Index) LastSeq(ctx context.Context) (uint64, error) {
	v, err := ix.bi.GetInternal(keyLastSeq)
	switch {
	case err != nil:
		return 0, unavailable("index.last_seq", err)
	case v == nil:
		return 0, nil
	case len(v) != 8:
		return 0, visitarchive.E("index.last_seq", visitarchive.Unavailable, nil,
			"the index is damaged (last sequence of %d bytes); rebuild it", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// Count returns the number of indexed records.
func (ix *Index) Count(ctx context.Context) (uint64, error) {
	n, err := ix.bi.DocCount()
	if err != nil {
		return 0, unavailable("index.count", err)
	}
	return n, nil
}

// unavailable wraps a failure of Bleve itself: the index is closed,
// damaged, or the caller gave up waiting.
func unavailable(op string, err error) error {
	msg := "the search index is unavailable"
	switch {
	case errors.Is(err, bleve.ErrorIndexClosed):
		msg = "the search index is closed"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		msg = "the search was cancelled or timed out"
	}
	return visitarchive.E(op, visitarchive.Unavailable, err, "%s", msg)
}

func itoa(i int) string { return strconv.Itoa(i) }
