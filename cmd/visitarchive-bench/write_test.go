package main

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

func TestParseWriters(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"1,8,32", []int{1, 8, 32}, false},
		{" 4 , 2 ", []int{4, 2}, false},
		{"", nil, false},
		{"none", nil, false},
		{"0", nil, false},
		{"1,0", nil, true},
		{"8,x", nil, true},
		{"-1", nil, true},
		{"2000", nil, true},
	} {
		got, err := parseWriters(tc.in)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("parseWriters(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestWritesPerLevel(t *testing.T) {
	for _, tc := range []struct{ records, flag, want int }{
		{100000, 0, 2000},
		{20000, 0, 2000},
		{4000, 0, 400},
		{5, 0, 1},
		{4000, 50, 50},
	} {
		if got := writesPerLevel(tc.records, tc.flag); got != tc.want {
			t.Errorf("writesPerLevel(%d, %d) = %d, want %d", tc.records, tc.flag, got, tc.want)
		}
	}
}

func TestLatencyOf(t *testing.T) {
	var samples []time.Duration
	for i := 100; i >= 1; i-- { // out of order on purpose
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	l := latencyOf(samples)
	if l.N != 100 || l.P50 != 50 || l.P95 != 95 || l.P99 != 99 || l.Max != 100 || l.Mean != 50.5 {
		t.Errorf("latencyOf(1..100 ms) = %+v, want n 100, p50 50, p95 95, p99 99, max 100, mean 50.5", l)
	}
	if l := latencyOf([]time.Duration{7 * time.Millisecond}); l.P50 != 7 || l.P99 != 7 {
		t.Errorf("latencyOf(one sample of 7 ms) = %+v", l)
	}
	if l := latencyOf(nil); l.N != 0 {
		t.Errorf("latencyOf(nil) = %+v", l)
	}
}

// writePhase is a phase result whose bulk import ran at 100 records/s
// with 0.5 ms of CPU per record.
func writePhase(levels ...writeLevel) *phaseResult {
	return &phaseResult{Phase: "disk", Records: 1000, IndexRate: 100, StepCPU: map[string]float64{"import": 0.5},
		Writes: &writeResult{Levels: levels,
			SearchIdle: latency{N: 600, P95: 10}, SearchWriting: latency{N: 600, P95: 25},
			SearchPage: latency{N: 600, P95: 15}, SearchPageMax: 250 << 10}}
}

func TestWriteBudgets(t *testing.T) {
	res := writePhase(
		writeLevel{Clients: 1, Records: 100, Rate: 20},
		writeLevel{Clients: 8, Records: 100, Rate: 60, Latency: latency{P99: 80}, ServerCPU: 0.09}, // 0.9 ms per record
		writeLevel{Clients: 32, Records: 100, Rate: 15},
	)
	got := map[string]budget{}
	for _, b := range writeBudgets(res) {
		got[b.Name] = b
	}
	for name, pass := range map[string]bool{
		"API create rate, 8 clients":               true,  // 60 ≥ 50% of 100
		"API create rate, 8 clients vs 1":          true,  // 60 ≥ 20 of 1 client
		"API create rate, 32 clients vs 1":         false, // 15 < 20
		"create p99, 8 clients":                    true,  // 80 ≤ 100 ms
		"search p95 while 8 clients write":         false, // 25 > 2 × 10 ms
		"server CPU per created record, 8 clients": true,  // 0.9 ≤ 2 × 0.5 ms
		"search page p95 (issue 17)":               true,  // 15 ≤ 2 × 10 ms
		"largest search page (issue 17)":           false, // 250 > 200 KB
	} {
		b, ok := got[name]
		if !ok {
			t.Errorf("no budget %q in %v", name, got)
			continue
		}
		if !b.Checked || b.Pass != pass {
			t.Errorf("%s: checked %v, pass %v (%s); want checked, pass %v", name, b.Checked, b.Pass, b.Shown, pass)
		}
	}
	if n := len(got); n != 8 {
		t.Errorf("%d budgets, want 8", n)
	}

	res.Writes.Levels[1].ServerCPU = 0.11 // 1.1 ms > 2 × 0.5 ms
	res.Writes.Levels[1].Rate = 49        // < 50% of 100
	for _, b := range writeBudgets(res) {
		switch b.Name {
		case "server CPU per created record, 8 clients", "API create rate, 8 clients":
			if b.Pass {
				t.Errorf("%s passes with %s", b.Name, b.Shown)
			}
		}
	}
}

func TestWriteBudgetsWithoutLevels(t *testing.T) {
	res := writePhase(writeLevel{Clients: 4, Records: 10, Rate: 5})
	for _, b := range writeBudgets(res) {
		switch b.Name {
		case "search p95 while 8 clients write", "search page p95 (issue 17)", "largest search page (issue 17)":
			if !b.Checked {
				t.Errorf("%s unchecked, though the searches ran", b.Name)
			}
			continue
		}
		if b.Checked || !strings.Contains(b.Shown, "no level of") {
			t.Errorf("%s: checked %v (%s), want unchecked for want of its level", b.Name, b.Checked, b.Shown)
		}
	}
}

func TestFiledBy(t *testing.T) {
	zone := time.FixedZone("", 8*3600)
	orig := &va.Record{ID: "R0000001", Version: 3, Status: va.StatusSubmitted, Department: "外贸一部",
		Visitors: []va.UserName{"zhang_wei", "li_na"}, CustomerID: "C00001",
		VisitStart: time.Date(2023, 5, 4, 9, 0, 0, 0, zone), VisitEnd: time.Date(2023, 5, 4, 10, 30, 0, 0, zone)}
	now := time.Date(2026, 12, 1, 15, 20, 30, 0, time.UTC)
	r := filedBy(orig, writeUser, writeDept, now)
	if r.ID != "" || r.Version != 0 || r.Status != "" {
		t.Errorf("id, version, status = %q, %d, %q; want all empty (the server sets them)", r.ID, r.Version, r.Status)
	}
	if r.Department != writeDept || !slices.Equal(r.Visitors, []va.UserName{writeUser}) {
		t.Errorf("department %q, visitors %v; want %q, [%s]", r.Department, r.Visitors, writeDept, writeUser)
	}
	if got, want := r.VisitEnd.Sub(r.VisitStart), 90*time.Minute; got != want {
		t.Errorf("visit lasts %s, want %s", got, want)
	}
	if !r.VisitEnd.Before(now) || now.Sub(r.VisitEnd) > 2*time.Hour {
		t.Errorf("visit ends %s, want about an hour before %s", r.VisitEnd, now)
	}
	if orig.ID != "R0000001" || len(orig.Visitors) != 2 || orig.VisitEnd.Year() != 2023 {
		t.Errorf("filedBy changed the corpus record: %+v", orig)
	}
}

// TestSearchPathCoversQueries fails when the query set sets a field of
// SearchQuery that searchPath does not send.
func TestSearchPathCoversQueries(t *testing.T) {
	for i, bq := range newGenerator(1, 200).Queries(1) {
		q := bq.Q
		if err := q.Normalize(); err != nil {
			t.Fatal(err)
		}
		rest := q
		rest.Text, rest.CustomerID, rest.CustomerType, rest.BusinessArea, rest.Department = "", "", "", "", ""
		rest.Visitor, rest.Intent, rest.Country, rest.Sort = "", "", "", ""
		rest.From, rest.To, rest.Page, rest.Size = time.Time{}, time.Time{}, 0, 0
		if !reflect.ValueOf(rest).IsZero() {
			t.Errorf("query %d (%s) sets a field searchPath leaves out: %+v", i, bq.Kind, rest)
		}
		u, err := url.Parse(searchPath(q))
		if err != nil {
			t.Fatal(err)
		}
		v := u.Query()
		if v.Get("q") != q.Text || v.Get("sort") != q.Sort || v.Get("size") != "20" {
			t.Errorf("query %d: %s does not ask %+v", i, u, q)
		}
		if !q.From.IsZero() {
			if from, err := time.Parse(time.RFC3339, v.Get("from")); err != nil || !from.Equal(q.From) {
				t.Errorf("query %d: from %q, want %s", i, v.Get("from"), q.From)
			}
		}
	}
}
