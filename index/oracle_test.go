package index

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// The oracle corpus is written to trap a search that matches character
// pairs instead of words: its Chinese runs are drawn from fourteen
// characters, so that almost every pair of them occurs somewhere, and its
// model numbers share their parts.
var (
	oracleHan     = []rune("数据中心电池组储能系统框架协")
	oracleWords   = []string{"price", "prices", "sample", "order", "tender", "freight", "quote"}
	oracleModels  = []string{"LX-3021B", "LX-3021", "LX-3022B", "MX-3021B", "3021B", "LX 3021B", "LX3021B", "lx-3021b", "ＬＸ－３０２１Ｂ"}
	oracleBreaks  = []string{"，", "。", " ", "、", "\n", ""}
	oracleRecords = 400
)

// TestSearchAgreesWithScan holds Search to a scan of the text on a
// generated corpus: a Chinese word of one to six characters finds exactly
// the records whose text holds it, an English word or a model number
// exactly those that hold it as whole words in any case, and several
// terms the records that hold each.
func TestSearchAgreesWithScan(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { agreesWithScan(t, rand.New(rand.NewPCG(2026, seed))) })
	}
}

func agreesWithScan(t *testing.T, rng *rand.Rand) {
	docs := oracleCorpus(rng)
	ix := openTest(t, t.TempDir())
	if err := ix.Apply(t.Context(), 1, docs, nil); err != nil {
		t.Fatal(err)
	}
	texts := make(map[string]string, len(docs))
	for _, d := range docs {
		texts[string(d.Record.ID)] = strings.ToLower(foldWidth(docText(d)))
	}
	queries := oracleQueries(rng, texts)
	var found, empty int
	for _, q := range queries {
		want := scanFor(texts, q)
		got := allHits(t, ix, q)
		if !slices.Equal(got, want) {
			t.Errorf("%q: search found %d records, the scan %d\n missed: %v\n extra:  %v",
				q, len(got), len(want), without(want, got), without(got, want))
		}
		if len(want) == 0 {
			empty++
		}
		found += len(want)
	}
	t.Logf("%d queries, %d match nothing, %d matches in all", len(queries), empty, found)
	// The corpus must trap: most queries match some records, some none.
	if empty == 0 || empty > len(queries)/2 || found < len(queries)*5 {
		t.Fatalf("a weak corpus: %d queries, %d match nothing, %d matches in all", len(queries), empty, found)
	}
}

// oracleCorpus makes the records: a topic and a summary of Chinese runs,
// English words and model numbers between breaks.
func oracleCorpus(rng *rand.Rand) []visitarchive.IndexDoc {
	cust := &visitarchive.Customer{ID: "C1", Name: "Oracle Co"}
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	docs := make([]visitarchive.IndexDoc, oracleRecords)
	for i := range docs {
		r := &visitarchive.Record{ID: visitarchive.RecordID(fmt.Sprintf("R%04d", i)), Version: 1,
			CustomerID: cust.ID, CustomerName: cust.Name, VisitStart: start.Add(time.Duration(i) * time.Hour),
			Topic: oracleText(rng, 2), Summary: oracleText(rng, 8)}
		docs[i] = visitarchive.IndexDoc{Record: r, Customer: cust}
	}
	return docs
}

// oracleText joins parts pieces of text with breaks.
func oracleText(rng *rand.Rand, parts int) string {
	var b strings.Builder
	for i := range parts {
		if i > 0 {
			b.WriteString(oracleBreaks[rng.IntN(len(oracleBreaks))])
		}
		switch n := rng.IntN(10); {
		case n < 6:
			b.WriteString(hanRun(rng, 1+rng.IntN(7)))
		case n < 8:
			b.WriteString(oracleWords[rng.IntN(len(oracleWords))])
		default:
			b.WriteString(oracleModels[rng.IntN(len(oracleModels))])
		}
	}
	return b.String()
}

func hanRun(rng *rand.Rand, n int) string {
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = oracleHan[rng.IntN(len(oracleHan))]
	}
	return string(rs)
}

// oracleQueries are Chinese words of one to six characters, half of them
// cut from the corpus and half made up of its characters, every English
// word and model number of the corpus, and a few queries of several terms.
func oracleQueries(rng *rand.Rand, texts map[string]string) []string {
	ids := slices.Sorted(maps.Keys(texts))
	var qs []string
	for len(qs) < 240 {
		n := 1 + rng.IntN(6)
		if len(qs)%2 == 1 {
			qs = append(qs, hanRun(rng, n))
			continue
		}
		for _, run := range hanRunsOf(texts[ids[rng.IntN(len(ids))]]) {
			if rs := []rune(run); len(rs) >= n {
				at := rng.IntN(len(rs) - n + 1)
				qs = append(qs, string(rs[at:at+n]))
				break
			}
		}
	}
	qs = append(qs, oracleWords...)
	qs = append(qs, oracleModels...)
	// Terms apart are all required; a quoted phrase is one term.
	return append(qs, `"LX 3021B"`, "数据 price", "LX 3021B 中心", "sample quote")
}

var hanRunRE = regexp.MustCompile(`\p{Han}+`)

func hanRunsOf(s string) []string { return hanRunRE.FindAllString(s, -1) }

// scanFor returns the ids, sorted, of the texts that hold every term of
// q (cut at white space, a quoted phrase being one term).
func scanFor(texts map[string]string, q string) []string {
	terms := strings.Fields(q)
	if unquoted, ok := strings.CutPrefix(q, `"`); ok {
		terms = []string{strings.TrimSuffix(unquoted, `"`)}
	}
	var matchers []func(string) bool
	for _, term := range terms {
		matchers = append(matchers, termMatcher(term))
	}
	var out []string
	for id, text := range texts {
		if !slices.ContainsFunc(matchers, func(m func(string) bool) bool { return !m(text) }) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// termMatcher matches a Chinese word as a substring, and words (letters
// and digits, full-width or not) as whole words in a row, whatever
// separates them (a hyphen, a space, a slash), none of it a letter, a
// digit or a Han character.
func termMatcher(term string) func(string) bool {
	term = strings.ToLower(foldWidth(term)) // as the texts are
	if hanRunRE.MatchString(term) {
		return func(text string) bool { return strings.Contains(text, term) }
	}
	words := regexp.MustCompile(`[a-z0-9]+`).FindAllString(term, -1)
	return regexp.MustCompile(`(^|[^a-z0-9])` + strings.Join(words, `[^a-z0-9\p{Han}]+`) + `($|[^a-z0-9])`).MatchString
}

// allHits returns the ids, sorted, of every record Search finds for text,
// page by page.
func allHits(t *testing.T, ix *Index, text string) []string {
	t.Helper()
	var out []string
	for page := 1; ; page++ {
		res := find(t, ix, visitarchive.SearchQuery{Text: text, Page: page, Size: visitarchive.MaxPageSize, NoFacets: true})
		for _, h := range res.Hits {
			out = append(out, string(h.ID))
		}
		if len(res.Hits) < visitarchive.MaxPageSize {
			if uint64(len(out)) != res.Total {
				t.Fatalf("%q: %d hits on the pages, total %d", text, len(out), res.Total)
			}
			break
		}
	}
	slices.Sort(out)
	return out
}

// without returns the elements of a not in b.
func without(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(s string) bool { return slices.Contains(b, s) })
}
