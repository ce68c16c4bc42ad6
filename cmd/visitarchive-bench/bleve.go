package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index"
)

// bleveBatch is the batch size of Bleve alone: that of each Bleve batch
// index.Apply makes.
const bleveBatch = index.MaxBatch

// What index.Request asks of Bleve besides the query. These copy
// index.Request; checkRequests proves at the start of every run that they
// still agree.
const (
	facetSize       = 50
	highlighterName = "visitarchive_mark" // registered by package index
	textField       = "text"
)

var hitFields = []string{"customer_id", "customer_name", "topic", "visit_start_text"}

// bleve is phase a: the floor. A Bleve index with the mapping of package
// index, fed index.Document of every record in batches of index.MaxBatch,
// then queried with index.Query and the plain request index.Request makes
// — without the store, the journal or the Archive. Its steps, index and
// search (and write, the floor of the write step: writefloor.go), run in
// processes of their own, as the archive's do.
func (p *phase) bleve(ctx context.Context) error {
	dir := filepath.Join(p.dir, "index")
	switch p.o.step {
	case "index":
		return p.bleveBuild(ctx, dir)
	case "write":
		return p.bleveWrites(ctx, dir)
	}
	return p.bleveSearch(ctx, dir)
}

// bleveBuild creates the index in dir and indexes the corpus.
func (p *phase) bleveBuild(ctx context.Context, dir string) error {
	bi, err := bleve.NewUsing(dir, index.NewMapping(), scorch.Name, bleve.Config.DefaultKVStore, nil)
	if err != nil {
		return err
	}
	if err := p.bleveIndex(ctx, bi); err != nil {
		bi.Close()
		return err
	}
	n, err := bi.DocCount()
	if err != nil {
		bi.Close()
		return err
	}
	if int(n) != p.meta.Records {
		bi.Close()
		return fmt.Errorf("bleve holds %d documents, want %d", n, p.meta.Records)
	}
	if err := bi.Close(); err != nil {
		return err
	}
	p.res.IndexBytes = dirSize(dir)
	return nil
}

// bleveSearch opens the index in dir and times the query set and its
// ablations.
func (p *phase) bleveSearch(ctx context.Context, dir string) error {
	if err := checkRequests(p.queries); err != nil {
		return err
	}
	bi, err := bleve.Open(dir)
	if err != nil {
		return err
	}
	defer bi.Close()
	if err := p.timeQueries(ctx, bleveSearcher(ctx, bi)); err != nil {
		return err
	}
	return p.ablations(ctx, bi)
}

// bleveSearcher answers a query of the set on bi with the plain request
// (index.Request) and returns its total.
func bleveSearcher(ctx context.Context, bi bleve.Index) func(va.SearchQuery) (uint64, error) {
	return func(q va.SearchQuery) (uint64, error) {
		req, err := searchRequest(q)
		if err != nil {
			return 0, err
		}
		res, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return 0, err
		}
		return res.Total, nil
	}
}

