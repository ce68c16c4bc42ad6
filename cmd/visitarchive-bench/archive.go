package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index"
	"github.com/visitarchive/visitarchive/policy"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/keyring"
	"github.com/visitarchive/visitarchive/storage/s3"
)

// benchActor is recorded as the importer and the searcher.
const benchActor va.UserName = "bench"

// archive is phases b and c: the whole Archive on one backend, in three
// steps, each in a process of its own as the product's commands run:
// import of the corpus through store, journal and index (`visitarchive
// import`); the query set through Archive.Search on the index the import
// left (`visitarchive serve`); Archive.Reindex into a fresh, empty index
// (`visitarchive reindex`).
func (p *phase) archive(ctx context.Context) error {
	store, closeStore, err := p.openStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	j, err := journal.Open(ctx, store, p.log)
	if err != nil {
		return err
	}
	switch p.o.step {
	case "import":
		return p.importStep(ctx, store, j)
	case "search":
		return p.searchStep(ctx, store, j)
	case "backup":
		return p.backupStep(ctx, store, j)
	}
	if err := p.reindex(ctx, store, j); err != nil {
		return err
	}
	if p.o.phase == "disk" {
		p.res.StoreBytes = dirSize(filepath.Join(p.dir, "store"))
	}
	return nil
}

