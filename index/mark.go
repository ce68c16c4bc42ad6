package index

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/highlight"
)

// The fragments of the text of files. The index keeps no text of files
// (files is not stored), so it cannot highlight them; the Archive reads
// the sealed text of a hit's files and asks Mark for the page and the
// fragment, which Mark finds as a search matches: the words of the query
// analysed as the text is, each run of tokens at consecutive positions
// (a Chinese word, a model number) where they stand together, a lone Han
// character in any token that holds it.

// markLead is how many characters a fragment shows before the first
// match.
const markLead = 20

// Mark finds the words of text in pages, as Search matches them in the
// text of files, and returns the page (from 0) where the most of them
// stand, the first such, with a fragment of it of about fragmentRunes
// characters marked as Search marks text; ok is false when no page holds
// any. It looks no further once a page holds them all.
func (ix *Index) Mark(text string, pages []string) (page int, fragment string, ok bool) {
	cs := markClauses(text)
	if len(cs) == 0 {
		return 0, "", false
	}
	best, most := -1, 0
	var bestSpans []span
	var bestText string
	for i, p := range pages {
		folded := foldWidth(p)
		spans, n := findClauses(cs, folded)
		if n > most {
			best, most, bestSpans, bestText = i, n, spans, folded
		}
		if n == len(cs) {
			break
		}
	}
	if best < 0 {
		return 0, "", false
	}
	return best, markedFragment(bestText, bestSpans), true
}

// markClause is one thing a query's text must match: a run of tokens at
// consecutive positions, or a lone Han character.
type markClause struct {
	run  []string
	char string
}

// markClauses cuts text into clauses as termQueries does.
func markClauses(text string) []markClause {
	var out []markClause
	for _, term := range splitTerms(foldWidth(text)) {
		toks := analyzer().Analyze([]byte(term))
		var run []string
		flush := func() {
			if len(run) > 0 {
				out = append(out, markClause{run: run})
				run = nil
			}
		}
		for i, t := range toks {
			if t.Type == analysis.Single {
				flush()
				out = append(out, markClause{char: string(t.Term)})
				continue
			}
			if len(run) > 0 && t.Position != toks[i-1].Position+1 {
				flush()
			}
			run = append(run, string(t.Term))
		}
		flush()
	}
	return out
}

// findClauses returns where in text the clauses match, in order, and how
// many of them match at all.
func findClauses(cs []markClause, text string) ([]span, int) {
	toks := analyzer().Analyze([]byte(text))
	at := make(map[int]*analysis.Token, len(toks))
	for _, t := range toks {
		at[t.Position] = t
	}
	var spans []span
	n := 0
	for _, c := range cs {
		found := false
		for _, t := range toks {
			if s, ok := c.matchAt(t, at); ok {
				spans = append(spans, s)
				found = true
			}
		}
		if found {
			n++
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)) })
	return spans, n
}

// matchAt reports whether c matches from token t on, and where; at
// holds the tokens by position.
func (c markClause) matchAt(t *analysis.Token, at map[int]*analysis.Token) (span, bool) {
	if c.char != "" {
		// As charQuery: a term of at most three characters that holds
		// it; the mark is on the character alone.
		i := strings.Index(string(t.Term), c.char)
		if i < 0 || utf8.RuneCount(t.Term) > 3 || t.End-t.Start != len(t.Term) {
			return span{}, false
		}
		return span{t.Start + i, t.Start + i + len(c.char)}, true
	}
	if string(t.Term) != c.run[0] {
		return span{}, false
	}
	end := t.End
	for k := 1; k < len(c.run); k++ {
		u := at[t.Position+k]
		if u == nil || string(u.Term) != c.run[k] {
			return span{}, false
		}
		end = u.End
	}
	return span{t.Start, end}, true
}

// markedFragment is the fragment of text that begins markLead characters
// before the first of spans and is fragmentRunes long (or reaches the end
// of that span), with each span inside it marked.
func markedFragment(text string, spans []span) string {
	start := spans[0].start
	for k := 0; k < markLead && start > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	end := start
	for k := 0; k < fragmentRunes && end < len(text); k++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	end = max(end, spans[0].end)
	locs := make(highlight.TermLocations, 0, len(spans))
	for _, s := range spans {
		if s.start >= start && s.end <= end {
			locs = append(locs, &highlight.TermLocation{Start: s.start, End: s.end})
		}
	}
	return markFormatter{}.Format(&highlight.Fragment{Orig: []byte(text), Start: start, End: end}, locs)
}
