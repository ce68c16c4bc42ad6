package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// Departments and statuses of the scope fixture.
const (
	sales = "销售一部"
	key   = "大客户部"
	intl  = "国际业务部"

	draft     = visitarchive.StatusDraft
	submitted = visitarchive.StatusSubmitted
	returned  = visitarchive.StatusReturned
	approved  = visitarchive.StatusApproved
	archived  = visitarchive.StatusArchived
)

// scopeRecords is a small fixture for scopes, in visit_start order: three
// departments and records without, four owners, shared visitors, every
// status. 电池 is in S01 S02 S04 S06 S08 S10; 数据中心 in S04 S05.
func scopeRecords() []*visitarchive.Record {
	rec := func(n int, dept string, owner visitarchive.UserName, visitors string,
		st visitarchive.RecordStatus, summary string) *visitarchive.Record {
		r := &visitarchive.Record{
			ID: visitarchive.RecordID("S" + pad2(n)), CustomerID: "K1", Status: st,
			Department: visitarchive.DepartmentID(dept), Summary: summary,
			VisitStart: time.Date(2025, 3, n, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		}
		for _, v := range strings.Fields(visitors) {
			r.Visitors = append(r.Visitors, visitarchive.UserName(v))
		}
		r.CreatedBy = owner
		return r
	}
	return []*visitarchive.Record{
		rec(1, sales, "zhangwei", "zhangwei", draft, "电池 储能方案"),
		rec(2, sales, "lina", "lina zhangwei", submitted, "电池报价"),
		rec(3, sales, "zhangwei", "tom", approved, "变频器交流"),
		rec(4, key, "lina", "lina", returned, "电池 数据中心扩容"),
		rec(5, key, "chenjie", "chenjie lina", approved, "数据中心 代号青龙 机密"),
		rec(6, key, "chenjie", "chenjie", archived, "电池回收"),
		rec(7, intl, "tom", "tom", draft, "battery quote"),
		rec(8, intl, "tom", "tom zhangwei", submitted, "电池 battery"),
		rec(9, intl, "lina", "lina", archived, "customs"),
		rec(10, "", "zhangwei", "zhangwei", draft, "电池 test"),
		rec(11, "", "", "", "", "旧档案"), // nothing to scope by but its absence
	}
}

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

// scopeIndex returns a new index holding scopeRecords, with blind hashes
// on S01, S04 and S07 (see TestSearchBlind).
func scopeIndex(t testing.TB) (*Index, []*visitarchive.Record) {
	t.Helper()
	recs := scopeRecords()
	blind := map[visitarchive.RecordID][]string{
		"S01": {"contact_phone:aaa111", "contact_email:bbb222"},
		"S04": {"contact_phone:aaa111"},
		"S07": {"contact_phone:ccc333"},
	}
	docs := make([]visitarchive.IndexDoc, len(recs))
	for i, r := range recs {
		docs[i] = visitarchive.IndexDoc{Record: r, Blind: blind[r.ID]}
	}
	ix := openTest(t, t.TempDir())
	if err := ix.Apply(t.Context(), 1, docs, nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return ix, recs
}

// depts and statuses return a non-nil list even when empty: an empty
// list allows nothing, where nil allows any.
func depts(d ...visitarchive.DepartmentID) []visitarchive.DepartmentID {
	return append([]visitarchive.DepartmentID{}, d...)
}

func statuses(s ...visitarchive.RecordStatus) []visitarchive.RecordStatus {
	return append([]visitarchive.RecordStatus{}, s...)
}

func clauses(cs ...visitarchive.ScopeClause) *visitarchive.Scope {
	return &visitarchive.Scope{Clauses: cs}
}

const allScope = "S01 S02 S03 S04 S05 S06 S07 S08 S09 S10 S11"

type scopeCase struct {
	name  string
	scope *visitarchive.Scope
	want  string // in visit_start order
}

var scopeCases = []scopeCase{
	{"nil", nil, allScope},
	{"all", &visitarchive.Scope{All: true}, allScope},
	{"all ignores clauses", &visitarchive.Scope{All: true, Clauses: []visitarchive.ScopeClause{{Owner: "nobody"}}},
		allScope},
	{"no clauses", &visitarchive.Scope{}, ""},
	{"empty clause", clauses(visitarchive.ScopeClause{}), allScope},
	{"department", clauses(visitarchive.ScopeClause{Departments: depts(sales)}), "S01 S02 S03"},
	{"two departments", clauses(visitarchive.ScopeClause{Departments: depts(sales, key)}),
		"S01 S02 S03 S04 S05 S06"},
	{"no department allowed", clauses(visitarchive.ScopeClause{Departments: depts()}), ""},
	{"unknown department", clauses(visitarchive.ScopeClause{Departments: depts("采购部")}), ""},
	{"without department", clauses(visitarchive.ScopeClause{Departments: depts("")}), "S10 S11"},
	{"without department, or 大客户部", clauses(visitarchive.ScopeClause{Departments: depts(key, "")}),
		"S04 S05 S06 S10 S11"},
	{"without status", clauses(visitarchive.ScopeClause{Statuses: statuses("")}), "S11"},
	{"owner", clauses(visitarchive.ScopeClause{Owner: "zhangwei"}), "S01 S03 S10"},
	{"participant", clauses(visitarchive.ScopeClause{Participant: "lina"}), "S02 S04 S05 S09"},
	{"statuses", clauses(visitarchive.ScopeClause{Statuses: statuses(submitted, approved)}),
		"S02 S03 S05 S08"},
	{"no status allowed", clauses(visitarchive.ScopeClause{Statuses: statuses()}), ""},
	{"department and statuses", clauses(visitarchive.ScopeClause{Departments: depts(key),
		Statuses: statuses(approved, archived)}), "S05 S06"},
	{"department and owner", clauses(visitarchive.ScopeClause{Departments: depts(intl), Owner: "lina"}), "S09"},
	{"owner and participant", clauses(visitarchive.ScopeClause{Owner: "tom", Participant: "zhangwei"}), "S08"},
	{"all four fields", clauses(visitarchive.ScopeClause{Departments: depts(sales, intl), Owner: "tom",
		Participant: "tom", Statuses: statuses(submitted)}), "S08"},
	{"all four fields, no match", clauses(visitarchive.ScopeClause{Departments: depts(sales), Owner: "tom",
		Participant: "tom", Statuses: statuses(submitted)}), ""},
	// A reviewer of 销售一部 who also reads their own and their visits.
	{"reviewer", clauses(
		visitarchive.ScopeClause{Departments: depts(sales), Statuses: statuses(submitted, approved, archived)},
		visitarchive.ScopeClause{Owner: "zhangwei"},
		visitarchive.ScopeClause{Participant: "zhangwei"}),
		"S01 S02 S03 S08 S10"},
	{"a clause that allows nothing", clauses(
		visitarchive.ScopeClause{Departments: depts()},
		visitarchive.ScopeClause{Owner: "chenjie"}), "S05 S06"},
	{"an empty clause among others", clauses(
		visitarchive.ScopeClause{Owner: "chenjie"},
		visitarchive.ScopeClause{}), allScope},
	{"values are exact", clauses(visitarchive.ScopeClause{Owner: "ZhangWei"},
		visitarchive.ScopeClause{Statuses: statuses("Draft")}), ""},
}

// byVisitStart lists every record in scope, as a listing page does.
func byVisitStart(scope *visitarchive.Scope) visitarchive.SearchQuery {
	return visitarchive.SearchQuery{Scope: scope, Sort: visitarchive.SortVisitStart, Size: 100}
}

func TestSearchScope(t *testing.T) {
	ix, _ := scopeIndex(t)
	for _, c := range scopeCases {
		t.Run(c.name, func(t *testing.T) {
			res := find(t, ix, byVisitStart(c.scope))
			want := ids(c.want)
			if got := hitIDs(res); !slices.Equal(got, want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
			if res.Total != uint64(len(want)) {
				t.Errorf("total %d, want %d", res.Total, len(want))
			}
		})
	}
}

// The index agrees with Scope.Match, record by record, for every scope of
// the table and for a few hundred random ones: the Authorizer promises
// Allowed == Scope.Match, so search must not show more (or less) than a
// check of each record would.
func TestSearchScopeAgreesWithMatch(t *testing.T) {
	ix, recs := scopeIndex(t)
	scopes := make([]*visitarchive.Scope, 0, len(scopeCases)+300)
	for _, c := range scopeCases {
		scopes = append(scopes, c.scope)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		scopes = append(scopes, randomScope(rng))
	}
	for _, s := range scopes {
		want := []string{}
		for _, r := range recs {
			if s == nil || s.Match(visitarchive.RecordResource(r)) {
				want = append(want, string(r.ID))
			}
		}
		res := find(t, ix, byVisitStart(s))
		if got := hitIDs(res); !slices.Equal(got, want) || res.Total != uint64(len(want)) {
			t.Errorf("scope %+v:\n got %v (total %d)\nwant %v", s, got, res.Total, want)
		}
	}
}

// randomScope draws up to three clauses from values that hit, miss and
// sit on the edges (nil against empty lists, the empty department).
func randomScope(rng *rand.Rand) *visitarchive.Scope {
	deptSets := [][]visitarchive.DepartmentID{nil, nil, {}, {sales}, {key, intl}, {""}, {"", sales}, {"采购部"}}
	users := []visitarchive.UserName{"", "", "zhangwei", "lina", "tom", "chenjie", "nobody"}
	statusSets := [][]visitarchive.RecordStatus{nil, nil, {}, {draft}, {submitted, approved}, {returned, archived}, {"", draft}}
	s := &visitarchive.Scope{All: rng.IntN(20) == 0}
	for range rng.IntN(4) {
		s.Clauses = append(s.Clauses, visitarchive.ScopeClause{
			Departments: deptSets[rng.IntN(len(deptSets))],
			Owner:       users[rng.IntN(len(users))],
			Participant: users[rng.IntN(len(users))],
			Statuses:    statusSets[rng.IntN(len(statusSets))],
		})
	}
	return s
}

// A scope narrows text queries and the other filters, and they narrow it.
func TestSearchScopeWithQuery(t *testing.T) {
	ix, _ := scopeIndex(t)
	reviewer := scopeCases[slices.IndexFunc(scopeCases, func(c scopeCase) bool { return c.name == "reviewer" })].scope
	cases := []struct {
		name string
		q    visitarchive.SearchQuery
		want string
	}{
		{"text", visitarchive.SearchQuery{Text: "电池", Scope: clauses(visitarchive.ScopeClause{Departments: depts(key)})},
			"S04 S06"},
		{"text, reviewer", visitarchive.SearchQuery{Text: "电池", Scope: reviewer}, "S01 S02 S08 S10"},
		{"phrase out of scope", visitarchive.SearchQuery{Text: "代号青龙", Scope: clauses(visitarchive.ScopeClause{Owner: "lina"})}, ""},
		{"text, nothing allowed", visitarchive.SearchQuery{Text: "电池", Scope: &visitarchive.Scope{}}, ""},
		{"status filter", visitarchive.SearchQuery{Status: "draft", Scope: reviewer}, "S01 S10"},
		{"visitor filter", visitarchive.SearchQuery{Visitor: "tom", Scope: reviewer}, "S03 S08"},
		{"department filter outside the scope", visitarchive.SearchQuery{Department: key, Scope: reviewer}, ""},
		{"date range", visitarchive.SearchQuery{From: date("2025-03-02T00:00:00+08:00"),
			To: date("2025-03-09T00:00:00+08:00"), Scope: reviewer}, "S02 S03 S08"},
		{"text and filters", visitarchive.SearchQuery{Text: "battery", Visitor: "zhangwei", Scope: reviewer}, "S08"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantIDs(t, ix, c.q, c.want) })
	}
}

// The scope does not score: the hits in scope keep the scores and the
// order they have without it.
func TestSearchScopeKeepsRelevance(t *testing.T) {
	ix, recs := scopeIndex(t)
	scope := clauses(visitarchive.ScopeClause{Departments: depts(sales, intl)},
		visitarchive.ScopeClause{Owner: "zhangwei"})
	inScope := map[visitarchive.RecordID]bool{}
	for _, r := range recs {
		inScope[r.ID] = scope.Match(visitarchive.RecordResource(r))
	}
	for _, text := range []string{"电池", "电池 battery", "数据中心"} {
		all := find(t, ix, visitarchive.SearchQuery{Text: text, Size: 100})
		var want []visitarchive.SearchHit
		for _, h := range all.Hits {
			if inScope[h.ID] {
				want = append(want, h)
			}
		}
		got := find(t, ix, visitarchive.SearchQuery{Text: text, Size: 100, Scope: scope}).Hits
		if !slices.EqualFunc(got, want, sameRank) {
			t.Errorf("q=%q:\n got %v\nwant %v", text, ranks(got), ranks(want))
		}
	}
}

func sameRank(a, b visitarchive.SearchHit) bool { return a.ID == b.ID && a.Score == b.Score }

func ranks(hs []visitarchive.SearchHit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, fmt.Sprintf("%s=%.6f", h.ID, h.Score))
	}
	return out
}