// openStore opens the phase's backend, empty.
func (p *phase) openStore(ctx context.Context) (va.Store, func(), error) {
	if p.o.phase == "disk" {
		st, err := disk.Open(filepath.Join(p.dir, "store"))
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	cfg := p.s3Config("visitarchive-bench")
	if cfg.Endpoint == "" {
		return nil, nil, fmt.Errorf("no MinIO endpoint in %s", envS3Endpoint)
	}
	st, err := s3.Open(ctx, cfg)
	return st, func() {}, err
}

// s3Config is the configuration of the phase's MinIO with bucket: object
// lock, as `visitarchive serve --s3-create-bucket` makes it.
func (p *phase) s3Config(bucket string) s3.Config {
	return s3.Config{
		Endpoint:      os.Getenv(envS3Endpoint),
		AccessKey:     os.Getenv(envS3AccessKey),
		SecretKey:     os.Getenv(envS3SecretKey),
		Bucket:        bucket,
		CreateBucket:  true,
		ObjectLocking: true,
		TempDir:       p.dir,
	}
}

func (p *phase) openArchive(ctx context.Context, store va.Store, j va.Journal, dir string, bulk bool) (*va.Archive, *index.Index, error) {
	// The import and the rebuild open the index as their commands do.
	open := index.Open
	if bulk {
		open = index.OpenForBulk
	}
	ix, err := open(filepath.Join(p.dir, dir), p.log)
	if err != nil {
		return nil, nil, err
	}
	// The Archive sees timed wrappers; the journal writes through the bare
	// store, so that its puts count as journal time, not store time.
	keys, err := keyring.Load(filepath.Join(p.dir, "keyring.json"))
	if va.IsKind(err, va.NotFound) {
		keys, err = keyring.Init(filepath.Join(p.dir, "keyring.json"), time.Now())
	}
	if err != nil {
		return nil, nil, err
	}
	pol, err := policy.New()
	if err != nil {
		return nil, nil, err
	}
	a := va.New(va.Config{Store: timed(store, p.layers), Journal: timedJournal{j, p.layers},
		Index: timedIndex{ix, p.layers}, Logger: p.log, Keys: keys, Policy: pol, Passwords: policy.DefaultArgon2id()})
	return a, ix, nil
}

// openServing opens the archive on the phase's index and runs
// Archive.Open, as a command does at start (reindex does not: Open would
// catch the fresh index up from the journal).
func (p *phase) openServing(ctx context.Context, store va.Store, j va.Journal, bulk bool) (*va.Archive, *index.Index, error) {
	a, ix, err := p.openArchive(ctx, store, j, "index", bulk)
	if err != nil {
		return nil, nil, err
	}
	if err := a.Open(ctx); err != nil {
		ix.Close()
		return nil, nil, err
	}
	return a, ix, nil
}

func (p *phase) importStep(ctx context.Context, store va.Store, j va.Journal) error {
	a, ix, err := p.openServing(ctx, store, j, true)
	if err != nil {
		return err
	}
	defer ix.Close()
	if err := p.importCorpus(ctx, a); err != nil {
		return err
	}
	n, err := ix.Count(ctx)
	if err != nil {
		return err
	}
	if int(n) != p.meta.Records {
		return fmt.Errorf("the index holds %d records after the import, want %d", n, p.meta.Records)
	}
	if err := ix.Close(); err != nil {
		return err
	}
	p.res.IndexBytes = dirSize(filepath.Join(p.dir, "index"))
	return nil
}

// searchStep opens the archive on the index of the import, as `serve`
// does, and times the query set.
func (p *phase) searchStep(ctx context.Context, store va.Store, j va.Journal) error {
	a, ix, err := p.openServing(ctx, store, j, false)
	if err != nil {
		return err
	}
	defer ix.Close()
	return p.timeQueries(ctx, func(q va.SearchQuery) (uint64, error) {
		// As the operator: no scope filter, like Bleve alone; the hits
		// are still written to the access log.
		res, err := a.Search(va.WithActor(ctx, benchActor), q)
		if err != nil {
			return 0, err
		}
		return res.Total, nil
	})
}

func (p *phase) importCorpus(ctx context.Context, a *va.Archive) error {
	cs, err := p.startCorpusStep("import", "import", int64(p.meta.Records+p.meta.Customers))
	if err != nil {
		return err
	}
	defer cs.close()
	rep, err := a.Import(va.WithActor(ctx, benchActor), cs.f, func(pr va.ImportProgress) { cs.done.Store(int64(pr.Imported)) })
	took := time.Since(cs.start)
	if err != nil {
		return err
	}
	if len(rep.Rejected) > 0 {
		r := rep.Rejected[0]
		return fmt.Errorf("import rejected %d lines; line %d: %v %v", len(rep.Rejected), r.Line, r.Error, va.ErrorFields(r.Error))
	}
	if rep.Records != p.meta.Records || rep.Customers != p.meta.Customers {
		return fmt.Errorf("imported %d records and %d customers, want %d and %d", rep.Records, rep.Customers, p.meta.Records, p.meta.Customers)
	}
	p.res.IndexSeconds = took.Seconds()
	p.res.IndexRate = float64(rep.Records) / took.Seconds()
	p.logf("imported %d records and %d customers in %s: %.0f records/s",
		rep.Records, rep.Customers, took.Round(time.Millisecond), p.res.IndexRate)
	return nil
}

// reindex rebuilds a fresh index from the store, as `visitarchive
// reindex` does.
func (p *phase) reindex(ctx context.Context, store va.Store, j va.Journal) error {
	a, ix, err := p.openArchive(ctx, store, j, "index-rebuilt", true)
	if err != nil {
		return err
	}
	defer ix.Close()
	end := p.step("reindex")
	var done, total atomic.Int64
	start := time.Now()
	stop := ticker(p.o.interval, func() string {
		return "[" + p.o.phase + "] " + rate("reindex", done.Load(), total.Load(), start)
	})
	err = a.Reindex(ctx, func(d, t int) { done.Store(int64(d)); total.Store(int64(t)) })
	took := time.Since(start)
	stop()
	end()
	if err != nil {
		return err
	}
	n, err := ix.Count(ctx)
	if err != nil {
		return err
	}
	if int(n) != p.meta.Records {
		return fmt.Errorf("the rebuilt index holds %d records, want %d", n, p.meta.Records)
	}
	p.res.ReindexSeconds = took.Seconds()
	p.res.ReindexRate = float64(n) / took.Seconds()
	p.logf("reindexed %d records in %s: %.0f records/s", n, took.Round(time.Millisecond), p.res.ReindexRate)
	return nil
}
