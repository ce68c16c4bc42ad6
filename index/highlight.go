package index

import (
	"html"
	"strings"
	"unicode/utf8"

	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	"github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	simplehl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
)

const (
	highlighterName = "visitarchive_mark"
	// fragmentRunes is the length of one fragment in characters: about two
	// lines of Chinese text in a result list.
	fragmentRunes = 100
	// maxFragments per hit: Bleve asks for one; two show more context when
	// the terms are far apart.
	maxFragments = 2
)

func init() {
	err := registry.RegisterHighlighter(highlighterName,
		func(map[string]any, *registry.Cache) (highlight.Highlighter, error) {
			return newHighlighter(), nil
		})
	if err != nil {
		panic(err)
	}
}

// highlighter is Bleve's simple highlighter with markFormatter, returning
// up to maxFragments fragments.
type highlighter struct{ *simplehl.Highlighter }

func newHighlighter() highlighter {
	return highlighter{simplehl.NewHighlighter(
		simple.NewFragmenter(fragmentRunes), markFormatter{}, simplehl.DefaultSeparator)}
}

func (h highlighter) BestFragmentsInField(dm *search.DocumentMatch, doc bindex.Document, field string, _ int) []string {
	return h.Highlighter.BestFragmentsInField(dm, doc, field, maxFragments)
}

// markFormatter writes a fragment as escaped HTML with <mark> around each
// match. Matches that overlap (the bigrams 数据 据中 中心 of 数据中心) or
// touch across one joining character (lx - 3021b of LX-3021B) become one
// mark, so a phrase is marked as the word the user typed.
type markFormatter struct{}

func (markFormatter) Format(f *highlight.Fragment, locs highlight.TermLocations) string {
	var b strings.Builder
	pos := f.Start
	for _, s := range markSpans(f, locs) {
		b.WriteString(html.EscapeString(string(f.Orig[pos:s.start])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(string(f.Orig[s.start:s.end])))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(string(f.Orig[pos:f.End])))
	return b.String()
}

type span struct{ start, end int }

// markSpans returns the merged spans of locs inside f, in order. locs is
// sorted by start (Bleve orders it) and may hold nils.
func markSpans(f *highlight.Fragment, locs highlight.TermLocations) []span {
	var spans []span
	for _, l := range locs {
		if l == nil || !l.ArrayPositions.Equals(f.ArrayPositions) ||
			l.Start < f.Start || l.End > f.End {
			continue
		}
		n := len(spans)
		if n > 0 && joins(f.Orig[spans[n-1].end:max(l.Start, spans[n-1].end)]) {
			spans[n-1].end = max(spans[n-1].end, l.End)
			continue
		}
		spans = append(spans, span{l.Start, l.End})
	}
	return spans
}

// joins reports whether the text between two matches is nothing (they
// touch or overlap) or one character that joins the parts of a model
// number or code, in ASCII or full width.
func joins(gap []byte) bool {
	if len(gap) == 0 {
		return true
	}
	r, n := utf8.DecodeRune(gap)
	return n == len(gap) && strings.ContainsRune("-_./－＿．／", r)
}
