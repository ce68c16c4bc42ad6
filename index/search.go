package index

import (
	"context"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/visitarchive/visitarchive"
)

// Search answers q: one page of hits in q.Sort order, the total of all
// matches and, unless q.NoFacets, the count of every value of each of
// visitarchive.FacetFields over all matches, and when q.Now is set the
// overdue facet (see mergeFacets). It runs in two passes (doc.go,
// Searching). A bad q is Invalid; a closed
// or damaged index, or a ctx that ends, is Unavailable.
func (ix *Index) Search(ctx context.Context, q visitarchive.SearchQuery) (*visitarchive.SearchResult, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	bq, hasText, err := buildQuery(q, false, ix.files.Load())
	if err != nil {
		return nil, err
	}
	if ix.closed.Load() {
		return nil, unavailable("index.search", bleve.ErrorIndexClosed)
	}
	ix.searches.enter()
	defer ix.searches.leave()
	parts, err := ix.collectShards(ctx, q, bq, hasText)
	if err != nil {
		return nil, unavailable("index.search", err)
	}
	page, total, facets := merge(q, parts)
	if q.OnPage != nil && len(page) > 0 {
		ids := make([]visitarchive.RecordID, len(page))
		for i, h := range page {
			ids[i] = visitarchive.RecordID(h.id)
		}
		q.OnPage(ids)
	}
	docs, err := ix.fetch(ctx, q, page, hasText)
	if err != nil {
		return nil, unavailable("index.search", err)
	}
	out := &visitarchive.SearchResult{Total: total, Hits: make([]visitarchive.SearchHit, 0, len(page)), Facets: facets}
	for _, h := range page {
		// A hit removed since pass 1 is left out.
		if d := docs[h.id]; d != nil {
			d.Score = h.score
			out.Hits = append(out.Hits, hit(d))
		}
	}
	return out, nil
}

// fetch is pass 2 of a search (doc.go, Searching): the stored fields
// and, for a text query, the highlighted fragments of the page's hits, by
// id. The text is an optional clause, there only for the places Bleve
// highlights: every hit comes back even if it were not to match it.
func (ix *Index) fetch(ctx context.Context, q visitarchive.SearchQuery, page []pageHit, hasText bool) (map[string]*search.DocumentMatch, error) {
	if len(page) == 0 {
		return nil, nil
	}
	ids := make([]string, len(page))
	for i, h := range page {
		ids[i] = h.id
	}
	var bq query.Query = query.NewDocIDQuery(ids)
	if hasText {
		marks, err := textQueries(q.Text, true, false)
		if err != nil {
			return nil, err
		}
		bq = query.NewBooleanQuery([]query.Query{bq}, marks, nil)
	}
	req := bleve.NewSearchRequestOptions(bq, len(ids), 0, false)
	req.Fields = hitFields
	if hasText {
		req.Highlight = bleve.NewHighlightWithStyle(highlighterName)
		req.Highlight.AddField(fieldText)
	}
	res, err := ix.search(ctx, req)
	if err != nil {
		return nil, err
	}
	docs := make(map[string]*search.DocumentMatch, len(res.Hits))
	for _, d := range res.Hits {
		docs[d.ID] = d
	}
	return docs, nil
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
	// A record found through its files' text has nothing marked in its
	// own text, which Bleve still returns a fragment of.
	for f, frags := range h.Fragments {
		for _, frag := range frags {
			if strings.Contains(frag, "<mark>") {
				if sh.Fragments == nil {
					sh.Fragments = map[string][]string{}
				}
				sh.Fragments[f] = append(sh.Fragments[f], frag)
			}
		}
	}
	return sh
}
