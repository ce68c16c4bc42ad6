package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index"
	"github.com/visitarchive/visitarchive/storage/keyring"
	"github.com/visitarchive/visitarchive/storage/s3"
)

// The shape of the floor's import, that of Archive.Import: lines per
// batch, and PUTs in flight while a batch is written.
const (
	floorBatch   = 1000 // visitarchive's importBatch
	floorPutters = 16   // visitarchive's workers
)

// floor is phase d: what Bleve and MinIO cost together on this machine,
// without our layers. On a fresh MinIO it imports the corpus as
// Archive.Import does, in batches of 1,000 lines: it writes the objects
// of a batch through the S3 backend alone (storage/s3: one create-only
// PUT each, as the import's), then hands the batch to Bleve alone, which
// indexes it (as phase bleve does) while the next batch is written. The
// objects are each customer and record (its corpus line, at the key the
// import uses) and, for each with contact details, a data key of the size
// the import writes. No validation, sealing, journal or Archive.
func (p *phase) floor(ctx context.Context) error {
	st, err := s3.Open(ctx, p.s3Config("visitarchive-bench-floor"))
	if err != nil {
		return err
	}
	keyBody, err := wrappedKeyBody(filepath.Join(p.dir, "keyring.json"))
	if err != nil {
		return err
	}
	dir := filepath.Join(p.dir, "index")
	bi, err := bleve.NewUsing(dir, index.NewMapping(), scorch.Name, bleve.Config.DefaultKVStore, nil)
	if err != nil {
		return err
	}
	pt := &putter{st: st, keyBody: keyBody}
	if err := p.floorImport(ctx, pt, bi); err != nil {
		bi.Close()
		return err
	}
	n, err := bi.DocCount()
	if cerr := bi.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if int(n) != p.meta.Records {
		return fmt.Errorf("bleve holds %d documents, want %d", n, p.meta.Records)
	}
	p.res.IndexBytes = dirSize(dir)
	return nil
}

// floorImport writes and indexes the corpus, timed as the import is:
// decoding included.
func (p *phase) floorImport(ctx context.Context, pt *putter, bi bleve.Index) error {
	cs, err := p.startCorpusStep("index", "import", int64(p.meta.Records))
	if err != nil {
		return err
	}
	defer cs.close()
	batches := make(chan []*importLine, 1)
	indexed := make(chan error, 1)
	go func() { indexed <- indexBatches(bi, batches, &cs.done) }()
	err = pt.writeAll(ctx, cs.f, batches)
	if ierr := <-indexed; err == nil {
		err = ierr
	}
	if err != nil {
		return err
	}
	took := time.Since(cs.start)
	p.res.IndexSeconds = took.Seconds()
	p.res.IndexRate = float64(p.meta.Records) / took.Seconds()
	p.logf("wrote and indexed %d records in %s: %.0f records/s", p.meta.Records, took.Round(time.Millisecond), p.res.IndexRate)
	return nil
}

// indexBatches indexes the records of each batch with Bleve alone. After
// an error it still drains batches, so that the writer never blocks.
func indexBatches(bi bleve.Index, batches <-chan []*importLine, done *atomic.Int64) error {
	x := &bleveIndexer{bi: bi, b: bi.NewBatch(), customers: map[va.CustomerID]*va.Customer{}, done: done}
	var first error
	for batch := range batches {
		for _, l := range batch {
			if first == nil {
				first = x.add(l)
			}
		}
	}
	if first == nil {
		first = x.flush()
	}
	return first
}

// wrappedKeyBody is the stored form of one data key, wrapped by a fresh
// master key in a key file at path: the floor writes it for every data
// key, so that its objects have the size of the import's.
func wrappedKeyBody(path string) ([]byte, error) {
	keys, err := keyring.Init(path, time.Now())
	if err != nil {
		return nil, err
	}
	_, w, err := keys.NewDataKey()
	if err != nil {
		return nil, err
	}
	return json.Marshal(w)
}

// putter writes the floor's objects to the store.
type putter struct {
	st      *s3.Store
	keyBody []byte // every data key object
}

type floorObject struct {
	key  string
	body []byte
}

// writeAll reads the corpus from r and writes it batch by batch, handing
// each written batch to batches, which it closes at the end.
func (pt *putter) writeAll(ctx context.Context, r io.Reader, batches chan<- []*importLine) error {
	defer close(batches)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var lines []*importLine
	var objs []floorObject
	flush := func() error {
		if err := pt.putAll(ctx, objs); err != nil {
			return err
		}
		batches <- lines
		lines, objs = nil, nil
		return nil
	}
	for sc.Scan() {
		l := new(importLine)
		if err := json.Unmarshal(sc.Bytes(), l); err != nil {
			return err
		}
		lines, objs = append(lines, l), pt.objects(objs, l, bytes.Clone(sc.Bytes()))
		if len(lines) == floorBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush()
}

// objects appends the objects the import writes for line l, whose JSON
// is data.
func (pt *putter) objects(objs []floorObject, l *importLine, data []byte) []floorObject {
	if c := l.Customer; c != nil {
		if len(c.Contacts) > 0 {
			objs = append(objs, floorObject{va.CustomerDataKeyPrefix(c.ID) + "0000000001.json", pt.keyBody})
		}
		return append(objs, floorObject{va.CustomerKey(c.ID, 1), data})
	}
	r := l.Record
	if r.ContactPhone != "" || r.ContactEmail != "" { // va.DefaultSensitiveFields
		objs = append(objs, floorObject{va.RecordDataKeyPrefix(r.ID) + "0000000001.json", pt.keyBody})
	}
	return append(objs, floorObject{va.RecordKey(r.ID, 1), data})
}

// putAll puts objs through the store, floorPutters at a time.
func (pt *putter) putAll(ctx context.Context, objs []floorObject) error {
	next := make(chan floorObject)
	errs := make(chan error, floorPutters)
	var wg sync.WaitGroup
	for range floorPutters {
		wg.Go(func() {
			var first error
			for o := range next {
				if first == nil {
					_, first = pt.st.Put(ctx, o.key, bytes.NewReader(o.body), int64(len(o.body)))
				}
			}
			errs <- first
		})
	}
	for _, o := range objs {
		next <- o
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
	}
	return nil
}
