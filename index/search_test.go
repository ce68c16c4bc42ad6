package index

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/visitarchive/visitarchive"
)

// Every expected set below was worked out by reading testdata/corpus.json:
// a Chinese query matches the records whose free text contains it as a
// substring; an English word or model number matches whole words, in any
// case; customer names are part of every record's text.
// (C01 is R01–R06, C02 R07–R12, … C08 R43–R48.)
var textCases = []struct {
	q, want string
}{
	// Chinese, 2 characters. 据中 occurs only inside 数据中心 and "据中心".
	{"数据", "R04 R10 R13 R14 R16 R18 R38"},
	{"中心", "R04 R10 R13 R14 R16 R18 " + idRange(37, 42)}, // C07 is 杭州中心医院
	{"据中", "R04 R13 R14 R18 R38"},
	{"电池", "R02 R04 R07 R15 " + idRange(25, 31)}, // C05 is 宁德新能源电池有限公司; R36 has "电 池"
	{"池组", "R02 R15 R25 R31 R37"},                // R37: 水池组件
	{"储能", "R02 R13 R17 R27 R31"},
	{"充电", "R26 R28"},
	{"变频", "R05 R30 R33 R41"},
	{"报价", "R02 R21 R43"}, // R21 in summary and competitor_info
	{"海关", "R08 R44"},
	{"清关", "R08"},
	{"系统", "R04 R06 R10 R13 R17 R25 R27 R31 R42"},
	{"噪音", "R13"}, // onsite_notes

	// Chinese, 3 characters: the traps hold the first two or the last two.
	{"电池组", "R02 R15 R25 R31"}, // not R37 (水池组件), not the other 电池 records
	{"变频器", "R05 R30 R41"},     // not R33 (变频 settings)
	{"充电桩", "R26"},             // not R28 (充电和桩基)

	// Chinese, 4 characters and more.
	{"数据中心", "R04 R13 R18 R38"}, // not R14 (大数据。据中心), R10 or R16 (中心数据)
	{"中心数据", "R10 R16"},
	{"储能系统", "R13 R27 R31"}, // not R17 (储能设备和控制系统), not R02 (储能电池组)
	{"电池管理", "R04 R25"},     // not R36 (电 池管理)
	{"信息中心", "R38"},
	{"华强电子", idRange(1, 6) + " R39"},
	{"深圳华强电子有限公司", idRange(1, 6)},
	{"宁德新能源电池有限公司", idRange(25, 30)},

	// Single Han characters: every record that contains the character.
	{"锂", "R07 R27 R45"}, // 锂电池, 锂电, and 锂 standing alone in "锂，钠"
	{"池", "R02 R04 R07 R15 " + idRange(25, 31) + " R36 R37"},
	{"桩", "R26 R28"},

	// English words: whole words, any case, no stemming.
	{"battery", "R07 R32"},
	{"BATTERY", "R07 R32"},
	{"batteries", "R11 R45"},
	{"generator", "R11 R20 R48"}, // not General Machinery
	{"general", idRange(19, 24)},
	{"IT", "R06 R35 R42"},
	{"it", "R06 R35 R42"},
	{"logistics", idRange(7, 12)},
	{"LOGISTICS", idRange(7, 12)},
	{"müller", idRange(7, 12)},
	{"MÜLLER", idRange(7, 12)},
	{"customs", "R08 R44"},
	{"UN38.3", "R45"}, // follow_up
	{"year", "R36"},   // next year's
	{"year's", "R36"},

	// Model numbers.
	{"LX-3021B", "R01 R18 R26 R29 R47"}, // R29 is written ＬＸ－３０２１Ｂ
	{"lx-3021b", "R01 R18 R26 R29 R47"},
	{"ＬＸ－３０２１Ｂ", "R01 R18 R26 R29 R47"},
	{"LX-3021", "R09"},                       // not LX-3021B
	{"3021B", "R01 R03 R18 R26 R29 R40 R47"}, // R03, R40: LX-1000 … 3021B
	{"LX3021B", "R22"},                       // another spelling, another word
	{"LX-1000", "R03 R32 R40"},
	{"HX-200", "R05 R20 R30 R41 R47"}, // R30: HX-200/300; not HX-2000
	{"HX-2000", "R15 R34"},
	{"ISO9001", "R01 R19 R34"}, // not R23 (ISO 14001)

	// Customer names.
	{"Müller Logistics GmbH", idRange(7, 12)},
	{"Nordic Power", idRange(31, 36)},
	{"anatolia", idRange(43, 48)},

	// Several terms: all must match.
	{"LX-3021B 数据中心", "R18"},
	{"Müller 锂", "R07"},
	{"电池组 Nordic", "R31"},
	{"HX-200 变频器", "R05 R30 R41"},
	{"battery 数据中心", ""},

	// Quoted phrases.
	{`"Müller Logistics"`, idRange(7, 12)},
	{`"Logistics Müller"`, ""},
	{`“数据中心”`, "R04 R13 R18 R38"},

	// Sensitive fields are not indexed: contact details, decision chain.
	{"Zeppelin", ""},
	{"zeppelin@mueller.example", ""},
	{"1234567", ""},
	{"刘总", ""},
}

