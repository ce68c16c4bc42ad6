package main

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index"
)

// floorBatches are the batch sizes of the write step of Bleve alone, with
// Bleve's default options: one record per batch, as one create after
// another makes them, and the groups that 8 or 64 creates arriving
// together could make. ourBatches are fed after them with the options
// the index opens its shards with (index.RuntimeConfig): the floor of the
// budgets of 1 and 8 clients.
var (
	floorBatches = []int{1, 8, 64}
	ourBatches   = []int{1, 8}
)

// The options of a floorWrite.
const (
	bleveOptions = "Bleve's defaults"
	ourOptions   = "index.RuntimeConfig"
)

// floorWrite is Bleve alone fed the records of one API level in batches
// of Batch.
type floorWrite struct {
	Batch   int     `json:"batch"`
	Options string  `json:"options"` // bleveOptions or ourOptions
	Records int     `json:"records"`
	Seconds float64 `json:"seconds"` // from the first batch until the last returned
	Rate    float64 `json:"records_per_second"`
	// CPU is this process's CPU time from the first batch until Bleve
	// had settled (see settle); CPUAfter the part after the last batch
	// returned (merging and persisting).
	CPU           float64 `json:"cpu_seconds"`
	CPUAfter      float64 `json:"cpu_after_seconds"`
	SettleSeconds float64 `json:"settle_seconds"`
	Settled       bool    `json:"settled"`
	BatchLatency  latency `json:"batch_latency"` // of each batch: building it and Batch
}

// msPerRecord is the CPU milliseconds per record.
func (f floorWrite) msPerRecord() float64 { return 1000 * f.CPU / float64(max(f.Records, 1)) }

// bleveWrites is the write step of Bleve alone: into the index its
// index step built (as the server writes into the index the import
// left), the records the API levels create — the same corpus records,
// filed by the same user, under ids of their own — in batches of each
// of floorBatches with Bleve's defaults, then of ourBatches with the
// index's options, from one goroutine, one batch after another; then
// the query set while it is fed (searchWhileFeeding). Like
// Bleve alone's indexing, this is Bleve's work only: index.Apply also
// records the journal sequence it applied in the index (SetInternal, one
// more Bleve batch), and the server also stores and journals the record.
func (p *phase) bleveWrites(ctx context.Context, dir string) error {
	m := writesPerLevel(p.meta.Records, p.o.writeRecords)
	customers, records, err := p.corpusRecords((len(floorBatches) + len(ourBatches)) * m)
	if err != nil {
		return err
	}
	end := p.step("write")
	defer end()
	now := time.Now()
	docs := func(level int, prefix string) []va.IndexDoc {
		ds := make([]va.IndexDoc, m)
		for j := range ds {
			r := filedBy(records[(level*m+j)%len(records)], writeUser, writeDept, now)
			r.ID = va.RecordID(fmt.Sprintf("%s-%07d", prefix, j+1))
			r.Version, r.Status = 1, va.StatusDraft
			ds[j] = va.IndexDoc{Record: r, Customer: customers[r.CustomerID]}
		}
		return ds
	}
	bi, err := bleve.Open(dir)
	if err != nil {
		return err
	}
	for i, size := range floorBatches {
		fw, err := p.feed(ctx, bi, size, docs(i, fmt.Sprintf("W%d", size)))
		if err != nil {
			bi.Close()
			return err
		}
		fw.Options = bleveOptions
		p.res.WriteFloor = append(p.res.WriteFloor, fw)
	}
	if err := bi.Close(); err != nil {
		return err
	}
	if bi, err = bleve.OpenUsing(dir, index.RuntimeConfig()); err != nil {
		return err
	}
	defer bi.Close()
	for i, size := range ourBatches {
		fw, err := p.feed(ctx, bi, size, docs(len(floorBatches)+i, fmt.Sprintf("O%d", size)))
		if err != nil {
			return err
		}
		fw.Options = ourOptions
		p.res.WriteFloor = append(p.res.WriteFloor, fw)
	}
	fed, err := p.searchWhileFeeding(ctx, bi, func(j int) va.IndexDoc {
		r := filedBy(records[j%len(records)], writeUser, writeDept, now)
		r.ID, r.Version, r.Status = va.RecordID(fmt.Sprintf("S-%07d", j+1)), 1, va.StatusDraft
		return va.IndexDoc{Record: r, Customer: customers[r.CustomerID]}
	})
	if err != nil {
		return err
	}
	n, err := bi.DocCount()
	if err != nil {
		return err
	}
	if want := uint64(p.meta.Records + (len(floorBatches)+len(ourBatches))*m + fed); n != want {
		return fmt.Errorf("bleve holds %d documents after the writes, want %d", n, want)
	}
	return nil
}