// Totals and facets count only the records in scope; a scope that allows
// nothing gives no total and empty facets.
func TestSearchScopeFacets(t *testing.T) {
	ix, _ := scopeIndex(t)
	intlOnly := clauses(visitarchive.ScopeClause{Departments: depts(intl)})
	res := find(t, ix, visitarchive.SearchQuery{Scope: intlOnly, Size: 1})
	if res.Total != 3 {
		t.Errorf("国际业务部: total %d, want 3", res.Total)
	}
	checkFacets(t, res, map[string]string{
		"department": "国际业务部:3",
		"status":     "archived:1 draft:1 submitted:1",
		"visitors":   "tom:2 lina:1 zhangwei:1",
	})

	keyOnly := clauses(visitarchive.ScopeClause{Departments: depts(key)})
	res = find(t, ix, visitarchive.SearchQuery{Text: "电池", Scope: keyOnly})
	if res.Total != 2 {
		t.Errorf("电池 in 大客户部: total %d, want 2", res.Total)
	}
	checkFacets(t, res, map[string]string{
		"department": "大客户部:2",
		"status":     "archived:1 returned:1",
		"visitors":   "chenjie:1 lina:1",
	})

	for _, text := range []string{"", "电池"} {
		none := find(t, ix, visitarchive.SearchQuery{Text: text, Scope: &visitarchive.Scope{}})
		if none.Total != 0 || len(none.Hits) != 0 {
			t.Errorf("q=%q, no clauses: total %d, hits %v", text, none.Total, hitIDs(none))
		}
		for _, f := range visitarchive.FacetFields {
			if got, ok := none.Facets[f]; !ok || len(got) != 0 {
				t.Errorf("q=%q, no clauses: facet %s = %v, %v; want present and empty", text, f, got, ok)
			}
		}
	}
}

// A fragment of a record out of scope never reaches the caller, even when
// the record matches the text.
func TestSearchScopeHighlights(t *testing.T) {
	ix, _ := scopeIndex(t)
	const secret = "代号青龙"
	q := visitarchive.SearchQuery{Text: "数据中心", Size: 100}
	if !strings.Contains(fragments(find(t, ix, q)), secret) {
		t.Fatalf("without a scope the fragments miss %q: the test proves nothing", secret)
	}
	q.Scope = clauses(visitarchive.ScopeClause{Owner: "lina"})
	res := find(t, ix, q)
	if got := hitIDs(res); !slices.Equal(got, ids("S04")) {
		t.Errorf("hits %v, want [S04]", got)
	}
	frags := fragments(res)
	if strings.Contains(frags, secret) || !strings.Contains(frags, "<mark>数据中心</mark>扩容") {
		t.Errorf("fragments in scope:\n%s", frags)
	}
}

// fragments joins every fragment of every hit.
func fragments(res *visitarchive.SearchResult) string {
	var b strings.Builder
	for _, h := range res.Hits {
		for _, fs := range h.Fragments {
			b.WriteString(strings.Join(fs, "\n"))
			b.WriteByte('\n')
		}
	}
	return b.String()
}
