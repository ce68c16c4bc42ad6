package main

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index"
)

// floorBatches are the batch sizes of the write step of Bleve alone: one
// record per batch, as one create after another makes them, and the
// groups that 8 or 64 creates arriving together could make.
var floorBatches = []int{1, 8, 64}

// floorWrite is Bleve alone fed the records of one API level in batches
// of Batch.
type floorWrite struct {
	Batch   int     `json:"batch"`
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
// of floorBatches, from one goroutine, one batch after another. Like
// Bleve alone's indexing, this is Bleve's work only: index.Apply also
// records the journal sequence it applied in the index (SetInternal, one
// more Bleve batch), and the server also stores and journals the record.
func (p *phase) bleveWrites(ctx context.Context, dir string) error {
	m := writesPerLevel(p.meta.Records, p.o.writeRecords)
	customers, records, err := p.corpusRecords(len(floorBatches) * m)
	if err != nil {
		return err
	}
	bi, err := bleve.Open(dir)
	if err != nil {
		return err
	}
	defer bi.Close()
	end := p.step("write")
	defer end()
	now := time.Now()
	for i, size := range floorBatches {
		docs := make([]va.IndexDoc, m)
		for j := range docs {
			r := filedBy(records[(i*m+j)%len(records)], writeUser, writeDept, now)
			r.ID = va.RecordID(fmt.Sprintf("W%d-%07d", size, j+1))
			r.Version, r.Status = 1, va.StatusDraft
			docs[j] = va.IndexDoc{Record: r, Customer: customers[r.CustomerID]}
		}
		fw, err := p.feed(ctx, bi, size, docs)
		if err != nil {
			return err
		}
		p.res.WriteFloor = append(p.res.WriteFloor, fw)
	}
	n, err := bi.DocCount()
	if err != nil {
		return err
	}
	if want := uint64(p.meta.Records + len(floorBatches)*m); n != want {
		return fmt.Errorf("bleve holds %d documents after the writes, want %d", n, want)
	}
	return nil
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