// floorSearch is Bleve alone's search, idle and while one goroutine
// feeds it batches of Batch records as fast as Bleve takes them (with
// index.RuntimeConfig): the floor of the budget of search while 8
// clients write.
type floorSearch struct {
	Batch   int     `json:"batch"`
	Idle    latency `json:"idle"`
	Writing latency `json:"while_writing"`
	Fed     int     `json:"records_fed"`
	Rate    float64 `json:"records_per_second"`
}

// searchWhileFeeding times the query set on bi idle, then while it is
// fed batches of budgetWriteClients documents made by doc(0), doc(1), …;
// it returns how many it fed.
func (p *phase) searchWhileFeeding(ctx context.Context, bi bleve.Index, doc func(int) va.IndexDoc) (int, error) {
	search := bleveSearcher(ctx, bi)
	fs := floorSearch{Batch: budgetWriteClients}
	var err error
	if fs.Idle, _, err = p.queryRounds(ctx, "search, idle", p.o.rounds, search); err != nil {
		return 0, err
	}
	stop := make(chan struct{})
	fed := make(chan error, 1)
	start := time.Now()
	go func() {
		for {
			select {
			case <-stop:
				fed <- nil
				return
			default:
			}
			b := bi.NewBatch()
			for range fs.Batch {
				d := doc(fs.Fed)
				if err := b.Index(string(d.Record.ID), index.Document(d)); err != nil {
					fed <- err
					return
				}
				fs.Fed++
			}
			if err := bi.Batch(b); err != nil {
				fed <- err
				return
			}
		}
	}()
	fs.Writing, _, err = p.queryRounds(ctx, fmt.Sprintf("search while fed batches of %d", fs.Batch), p.o.rounds, search)
	close(stop)
	if ferr := <-fed; err == nil {
		err = ferr
	}
	fs.Rate = float64(fs.Fed) / time.Since(start).Seconds()
	p.res.WriteSearch = &fs
	p.logf("write: search p95 %.1f ms idle, %.1f ms while fed %d records in batches of %d (%.0f/s)",
		fs.Idle.P95, fs.Writing.P95, fs.Fed, fs.Batch, fs.Rate)
	return fs.Fed, err
}

// feed indexes docs in batches of size and measures it: from a settled
// process until it has settled again.
func (p *phase) feed(ctx context.Context, bi bleve.Index, size int, docs []va.IndexDoc) (floorWrite, error) {
	fw := floorWrite{Batch: size, Records: len(docs)}
	if _, _, err := settle(ctx, selfCPU); err != nil {
		return fw, err
	}
	cpu0, start := selfCPU(), time.Now()
	var samples []time.Duration
	for lo := 0; lo < len(docs); lo += size {
		if err := ctx.Err(); err != nil {
			return fw, err
		}
		t0 := time.Now()
		b := bi.NewBatch()
		for _, d := range docs[lo:min(lo+size, len(docs))] {
			if err := b.Index(string(d.Record.ID), index.Document(d)); err != nil {
				return fw, err
			}
		}
		if err := bi.Batch(b); err != nil {
			return fw, err
		}
		samples = append(samples, time.Since(t0))
	}
	fw.Seconds = time.Since(start).Seconds()
	fw.Rate = float64(len(docs)) / fw.Seconds
	fw.BatchLatency = latencyOf(samples)
	during := selfCPU() - cpu0
	waited, settled, err := settle(ctx, selfCPU)
	if err != nil {
		return fw, err
	}
	fw.SettleSeconds, fw.Settled = waited.Seconds(), settled
	fw.CPU = selfCPU() - cpu0
	fw.CPUAfter = fw.CPU - during
	p.logf("write: %d records in batches of %d in %.1f s: %.0f records/s, %.2f ms CPU per record (%.2f after the last batch)",
		len(docs), size, fw.Seconds, fw.Rate, fw.msPerRecord(), 1000*fw.CPUAfter/float64(len(docs)))
	return fw, nil
}