func TestSearchText(t *testing.T) {
	ix := corpusIndex(t)
	for _, c := range textCases {
		t.Run(c.q, func(t *testing.T) {
			res := find(t, ix, visitarchive.SearchQuery{Text: c.q, Size: 100})
			want := ids(c.want)
			if got := sorted(hitIDs(res)); !slices.Equal(got, sorted(want)) {
				t.Errorf("q=%q\n got %v\nwant %v", c.q, got, want)
			}
			if res.Total != uint64(len(want)) {
				t.Errorf("q=%q: total %d, want %d", c.q, res.Total, len(want))
			}
		})
	}
}

// A query without a searchable term (white space, punctuation) does not
// narrow the results.
func TestSearchEmptyText(t *testing.T) {
	ix := corpusIndex(t)
	for _, q := range []string{"", "   ", "-- 。，"} {
		if res := find(t, ix, visitarchive.SearchQuery{Text: q}); res.Total != 48 {
			t.Errorf("q=%q: total %d, want 48", q, res.Total)
		}
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSearchFilters(t *testing.T) {
	ix := corpusIndex(t)
	cases := []struct {
		name string
		q    visitarchive.SearchQuery
		want string
	}{
		{"customer", visitarchive.SearchQuery{CustomerID: "C02"}, idRange(7, 12)},
		{"customer_name", visitarchive.SearchQuery{CustomerName: "Müller Logistics GmbH"}, idRange(7, 12)},
		{"customer_name is exact", visitarchive.SearchQuery{CustomerName: "Müller Logistics"}, ""},
		{"customer_name in Chinese", visitarchive.SearchQuery{CustomerName: "杭州中心医院"}, "R37 R38 R39 R40 R41 R42"},
		{"customer_type", visitarchive.SearchQuery{CustomerType: "key"},
			idRange(1, 6) + " " + idRange(13, 18) + " " + idRange(25, 30)},
		{"customer_type is exact", visitarchive.SearchQuery{CustomerType: "KEY"}, ""},
		{"business_area", visitarchive.SearchQuery{BusinessArea: "energy"}, idRange(25, 36)},
		{"department", visitarchive.SearchQuery{Department: "大客户部"},
			"R03 R05 R13 R14 R15 R17 R18 R25 R26 R28 R29 R30"},
		{"visitor", visitarchive.SearchQuery{Visitor: "lina"},
			"R02 R03 R08 R10 R14 R18 R25 R26 R28 R29 R32"},
		{"status", visitarchive.SearchQuery{Status: "submitted"}, "R03 R09 R15 R23 R26 R34 R40 R47"},
		{"intent", visitarchive.SearchQuery{Intent: "signed"}, "R03 R15 R26 R47"},
		{"country", visitarchive.SearchQuery{Country: "SE"}, idRange(31, 36)},
		{"visitor and intent", visitarchive.SearchQuery{Visitor: "chenjie", Intent: "medium"},
			"R05 R14 R17 R30 R38 R44"},
		{"text and country", visitarchive.SearchQuery{Text: "电池", Country: "CN"},
			"R02 R04 R15 " + idRange(25, 30)},
		{"text and department", visitarchive.SearchQuery{Text: "数据中心", Department: "大客户部"}, "R13 R18"},
		// [from, to): R27 starts exactly at from, R16 exactly at to.
		{"date range", visitarchive.SearchQuery{
			From: date("2025-06-05T10:00:00+08:00"), To: date("2025-06-30T10:00:00+08:00")},
			"R07 R27 R33 R45"},
		{"from only", visitarchive.SearchQuery{From: date("2026-01-01T00:00:00+08:00")},
			"R18 R24 R30 R36 R42 R48"},
		{"to only", visitarchive.SearchQuery{To: date("2025-02-01T00:00:00+08:00")},
			"R01 R13 R25 R37"},
		{"text and from", visitarchive.SearchQuery{Text: "generator", From: date("2026-01-01T00:00:00+08:00")}, "R48"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.q.Size = 100
			res := find(t, ix, c.q)
			want := ids(c.want)
			if got := sorted(hitIDs(res)); !slices.Equal(got, sorted(want)) {
				t.Errorf("got %v\nwant %v", got, want)
			}
			if res.Total != uint64(len(want)) {
				t.Errorf("total %d, want %d", res.Total, len(want))
			}
		})
	}
}

// Sorts and pages give exact ordered lists. C02's visits, by time:
// R08 (02-03), R10 (04-09), R07 (06-17), R11 (08-25), R09 (11-20), R12 (12-09).
func TestSearchSortAndPage(t *testing.T) {
	ix := corpusIndex(t)
	june := visitarchive.SearchQuery{From: date("2025-06-05T10:00:00+08:00"), To: date("2025-06-30T10:00:00+08:00")}
	cases := []struct {
		name  string
		q     visitarchive.SearchQuery
		want  string
		total uint64
	}{
		{"visit_start", visitarchive.SearchQuery{CustomerID: "C02", Sort: "visit_start"}, "R08 R10 R07 R11 R09 R12", 6},
		{"-visit_start", visitarchive.SearchQuery{CustomerID: "C02", Sort: "-visit_start"}, "R12 R09 R11 R07 R10 R08", 6},
		{"relevance ties by id", visitarchive.SearchQuery{CustomerID: "C02"}, idRange(7, 12), 6},
		{"date range by time", with(june, "visit_start", 0, 0), "R27 R33 R07 R45", 4},
		{"text newest first", visitarchive.SearchQuery{Text: "锂", Sort: "-visit_start"}, "R45 R07 R27", 3},
		{"page 2", visitarchive.SearchQuery{CustomerID: "C02", Sort: "visit_start", Page: 2, Size: 2}, "R07 R11", 6},
		{"page 3", visitarchive.SearchQuery{CustomerID: "C02", Sort: "visit_start", Page: 3, Size: 2}, "R09 R12", 6},
		{"past the end", visitarchive.SearchQuery{CustomerID: "C02", Sort: "visit_start", Page: 4, Size: 2}, "", 6},
		// Across time zones: R25 01-15 09:00+08 is before R13 01-22 10:00+08;
		// R08 02-03 09:00+01 is 16:00 in Beijing, before R43 02-10.
		{"all, page 1", visitarchive.SearchQuery{Sort: "visit_start", Size: 5}, "R01 R25 R13 R37 R08", 48},
		{"all, page 2", visitarchive.SearchQuery{Sort: "visit_start", Size: 5, Page: 2}, "R43 R02 R19 R31 R14", 48},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := find(t, ix, c.q)
			if got, want := hitIDs(res), ids(c.want); !slices.Equal(got, want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
			if res.Total != c.total {
				t.Errorf("total %d, want %d", res.Total, c.total)
			}
		})
	}
}

