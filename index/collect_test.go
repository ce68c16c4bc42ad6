package index

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/visitarchive/visitarchive"
)

// equivalenceIndex holds 2,400 generated records applied in batches, so
// that each shard has several segments, then some replaced and some
// deleted, so that segments hold deleted documents. Some records carry
// workflow values (late, reviewer, retention, a deadline) and some have
// no visit_start.
func equivalenceIndex(t *testing.T) *Index {
	ix := openTest(t, t.TempDir())
	docs := genDocs(2400)
	rng := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range docs {
		r := d.Record
		switch i % 7 {
		case 1:
			r.SubmittedAt, r.Late, r.Status = base, rng.IntN(2) == 0, visitarchive.StatusSubmitted
		case 2:
			r.Reviewer, r.Status, r.Retention = "lina", visitarchive.StatusApproved, "D10"
		case 3:
			r.DueAt = base.Add(time.Duration(rng.IntN(200)) * time.Hour)
		case 4:
			if i%5 == 0 {
				r.VisitStart = time.Time{}
			}
		}
	}
	for seq, i := uint64(1), 0; i < len(docs); seq, i = seq+1, i+300 {
		if err := ix.Apply(t.Context(), seq, docs[i:i+300], nil); err != nil {
			t.Fatal(err)
		}
	}
	var deleted []visitarchive.RecordID
	for i := 0; i < len(docs); i += 9 {
		deleted = append(deleted, docs[i].Record.ID)
	}
	var changed []visitarchive.IndexDoc
	for i := 5; i < len(docs); i += 50 {
		docs[i].Record.Topic, docs[i].Record.Department = "Tender", "大客户部"
		changed = append(changed, docs[i])
	}
	if err := ix.Apply(t.Context(), 100, changed, deleted); err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestSearchAnswersAsBleveDoes runs queries of every kind through Search
// and, as one plain Bleve request (Request), through Bleve's own collector
// on the same shards, and expects the same total, hits in the same order
// with the same scores and fragments, and the same facets.
func TestSearchAnswersAsBleveDoes(t *testing.T) {
	ix := equivalenceIndex(t)
	now := time.Date(2024, 6, 5, 0, 0, 0, 0, time.UTC)
	var qs []visitarchive.SearchQuery
	for _, text := range []string{"", "数据中心", "电池", "LX-300", "backup generator", "储能系统 battery", "客", "Tender"} {
		for _, sort := range []string{visitarchive.SortRelevance, visitarchive.SortVisitStart, visitarchive.SortVisitStartDesc} {
			for _, page := range []int{1, 4} {
				qs = append(qs, visitarchive.SearchQuery{Text: text, Sort: sort, Page: page, Size: 10})
			}
		}
		qs = append(qs,
			visitarchive.SearchQuery{Text: text, Department: "大客户部", Country: "CN", Size: 30},
			visitarchive.SearchQuery{Text: text, Now: now, Sort: visitarchive.SortVisitStartDesc},
			visitarchive.SearchQuery{Text: text, Status: "draft", Now: now, Overdue: true},
			visitarchive.SearchQuery{Text: text, NoFacets: true, Page: 2},
			visitarchive.SearchQuery{Text: text, Page: 500, Size: 100},
		)
	}
	for _, q := range qs {
		t.Run(fmt.Sprintf("%q/%s/p%d", q.Text, q.Sort, q.Page), func(t *testing.T) {
			got, err := ix.Search(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			want := bleveAnswer(t, ix, q)
			if got.Total != want.Total {
				t.Fatalf("total %d, Bleve %d", got.Total, want.Total)
			}
			if !reflect.DeepEqual(got.Hits, want.Hits) {
				t.Errorf("hits differ:\n got %v\nwant %v", got.Hits, want.Hits)
			}
			if !reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("facets differ:\n got %v\nwant %v", got.Facets, want.Facets)
			}
		})
	}
}

// bleveAnswer is q answered by Bleve alone: Request(q) on the alias of
// the shards, as Search answered before it collected matches itself,
// with the highlights of the same request matching every Han word in
// text. Every facet field of the fixture has fewer values than
// facetSize, so the alias's merge of the shards' facets is exact.
func bleveAnswer(t *testing.T, ix *Index, q visitarchive.SearchQuery) *visitarchive.SearchResult {
	t.Helper()
	run := func(forMarks bool) *bleve.SearchResult {
		req, err := request(q, forMarks, ix.files.Load())
		if err != nil {
			t.Fatal(err)
		}
		if forMarks { // every match: its scores, and so its pages, differ
			req.From, req.Size = 0, 10000
		}
		res, err := ix.search(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(false)
	marks := map[string]search.FieldFragmentMap{}
	for _, h := range run(true).Hits {
		marks[h.ID] = h.Fragments
	}
	out := &visitarchive.SearchResult{Total: res.Total, Hits: []visitarchive.SearchHit{}}
	for _, h := range res.Hits {
		h.Fragments = marks[h.ID]
		out.Hits = append(out.Hits, hit(h))
	}
	if q.NoFacets {
		return out
	}
	out.Facets = map[string][]visitarchive.FacetCount{}
	for _, f := range visitarchive.FacetFields {
		counts := []visitarchive.FacetCount{}
		for _, tf := range res.Facets[f].Terms.Terms() {
			counts = append(counts, visitarchive.FacetCount{Value: tf.Term, Count: tf.Count})
		}
		out.Facets[f] = counts
	}
	if r := res.Facets[visitarchive.FacetOverdue]; r != nil {
		out.Facets[visitarchive.FacetOverdue] = overdueFacet(r)
	}
	if r := res.Facets[visitarchive.FacetDue]; r != nil {
		out.Facets[visitarchive.FacetDue] = overdueFacet(r)
	}
	return out
}

func overdueFacet(r *search.FacetResult) []visitarchive.FacetCount {
	counts := []visitarchive.FacetCount{}
	for _, d := range r.DateRanges {
		if d.Count > 0 {
			counts = append(counts, visitarchive.FacetCount{Value: d.Name, Count: d.Count})
		}
	}
	return counts
}

// After a pause in writes, every shard's tables are built without a
// search asking for them.
func TestTablesWarmAfterApply(t *testing.T) {
	ix := openTest(t, t.TempDir())
	if err := ix.Apply(t.Context(), 1, genDocs(200), nil); err != nil {
		t.Fatal(err)
	}
	built := func() int {
		n := 0
		for i := range ix.tables {
			c := &ix.tables[i]
			c.mu.Lock()
			for _, e := range c.tables {
				if e.built.Load() && e.t != nil {
					n += len(e.t.ids)
				}
			}
			c.mu.Unlock()
		}
		return n
	}
	deadline := time.Now().Add(warmDelay + 5*time.Second)
	for built() < 200 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := built(); n < 200 {
		t.Fatalf("tables hold %d documents %s after the last Apply, want 200", n, warmDelay+5*time.Second)
	}
}
