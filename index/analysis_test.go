package index

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// tokens renders the analysis of s as "term/position" items.
func tokens(a analysis.Analyzer, s string) string {
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, fmt.Sprintf("%s/%d", t.Term, t.Position))
	}
	return strings.Join(out, " ")
}

func TestAnalyzer(t *testing.T) {
	a := analyzer()
	for _, c := range []struct{ in, want string }{
		// Han runs become overlapping bigrams at consecutive positions.
		{"数据中心", "数据/1 据中/2 中心/3"},
		// A break in a run leaves a position empty (visitarchive_han_gap),
		// so 数据 据中 中心 is not a phrase here.
		{"大数据。据中心", "大数/1 数据/2 据中/4 中心/5"},
		{"数据 中心", "数据/1 中心/3"},
		// A lone Han character stays itself.
		{"锂，钠", "锂/1 钠/3"},
		{"2026年3月", "2026/1 年/2 3/3 月/4"},
		// Latin words and model numbers stay whole, lower-cased; nothing
		// is dropped or stemmed.
		{"LX-3021B型电池组", "lx/1 3021b/2 型电/3 电池/4 池组/5"},
		{"ISO9001 and IT", "iso9001/1 and/2 it/3"},
		{"Müller Logistics GmbH", "müller/1 logistics/2 gmbh/3"},
		{"General generators", "general/1 generators/2"},
		{"HX-200/300", "hx/1 200/2 300/3"},
		// A possessive 's goes; other apostrophes stay.
		{"Müller's customer’s O'Brien", "müller/1 customer/2 o'brien/3"},
	} {
		if got := tokens(a, c.in); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// grams holds each run of three and of four Han characters that stand
// together in the text, each two other tokens with no token between them,
// and nothing else.
func TestGramsAnalyzer(t *testing.T) {
	a := NewMapping().AnalyzerNamed(gramsAnalyzer)
	for _, c := range []struct{ in, want string }{
		{"数据中心", "数据中/1 据中心/2 数据中心/3"},
		{"大数据。据中心", "大数据/1 据中心/2"},
		{"数据 中心", ""},
		{"LX-3021B型电池组", "lx 3021b/1 型电池/2 电池组/3 型电池组/4"},
		{"交货期 and 报价", "交货期/1"},
		{"深圳华强", "深圳华/1 圳华强/2 深圳华强/3"},
		// Pairs: lower-cased, possessive gone, across punctuation and
		// white space (text has them at consecutive positions), never
		// across a Han character.
		{"T/T 付款", "t t/1"},
		{"HX-200/300", "hx 200/1 200 300/2"},
		{"Müller's Logistics", "müller logistics/1"},
		{"T 中 T", ""},
		{"ISO9001", ""},
	} {
		if got := tokens(a, c.in); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// Full-width letters and digits are folded before the tokenizer, which
// would otherwise drop the digits.
func TestFoldWidth(t *testing.T) {
	a := analyzer()
	if got, want := tokens(a, foldWidth("ＬＸ－３０２１Ｂ ＩＳＯ９００１")), "lx/1 3021b/2 iso9001/3"; got != want {
		t.Errorf("folded: got %s, want %s", got, want)
	}
	if got := tokens(a, "ＩＳＯ９００１"); got != "iso/1" {
		t.Logf("unfolded ＩＳＯ９００１ now gives %s: the tokenizer changed; foldWidth may be unneeded", got)
	}
	if got, want := foldWidth("型号：ＬＸ，３"), "型号：LX，3"; got != want {
		t.Errorf("foldWidth = %q, want %q (punctuation kept)", got, want)
	}
}

// The analysis this package did not choose: English stop words and Porter
// stemming. Each line is a query that would go wrong with them.
func TestRejectedAnalysis(t *testing.T) {
	m := mapping.NewIndexMapping()
	err := m.AddCustomAnalyzer("stemmed", map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name, en.StopName, porter.Name, cjk.BigramName},
	})
	if err != nil {
		t.Fatal(err)
	}
	stemmed, ours := m.AnalyzerNamed("stemmed"), analyzer()
	for _, c := range []struct{ a, b, why string }{
		{"generator", "General", "a search for generator would find General Machinery"},
		{"organic", "organization", "two unrelated words would meet"},
		{"news", "new", "two unrelated words would meet"},
	} {
		if terms(stemmed, c.a) != terms(stemmed, c.b) {
			t.Errorf("stemmed: %s and %s differ; the example no longer shows why", c.a, c.b)
		}
		if terms(ours, c.a) == terms(ours, c.b) {
			t.Errorf("%s and %s are one term: %s", c.a, c.b, c.why)
		}
	}
	// Stop words drop "IT" (the IT department) and "A" (grade A), so the
	// query would be empty and match everything.
	for _, w := range []string{"IT", "A", "ON"} {
		if got := terms(stemmed, w); got != "" {
			t.Errorf("stop words: %s gives %q; the example no longer shows why", w, got)
		}
		if got := terms(ours, w); got != strings.ToLower(w) {
			t.Errorf("%s gives %q, want it kept", w, got)
		}
	}
}

func terms(a analysis.Analyzer, s string) string {
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return strings.Join(out, " ")
}

func TestSplitTerms(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"  LX-3021B\t数据中心 ", []string{"LX-3021B", "数据中心"}},
		{`"Müller Logistics" GmbH`, []string{"Müller Logistics", "GmbH"}},
		{"“数据 中心”电池", []string{"数据 中心", "电池"}},
		{`"unclosed quote`, []string{"unclosed quote"}},
		{"数据\u3000中心", []string{"数据", "中心"}}, // ideographic space
	} {
		if got := splitTerms(c.in); !slices.Equal(got, c.want) {
			t.Errorf("splitTerms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A Han word longer than a gram is its phrase of bigrams ANDed with the
// grams that cover it; a shorter one is a single term.
func TestHanWordQueries(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"报价", `{"term":"报价","field":"text"}`},
		{"交货期", `{"term":"交货期","field":"grams"}`},
		{"第三方检验", `{"conjuncts":[{"term":"第三方检","field":"grams"},{"term":"三方检验","field":"grams"},` +
			`{"terms":["第三","三方","方检","检验"],"field":"text","fuzziness":0}]}`},
		{"年度框架协议", `{"conjuncts":[{"term":"年度框架","field":"grams"},{"term":"框架协议","field":"grams"},` +
			`{"terms":["年度","度框","框架","架协","协议"],"field":"text","fuzziness":0}]}`},
		// Other tokens side by side: their pairs, and for three or more
		// the phrase too.
		{"LX-3021B", `{"term":"lx 3021b","field":"grams"}`},
		{"T/T", `{"term":"t t","field":"grams"}`},
		{"HX-200/300", `{"conjuncts":[{"term":"hx 200","field":"grams"},{"term":"200 300","field":"grams"},` +
			`{"terms":["hx","200","300"],"field":"text","fuzziness":0}]}`},
		// A model number glued to Han text is one phrase of text.
		{"LX-3021B型电", `{"terms":["lx","3021b","型电"],"field":"text","fuzziness":0}`},
	} {
		qs := termQueries(c.text, false, recordFields)
		if len(qs) != 1 {
			t.Fatalf("%s: %v", c.text, qs)
		}
		b, _ := json.Marshal(qs[0])
		if string(b) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.text, b, c.want)
		}
		// The query matches the term in the record's text or in its
		// files' text, alike.
		both, err := textQueries(c.text, false, true)
		if err != nil || len(both) != 1 {
			t.Fatalf("%s: %v %v", c.text, both, err)
		}
		inFiles := strings.NewReplacer(`"field":"text"`, `"field":"files"`, `"field":"grams"`, `"field":"files_grams"`).Replace(c.want)
		b, _ = json.Marshal(both[0])
		if want := `{"disjuncts":[` + c.want + `,` + inFiles + `],"min":0}`; string(b) != want {
			t.Errorf("%s:\n got %s\nwant %s", c.text, b, want)
		}
	}
}