func with(q visitarchive.SearchQuery, sort string, page, size int) visitarchive.SearchQuery {
	q.Sort, q.Page, q.Size = sort, page, size
	return q
}

func TestSearchRelevanceOrder(t *testing.T) {
	ix := corpusIndex(t)
	res := find(t, ix, visitarchive.SearchQuery{Text: "电池"})
	for i, h := range res.Hits {
		if h.Score <= 0 {
			t.Errorf("hit %s has score %v", h.ID, h.Score)
		}
		if i > 0 && h.Score > res.Hits[i-1].Score {
			t.Errorf("hit %s (%v) ranks after %s (%v)", h.ID, h.Score, res.Hits[i-1].ID, res.Hits[i-1].Score)
		}
	}
}

func TestSearchHitFields(t *testing.T) {
	ix := corpusIndex(t)
	res := find(t, ix, visitarchive.SearchQuery{Text: "battery", CustomerID: "C02"})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v, want [R07]", hitIDs(res))
	}
	h := res.Hits[0]
	if h.ID != "R07" || h.CustomerID != "C02" || h.CustomerName != "Müller Logistics GmbH" ||
		h.Topic != "Warehouse battery racks" {
		t.Errorf("hit = %+v", h)
	}
	// The visitor's own offset survives: hits show local visit times.
	if got, want := h.VisitStart.Format(time.RFC3339), "2025-06-17T10:00:00+02:00"; got != want {
		t.Errorf("visit_start = %s, want %s", got, want)
	}
}

