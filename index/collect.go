package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/visitarchive/visitarchive"
)

// Pass 1 of a search (doc.go, Searching): every shard's matches, counted
// and ordered by a collector of ours from the segment tables.

// pageHit is a match as pass 1 keeps it.
type pageHit struct {
	id    string
	score float64
	start int64
}

// pass1 is what one shard's pass 1 found.
type pass1 struct {
	total   uint64
	hits    []pageHit
	counts  []map[string]int // by facet field, or nil without facets
	overdue int
	due     int
}

// collector takes the matches of one shard.
type collector struct {
	q      visitarchive.SearchQuery
	keep   int                    // hits kept: all those up to the end of the page
	order  func(a, b pageHit) int // hitOrder of the sort
	tables *tableCache

	st      *snapTables // of the snapshot Bleve searches
	seg     int         // the segment of the last match: locate's hint
	counts  [][]uint32  // per segment, per value of its table
	now     int64
	overdue int
	due     int
	hits    []pageHit // a binary heap, the worst kept hit at its root
}

func newCollector(q visitarchive.SearchQuery, tables *tableCache) *collector {
	c := &collector{q: q, keep: q.Page * q.Size, order: hitOrder(q.Sort), tables: tables, now: noTime}
	if !q.Now.IsZero() {
		c.now = q.Now.UnixNano()
	}
	return c
}

// hitOrder compares two hits in the order of sort: a negative result puts
// a first. Ties go by id, as sortOrder has Bleve do; a missing
// visit_start sorts last either way.
func hitOrder(sort string) func(a, b pageHit) int {
	byID := func(a, b pageHit) int { return cmp.Compare(a.id, b.id) }
	byStart := func(desc bool) func(a, b pageHit) int {
		return func(a, b pageHit) int {
			switch {
			case a.start == b.start:
				return byID(a, b)
			case a.start == noTime:
				return 1
			case b.start == noTime:
				return -1
			case desc:
				return cmp.Compare(b.start, a.start)
			}
			return cmp.Compare(a.start, b.start)
		}
	}
	switch sort {
	case visitarchive.SortVisitStart:
		return byStart(false)
	case visitarchive.SortVisitStartDesc:
		return byStart(true)
	}
	return func(a, b pageHit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return byID(a, b)
	}
}

// handlerMaker is what Bleve's collector calls, once per search, for the
// function that takes each match in place of its own.
func (c *collector) handlerMaker(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
	snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
	if !ok {
		return nil, false, fmt.Errorf("index reader %T is not a scorch snapshot", sctx.IndexReader)
	}
	st, err := c.tables.forSnapshot(snap)
	if err != nil {
		return nil, false, err
	}
	c.st = st
	if !c.q.NoFacets {
		c.counts = make([][]uint32, len(st.tables))
		for i, t := range st.tables {
			c.counts[i] = make([]uint32, len(t.values))
		}
	}
	return func(d *search.DocumentMatch) error {
		if d != nil {
			c.take(d)
			sctx.DocumentMatchPool.Put(d)
		}
		return nil
	}, false, nil
}

func (c *collector) take(d *search.DocumentMatch) {
	seg, n := c.st.locate(d.IndexInternalID.Value(), c.seg)
	c.seg = seg
	t := c.st.tables[seg]
	if c.counts != nil {
		counts := c.counts[seg]
		for _, v := range t.vals[t.off[n]:t.off[n+1]] {
			counts[v]++
		}
		if c.now != noTime && t.due[n] != noTime && t.due[n] < c.now {
			c.overdue++
		}
		if c.now != noTime && t.keep[n] != noTime && t.keep[n] <= c.now {
			c.due++
		}
	}
	c.offer(pageHit{id: t.ids[n], score: d.Score, start: t.start[n]})
}

// offer keeps h when it is among the best c.keep so far. c.hits is a
// binary heap with the worst kept hit at its root.
func (c *collector) offer(h pageHit) {
	worse := func(i, j int) bool { return c.order(c.hits[i], c.hits[j]) > 0 }
	if len(c.hits) < c.keep {
		c.hits = append(c.hits, h)
		for i := len(c.hits) - 1; i > 0; {
			parent := (i - 1) / 2
			if !worse(i, parent) {
				break
			}
			c.hits[i], c.hits[parent] = c.hits[parent], c.hits[i]
			i = parent
		}
		return
	}
	if c.keep == 0 || c.order(h, c.hits[0]) >= 0 {
		return
	}
	c.hits[0] = h
	for i := 0; ; {
		w, l, r := i, 2*i+1, 2*i+2
		if l < len(c.hits) && worse(l, w) {
			w = l
		}
		if r < len(c.hits) && worse(r, w) {
			w = r
		}
		if w == i {
			return
		}
		c.hits[i], c.hits[w] = c.hits[w], c.hits[i]
		i = w
	}
}

