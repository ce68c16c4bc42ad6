package index

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// corpus is testdata/corpus.json: customers and visit records in the
// JSON of the unified form.
type corpus struct {
	Customers []visitarchive.Customer `json:"customers"`
	Records   []visitarchive.Record   `json:"records"`
}

// loadCorpus returns the fixture records with their customers.
func loadCorpus(t testing.TB) []visitarchive.IndexDoc {
	t.Helper()
	b, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("testdata/corpus.json: %v", err)
	}
	customers := map[visitarchive.CustomerID]*visitarchive.Customer{}
	for i := range c.Customers {
		customers[c.Customers[i].ID] = &c.Customers[i]
	}
	docs := make([]visitarchive.IndexDoc, len(c.Records))
	for i := range c.Records {
		r := &c.Records[i]
		docs[i] = visitarchive.IndexDoc{Record: r, Customer: customers[r.CustomerID]}
	}
	return docs
}

// openTest opens the index in dir and closes it when the test ends.
func openTest(t testing.TB, dir string) *Index {
	t.Helper()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

// corpusIndex returns a new index holding the whole fixture, applied as
// journal sequence 1 in two groups, which go to different shards (see
// Index.homes), so that every search merges the shards' answers.
func corpusIndex(t testing.TB) *Index {
	t.Helper()
	ix := openTest(t, t.TempDir())
	docs := loadCorpus(t)
	for _, half := range [][]visitarchive.IndexDoc{docs[:len(docs)/2], docs[len(docs)/2:]} {
		if err := ix.Apply(t.Context(), 1, half, nil); err != nil {
			t.Fatalf("Apply: %v", err)
		}
	}
	return ix
}

func find(t testing.TB, ix *Index, q visitarchive.SearchQuery) *visitarchive.SearchResult {
	t.Helper()
	res, err := ix.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func hitIDs(res *visitarchive.SearchResult) []string {
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, string(h.ID))
	}
	return ids
}

// ids splits a space-separated list; "" is the empty list.
func ids(s string) []string {
	f := strings.Fields(s)
	if f == nil {
		return []string{}
	}
	return f
}

// idRange returns "R07 R08 … R12" for idRange(7, 12).
func idRange(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		if i > from {
			b.WriteByte(' ')
		}
		b.WriteString("R")
		if i < 10 {
			b.WriteByte('0')
		}
		b.WriteString(itoa(i))
	}
	return b.String()
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// wantIDs checks that q (with room for every hit) finds exactly the
// records of want, a space-separated list, and counts them right.
func wantIDs(t *testing.T, ix *Index, q visitarchive.SearchQuery, want string) {
	t.Helper()
	q.Size = 100
	res := find(t, ix, q)
	ws := ids(want)
	if got := sorted(hitIDs(res)); !slices.Equal(got, ws) {
		t.Errorf("got %v\nwant %v", got, ws)
	}
	if res.Total != uint64(len(ws)) {
		t.Errorf("total %d, want %d", res.Total, len(ws))
	}
}