// Facet values are ordered by count, then value, as Bleve orders them.
func TestSearchFacets(t *testing.T) {
	ix := corpusIndex(t)
	all := find(t, ix, visitarchive.SearchQuery{Size: 1})
	want := map[string]string{
		"customer_id":        "C01:6 C02:6 C03:6 C04:6 C05:6 C06:6 C07:6 C08:6",
		"customer_type":      "key:18 regular:18 prospect:12",
		"business_area":      "energy:12 datacenter:6 electronics:6 healthcare:6 logistics:6 machinery:6 trading:6",
		"department":         "国际业务部:24 大客户部:12 销售一部:12",
		"visitors":           "tom:22 lina:11 wangfang:10 chenjie:8 zhangwei:6",
		"status":             "draft:40 submitted:8",
		"cooperation_intent": "medium:18 high:11 low:10 none:5 signed:4",
		"country":            "CN:24 DE:6 GB:6 SE:6 TR:6",
		"late":               "", // no record of the corpus was submitted
		"reviewer":           "",
		"retention":          "",
	}
	checkFacets(t, all, want)

	battery := find(t, ix, visitarchive.SearchQuery{Text: "电池", Size: 1})
	checkFacets(t, battery, map[string]string{"customer_id": "C05:6 C01:2 C02:1 C03:1 C06:1"})

	if none := find(t, ix, visitarchive.SearchQuery{NoFacets: true}); none.Facets != nil {
		t.Errorf("NoFacets: facets = %v", none.Facets)
	}
	empty := find(t, ix, visitarchive.SearchQuery{Text: "Zeppelin"})
	if got, ok := empty.Facets["country"]; !ok || len(got) != 0 {
		t.Errorf("no matches: country facet = %v, %v; want present and empty", got, ok)
	}
}

func checkFacets(t *testing.T, res *visitarchive.SearchResult, want map[string]string) {
	t.Helper()
	for field, w := range want {
		var got []string
		for _, fc := range res.Facets[field] {
			got = append(got, fc.Value+":"+itoa(fc.Count))
		}
		if g := strings.Join(got, " "); g != w {
			t.Errorf("facet %s:\n got %s\nwant %s", field, g, w)
		}
	}
}

// A phrase is marked as the whole word the user typed, not bigram by
// bigram or part by part; text around it is escaped.
func TestSearchHighlight(t *testing.T) {
	ix := corpusIndex(t)
	extra := visitarchive.Record{ID: "X1", CustomerID: "C09", Summary: `Quote <b>LX-3021B</b> & co.`}
	if err := ix.Apply(t.Context(), 2, []visitarchive.IndexDoc{{Record: &extra}}, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ q, id, want string }{
		{"数据中心", "R13", "客户的<mark>数据中心</mark>二期扩容"},
		{"电池组", "R31", "需要储能系统和<mark>电池组</mark>。"},
		{"储能系统", "R31", "需要<mark>储能系统</mark>和"},
		{"LX-3021B", "R01", "客户对<mark>LX-3021B</mark>的散热"},
		{"ＬＸ－３０２１Ｂ", "R29", "反馈一批<mark>LX－3021B</mark>模块"},
		{"HX-200", "R30", "推介<mark>HX-200</mark>/300系列"},
		{"battery", "R07", "a <mark>battery</mark> pack"},
		{"Müller Logistics", "R12", "<mark>Müller</mark> <mark>Logistics</mark> expects"},
		{"锂", "R45", "<mark>锂</mark>，钠"},
		{"LX-3021B", "X1", "Quote &lt;b&gt;<mark>LX-3021B</mark>&lt;/b&gt; &amp; co."},
	}
	for _, c := range cases {
		t.Run(c.q+"/"+c.id, func(t *testing.T) {
			res := find(t, ix, visitarchive.SearchQuery{Text: c.q, Size: 100, NoFacets: true})
			for _, h := range res.Hits {
				if string(h.ID) != c.id {
					continue
				}
				frags := strings.Join(h.Fragments["text"], "\n")
				if !strings.Contains(frags, c.want) {
					t.Errorf("fragments of %s do not contain %q:\n%s", c.id, c.want, frags)
				}
				return
			}
			t.Errorf("%s not among the hits %v", c.id, hitIDs(res))
		})
	}
	res := find(t, ix, visitarchive.SearchQuery{CustomerID: "C02"})
	if h := res.Hits[0]; h.Fragments != nil {
		t.Errorf("a search without text has fragments: %v", h.Fragments)
	}
}