// bleveIndex indexes the corpus. JSON decoding is timed apart and left
// out of the indexing time, so that the floor is Bleve's work only.
func (p *phase) bleveIndex(ctx context.Context, bi bleve.Index) error {
	cs, err := p.startCorpusStep("index", "indexing", int64(p.meta.Records))
	if err != nil {
		return err
	}
	defer cs.close()
	ix := &bleveIndexer{bi: bi, b: bi.NewBatch(), customers: map[va.CustomerID]*va.Customer{}, done: &cs.done}
	sc := bufio.NewScanner(cs.f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := ix.line(sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := ix.flush(); err != nil {
		return err
	}
	decode := ix.decode
	wall := time.Since(cs.start)
	p.res.IndexSeconds = (wall - decode).Seconds()
	p.res.DecodeSeconds = decode.Seconds()
	p.res.IndexRate = float64(p.meta.Records) / p.res.IndexSeconds
	p.logf("indexed %d records in %s (+ %s JSON decoding): %.0f records/s",
		p.meta.Records, (wall - decode).Round(time.Millisecond), decode.Round(time.Millisecond), p.res.IndexRate)
	return nil
}

// ablations runs the query set again with parts of the request left out,
// one timed round each, to show what facets and highlighting cost.
func (p *phase) ablations(ctx context.Context, bi bleve.Index) error {
	end := p.step("ablations")
	defer end()
	p.res.Ablations = map[string]latency{}
	for _, v := range []struct {
		name   string
		change func(*bleve.SearchRequest)
	}{
		{"no facets", func(r *bleve.SearchRequest) { r.Facets = nil }},
		{"no highlighting", func(r *bleve.SearchRequest) { r.Highlight = nil }},
		{"neither", func(r *bleve.SearchRequest) { r.Facets, r.Highlight = nil, nil }},
		{"count only", func(r *bleve.SearchRequest) {
			r.Facets, r.Highlight, r.Size, r.From, r.Fields = nil, nil, 0, 0, nil
			r.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
		}},
	} {
		lat, _, err := p.queryRounds(ctx, "ablation "+v.name, 1, func(q va.SearchQuery) (uint64, error) {
			req, err := searchRequest(q)
			if err != nil {
				return 0, err
			}
			v.change(req)
			res, err := bi.SearchInContext(ctx, req)
			if err != nil {
				return 0, err
			}
			return res.Total, nil
		})
		if err != nil {
			return err
		}
		p.res.Ablations[v.name] = lat
	}
	return nil
}

// bleveIndexer feeds import lines to Bleve in batches.
type bleveIndexer struct {
	bi        bleve.Index
	b         *bleve.Batch
	inBatch   int
	customers map[va.CustomerID]*va.Customer
	decode    time.Duration // spent decoding JSON
	done      *atomic.Int64
}

func (x *bleveIndexer) line(data []byte) error {
	t0 := time.Now()
	var l importLine
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&l); err != nil {
		return err
	}
	x.decode += time.Since(t0)
	return x.add(&l)
}

// add indexes the record of l, or remembers its customer for the records
// that follow.
func (x *bleveIndexer) add(l *importLine) error {
	if c := l.Customer; c != nil {
		c.Version = 1
		x.customers[c.ID] = c
		return nil
	}
	r := l.Record
	r.Version, r.Status = 1, va.StatusDraft // as Import stores it
	if err := x.b.Index(string(r.ID), index.Document(va.IndexDoc{Record: r, Customer: x.customers[r.CustomerID]})); err != nil {
		return err
	}
	x.done.Add(1)
	if x.inBatch++; x.inBatch == bleveBatch {
		return x.flush()
	}
	return nil
}

func (x *bleveIndexer) flush() error {
	if x.inBatch == 0 {
		return nil
	}
	if err := x.bi.Batch(x.b); err != nil {
		return err
	}
	x.b.Reset()
	x.inBatch = 0
	return nil
}

// searchRequest is the plain Bleve request that answers q as index.Search
// does (index.Request), built from index.Query and Bleve's own API.
func searchRequest(q va.SearchQuery) (*bleve.SearchRequest, error) {
	bq, err := index.Query(q)
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(bq, q.Size, (q.Page-1)*q.Size, false)
	req.Fields = hitFields
	req.SortByCustom(sortOrder(q.Sort))
	hasText := strings.TrimSpace(q.Text) != ""
	if q.Sort != va.SortRelevance && !hasText {
		req.Score = bleve.ScoreNone // a listing by date needs no scores
	}
	if !q.NoFacets {
		for _, f := range va.FacetFields {
			req.AddFacet(f, bleve.NewFacetRequest(f, facetSize))
		}
	}
	if hasText {
		req.Highlight = bleve.NewHighlightWithStyle(highlighterName)
		req.Highlight.AddField(textField)
	}
	return req, nil
}

func sortOrder(s string) search.SortOrder {
	byID := &search.SortDocID{}
	byStart := func(desc bool) search.SearchSort {
		return &search.SortField{Field: "visit_start", Type: search.SortFieldAsDate, Desc: desc, Missing: search.SortFieldMissingLast}
	}
	switch s {
	case va.SortVisitStart:
		return search.SortOrder{byStart(false), byID}
	case va.SortVisitStartDesc:
		return search.SortOrder{byStart(true), byID}
	}
	return search.SortOrder{&search.SortScore{Desc: true}, byID}
}

// checkRequests fails when searchRequest no longer sends what
// index.Request asks, so that Bleve alone never measures another search.
func checkRequests(qs []benchQuery) error {
	for i, bq := range qs {
		mine, err := searchRequest(bq.Q)
		if err != nil {
			return err
		}
		theirs, err := index.Request(bq.Q)
		if err != nil {
			return err
		}
		a, err1 := json.Marshal(mine)
		b, err2 := json.Marshal(theirs)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("query %d: cannot compare requests: %v %v", i, err1, err2)
		}
		if !bytes.Equal(a, b) {
			return fmt.Errorf("query %d: the Bleve-alone request differs from index.Request; update searchRequest:\n  bench: %s\n  index: %s", i, a, b)
		}
	}
	return nil
}