// result returns what the shard found; total is Bleve's count.
func (c *collector) result(total uint64) pass1 {
	r := pass1{total: total, hits: c.hits, overdue: c.overdue, due: c.due}
	if c.counts != nil {
		r.counts = make([]map[string]int, len(visitarchive.FacetFields))
		for i := range r.counts {
			r.counts[i] = map[string]int{}
		}
		for seg, counts := range c.counts {
			values := c.st.tables[seg].values
			for v, n := range counts {
				if n > 0 {
					fv := values[v]
					r.counts[fv.field][fv.value] += int(n)
				}
			}
		}
	}
	return r
}

// collectShards runs pass 1 of q on every shard at once.
func (ix *Index) collectShards(ctx context.Context, q visitarchive.SearchQuery, bq query.Query, hasText bool) ([]pass1, error) {
	out := make([]pass1, len(ix.shards))
	errs := make([]error, len(ix.shards))
	var wg sync.WaitGroup
	for i, s := range ix.shards {
		wg.Go(func() {
			c := newCollector(q, &ix.tables[i])
			req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
			// Score alone keeps Bleve's collector from reading doc values
			// or ids: ours orders the hits.
			req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
			if q.Sort != visitarchive.SortRelevance && !hasText {
				req.Score = bleve.ScoreNone
			}
			sctx := context.WithValue(ctx, search.MakeDocumentMatchHandlerKey,
				search.MakeDocumentMatchHandler(c.handlerMaker))
			res, err := s.SearchInContext(sctx, req)
			if err != nil {
				errs[i] = err
				return
			}
			out[i] = c.result(res.Total)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// merge joins the shards' pass 1: the page's hits in order, the total,
// and the facets.
func merge(q visitarchive.SearchQuery, parts []pass1) (page []pageHit, total uint64, facets map[string][]visitarchive.FacetCount) {
	var all []pageHit
	for _, p := range parts {
		total += p.total
		all = append(all, p.hits...)
	}
	slices.SortFunc(all, hitOrder(q.Sort))
	if skip := (q.Page - 1) * q.Size; skip < len(all) {
		page = all[skip:min(len(all), skip+q.Size)]
	}
	if !q.NoFacets {
		facets = mergeFacets(q, parts)
	}
	return page, total, facets
}

// mergeFacets returns every facet field's values by count, then value,
// at most facetSize of them, as Bleve orders a terms facet.
func mergeFacets(q visitarchive.SearchQuery, parts []pass1) map[string][]visitarchive.FacetCount {
	out := make(map[string][]visitarchive.FacetCount, len(visitarchive.FacetFields)+1)
	for i, f := range visitarchive.FacetFields {
		sum := map[string]int{}
		for _, p := range parts {
			for v, n := range p.counts[i] {
				sum[v] += n
			}
		}
		counts := make([]visitarchive.FacetCount, 0, len(sum))
		for v, n := range sum {
			counts = append(counts, visitarchive.FacetCount{Value: v, Count: n})
		}
		slices.SortFunc(counts, func(a, b visitarchive.FacetCount) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return cmp.Compare(a.Value, b.Value)
		})
		out[f] = counts[:min(len(counts), facetSize)]
	}
	if !q.Now.IsZero() {
		n := 0
		for _, p := range parts {
			n += p.overdue
		}
		out[visitarchive.FacetOverdue] = []visitarchive.FacetCount{}
		if n > 0 {
			out[visitarchive.FacetOverdue] = []visitarchive.FacetCount{{Value: overdueValue, Count: n}}
		}
		d := 0
		for _, p := range parts {
			d += p.due
		}
		out[visitarchive.FacetDue] = []visitarchive.FacetCount{}
		if d > 0 {
			out[visitarchive.FacetDue] = []visitarchive.FacetCount{{Value: overdueValue, Count: d}}
		}
	}
	return out
}