func TestSearchInvalid(t *testing.T) {
	ix := corpusIndex(t)
	for _, q := range []visitarchive.SearchQuery{
		{Sort: "customer"},
		{Size: visitarchive.MaxPageSize + 1},
		{Page: -1},
		{From: date("2025-02-01T00:00:00Z"), To: date("2025-01-01T00:00:00Z")},
		{Text: strings.Repeat("词 ", maxTerms+1)},
		{Text: strings.Repeat("锂，", maxTerms+1)},
	} {
		_, err := ix.Search(t.Context(), q)
		if !visitarchive.IsKind(err, visitarchive.Invalid) {
			t.Errorf("Search(%+v) = %v, want Invalid", q, err)
		}
	}
}

// Why each Han run is a phrase: Bleve's match query ORs the bigrams of
// 数据中心, and then finds every record with 数据, 据中 or 中心; a term
// query for one character finds only where it stood alone.
func TestPlainQueriesOvermatchAndMiss(t *testing.T) {
	ix := corpusIndex(t)
	mq := query.NewMatchQuery("数据中心")
	mq.SetField(fieldText)
	tq := query.NewTermQuery("锂")
	tq.SetField(fieldText)
	for _, c := range []struct {
		q    query.Query
		want string
	}{
		{mq, "R04 R10 R13 R14 R16 R18 " + idRange(37, 42)}, // ours: R04 R13 R18 R38
		{tq, "R45"}, // ours: R07 R27 R45
	} {
		res, err := ix.bi.Search(bleve.NewSearchRequestOptions(c.q, 100, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		if want := ids(c.want); !slices.Equal(sorted(got), want) {
			t.Errorf("plain %T: got %v, want %v", c.q, sorted(got), want)
		}
	}
}

// Two words side by side are one term of grams (T/T, a model number, a
// quoted pair of names); three or more are their pairs and the phrase.
// They find exactly the records that text's phrase of the same words
// finds, which reads positions.
func TestWordPairsAnswerAsPhrases(t *testing.T) {
	ix := openTest(t, t.TempDir())
	var docs []visitarchive.IndexDoc
	for i, s := range []string{
		"付款方式 T/T 30% deposit",
		"t-t 测试",
		"T 中 T",
		"T. Then T",
		"TT and T",
		"Müller's logistics",
		"HX-200/300 变频器",
		"HX-200 and 300",
		"LX-3021B型电池组",
		"LX-1000 3021B",
	} {
		r := &visitarchive.Record{ID: visitarchive.RecordID(fmt.Sprintf("R%02d", i+1)), Summary: s}
		docs = append(docs, visitarchive.IndexDoc{Record: r})
	}
	if err := ix.Apply(t.Context(), 1, docs, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ q, want string }{
		{"T/T", "R01 R02"},
		{`"then t"`, "R04"},
		{`"t then"`, "R04"},
		{`"t and"`, ""},
		{`"and T"`, "R05"},
		{`"TT and"`, "R05"},
		{`"Müller Logistics"`, "R06"},
		{"HX-200/300", "R07"},
		{"200/300", "R07"},
		{"HX-200", "R07 R08"},
		{"LX-3021B", "R09"},
		{"1000-3021B", "R10"},
		{"3021B-1000", ""},
	} {
		res := find(t, ix, visitarchive.SearchQuery{Text: c.q, Size: 100})
		if got, want := sorted(hitIDs(res)), sorted(ids(c.want)); !slices.Equal(got, want) {
			t.Errorf("q=%q\n got %v\nwant %v", c.q, got, want)
		}
		// The phrases of text, as highlighting asks them, agree.
		phrases, err := textQueries(c.q, true, false)
		if err != nil {
			t.Fatal(err)
		}
		req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery(phrases), 100, 0, false)
		pres, err := ix.bi.SearchInContext(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		var pids []string
		for _, h := range pres.Hits {
			pids = append(pids, h.ID)
		}
		if got := sorted(hitIDs(res)); !slices.Equal(got, sorted(pids)) {
			t.Errorf("q=%q: grams found %v, text's phrases %v", c.q, got, sorted(pids))
		}
	}
}
