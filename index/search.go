package index

import (
	"context"
	"time"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/visitarchive/visitarchive"
)

// Search answers q: one page of hits in q.Sort order, the total of all
// matches and, unless q.NoFacets, the count of every value of each of
// visitarchive.FacetFields over all matches, and when q.Now is set the
// overdue facet (see facets). A bad q is Invalid; a closed
// or damaged index, or a ctx that ends, is Unavailable.
func (ix *Index) Search(ctx context.Context, q visitarchive.SearchQuery) (*visitarchive.SearchResult, error) {
	req, err := Request(q)
	if err != nil {
		return nil, err
	}
	res, err := ix.search(ctx, req)
	if err != nil {
		return nil, unavailable("index.search", err)
	}
	out := &visitarchive.SearchResult{Total: res.Total, Hits: make([]visitarchive.SearchHit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, hit(h))
	}
	if !q.NoFacets {
		out.Facets = facets(res.Facets)
	}
	return out, nil
}

func hit(h *search.DocumentMatch) visitarchive.SearchHit {
	str := func(f string) string {
		s, _ := h.Fields[f].(string)
		return s
	}
	// A time that does not parse stays zero: a hit is still worth showing.
	start, _ := time.Parse(time.RFC3339Nano, str(fieldVisitStartAt))
	sh := visitarchive.SearchHit{
		ID:           visitarchive.RecordID(h.ID),
		Score:        h.Score,
		CustomerID:   visitarchive.CustomerID(str(fieldCustomerID)),
		CustomerName: str(fieldCustomerName),
		VisitStart:   start,
		Topic:        str(fieldTopic),
	}
	if len(h.Fragments) > 0 {
		sh.Fragments = map[string][]string(h.Fragments)
	}
	return sh
}

// facets returns every facet field, with an empty list when no match has
// a value, so that clients need not tell a missing field from no values.
// The overdue facet, when asked for, is [{"true", N}], or the empty list
// when no match is overdue; it is absent when it was not asked for (a
// search without SearchQuery.Now).
func facets(fr search.FacetResults) map[string][]visitarchive.FacetCount {
	out := make(map[string][]visitarchive.FacetCount, len(visitarchive.FacetFields)+1)
	for _, f := range visitarchive.FacetFields {
		counts := []visitarchive.FacetCount{}
		if r := fr[f]; r != nil && r.Terms != nil {
			for _, t := range r.Terms.Terms() {
				counts = append(counts, visitarchive.FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		out[f] = counts
	}
	if r := fr[visitarchive.FacetOverdue]; r != nil {
		out[visitarchive.FacetOverdue] = overdueCounts(r)
	}
	return out
}

func overdueCounts(r *search.FacetResult) []visitarchive.FacetCount {
	counts := []visitarchive.FacetCount{}
	for _, d := range r.DateRanges {
		if d.Name == overdueValue && d.Count > 0 {
			counts = append(counts, visitarchive.FacetCount{Value: overdueValue, Count: d.Count})
		}
	}
	return counts
}
