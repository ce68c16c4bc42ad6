package index

import (
	"slices"
	"strings"
	"testing"

	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/visitarchive/visitarchive"
)

// Blind hashes find exactly the records that carry them (scopeIndex gives
// S01 contact_phone:aaa111 and contact_email:bbb222, S04 contact_phone:aaa111,
// S07 contact_phone:ccc333), and nothing else finds them.
func TestSearchBlind(t *testing.T) {
	ix, _ := scopeIndex(t)
	cases := []struct {
		name string
		q    visitarchive.SearchQuery
		want string
	}{
		{"one hash", visitarchive.SearchQuery{Blind: []string{"contact_phone:aaa111"}}, "S01 S04"},
		{"all must match", visitarchive.SearchQuery{Blind: []string{"contact_phone:aaa111", "contact_email:bbb222"}}, "S01"},
		{"another record", visitarchive.SearchQuery{Blind: []string{"contact_phone:ccc333"}}, "S07"},
		{"the field is part of the value", visitarchive.SearchQuery{Blind: []string{"contact_phone:bbb222"}}, ""},
		{"the hash alone", visitarchive.SearchQuery{Blind: []string{"aaa111"}}, ""},
		{"exact, not a prefix", visitarchive.SearchQuery{Blind: []string{"contact_phone:aaa11"}}, ""},
		{"an empty value matches nothing", visitarchive.SearchQuery{Blind: []string{""}}, ""},
		{"with text", visitarchive.SearchQuery{Text: "电池", Blind: []string{"contact_phone:aaa111"}}, "S01 S04"},
		{"with a filter", visitarchive.SearchQuery{Department: key, Blind: []string{"contact_phone:aaa111"}}, "S04"},
		{"with a scope", visitarchive.SearchQuery{Blind: []string{"contact_phone:aaa111"},
			Scope: clauses(visitarchive.ScopeClause{Owner: "zhangwei"})}, "S01"},
		{"not in the text", visitarchive.SearchQuery{Text: "aaa111"}, ""},
		{"not in the text, whole", visitarchive.SearchQuery{Text: "contact_phone:aaa111"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantIDs(t, ix, c.q, c.want) })
	}
}

// A blind hash never comes back: not in fragments, not in facets, not in
// any stored field of the document.
func TestBlindNeverShown(t *testing.T) {
	ix, _ := scopeIndex(t)
	hashes := []string{"aaa111", "bbb222", "ccc333"}
	res := find(t, ix, visitarchive.SearchQuery{Text: "电池 battery", Blind: []string{"contact_phone:aaa111"}, Size: 100})
	res2 := find(t, ix, visitarchive.SearchQuery{Text: "battery", Size: 100})
	shown := fragments(res) + fragments(res2) + facetText(res) + facetText(res2)
	for _, h := range hashes {
		if strings.Contains(shown, h) {
			t.Errorf("hash %s shown in:\n%s", h, shown)
		}
	}
	if _, ok := res.Facets[fieldBlind]; ok {
		t.Errorf("facets count %s", fieldBlind)
	}
	for _, id := range []string{"S01", "S04", "S07"} {
		for name, value := range storedFields(t, ix, id) {
			if name == fieldBlind || containsAny(value, hashes) {
				t.Errorf("%s stores %s = %q", id, name, value)
			}
		}
	}
}

func facetText(res *visitarchive.SearchResult) string {
	var b strings.Builder
	for f, counts := range res.Facets {
		for _, c := range counts {
			b.WriteString(f + "=" + c.Value + "\n")
		}
	}
	return b.String()
}

// storedFields returns the stored fields of the document id, as Bleve
// gives them back.
func storedFields(t *testing.T, ix *Index, id string) map[string]string {
	t.Helper()
	var doc bindex.Document
	for _, s := range ix.shards {
		d, err := s.Document(id)
		if err != nil {
			t.Fatalf("Document(%s): %v", id, err)
		}
		if d != nil {
			doc = d
		}
	}
	if doc == nil {
		t.Fatalf("Document(%s): in no shard", id)
	}
	out := map[string]string{}
	doc.VisitFields(func(f bindex.Field) {
		out[f.Name()] += string(f.Value())
	})
	if out[fieldText] == "" {
		t.Fatalf("Document(%s) has no stored text: %v", id, out)
	}
	return out
}

func containsAny(s string, subs []string) bool {
	return slices.ContainsFunc(subs, func(sub string) bool { return strings.Contains(s, sub) })
}
