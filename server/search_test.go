package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

func TestSearch(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	ts.createCustomer(`{"id":"beta","name":"Beta Ltd","customer_type":"prospect","country":"CN"}`)
	// Late on 1 March in Shanghai, which is still 1 March in the company's
	// zone (Asia/Shanghai, the default) but 15:00 UTC.
	march1 := ts.createRecord(recordJSON("acme", "Pump order", "2026-03-01T09:30:00+08:00"))
	late := ts.createRecord(`{"customer_id":"acme","visit_start":"2026-03-01T23:00:00+08:00","visit_end":"2026-03-01T23:30:00+08:00","topic":"Dinner","summary":"晚宴 交流","cooperation_intent":"low"}`)
	march2 := ts.createRecord(`{"customer_id":"beta","visit_start":"2026-03-02T00:00:00+08:00","visit_end":"2026-03-02T01:00:00+08:00","topic":"Night call","summary":"客户提出售后服务投诉","cooperation_intent":"medium","visitors":["bob"]}`)

	tests := []struct {
		query string
		want  []visitarchive.RecordID
	}{
		{"q=LX-3021B", []visitarchive.RecordID{march1.ID}},
		{"q=" + url.QueryEscape("数据中心"), []visitarchive.RecordID{march1.ID}},
		{"q=" + url.QueryEscape("售后服务"), []visitarchive.RecordID{march2.ID}},
		{"customer=acme", []visitarchive.RecordID{march1.ID, late.ID}},
		{"customer_type=prospect", []visitarchive.RecordID{march2.ID}},
		{"country=DE", []visitarchive.RecordID{march1.ID, late.ID}},
		{"intent=low", []visitarchive.RecordID{late.ID}},
		{"visitor=bob", []visitarchive.RecordID{march2.ID}},
		{"status=draft&customer=beta", []visitarchive.RecordID{march2.ID}},
		// to as a date is the end of that day in the company's zone.
		{"from=2026-03-01&to=2026-03-01", []visitarchive.RecordID{march1.ID, late.ID}},
		{"from=2026-03-02", []visitarchive.RecordID{march2.ID}},
		{"to=2026-02-28", nil},
		{"from=" + url.QueryEscape("2026-03-01T12:00:00+08:00") + "&to=" + url.QueryEscape("2026-03-02T00:00:00+08:00"), []visitarchive.RecordID{late.ID}},
		// An unencoded '+' of an offset arrives as a space.
		{"from=2026-03-01T12:00:00+08:00&to=2026-03-02T00:00:01+08:00", []visitarchive.RecordID{late.ID, march2.ID}},
		{"sort=visit_start", []visitarchive.RecordID{march1.ID, late.ID, march2.ID}},
		{"sort=-visit_start&size=2", []visitarchive.RecordID{march2.ID, late.ID}},
		{"sort=visit_start&size=2&page=2", []visitarchive.RecordID{march2.ID}},
		{"q=nothingmatchesthis", nil},
	}
	for _, tt := range tests {
		var res visitarchive.SearchResult
		ts.call("GET", "/api/v1/search?"+tt.query, "").want(t, http.StatusOK).decode(t, &res)
		var got []visitarchive.RecordID
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		want := tt.want
		if !strings.HasPrefix(tt.query, "sort=") {
			// Without a sort the order is relevance: compare as sets.
			slices.Sort(got)
			want = slices.Sorted(slices.Values(want))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: hits %v, want %v", tt.query, got, want)
		}
		if res.Hits == nil || res.Facets == nil {
			t.Errorf("%s: hits or facets are null: %s", tt.query, mustJSON(t, res))
		}
	}

	var res visitarchive.SearchResult
	ts.call("GET", "/api/v1/search?size=1", "").want(t, http.StatusOK).decode(t, &res)
	if res.Total != 3 || len(res.Hits) != 1 {
		t.Errorf("size=1: %d hits of %d, want 1 of 3", len(res.Hits), res.Total)
	}
	if !slices.Contains(res.Facets["customer_id"], visitarchive.FacetCount{Value: "acme", Count: 2}) {
		t.Errorf("facets %v lack customer_id acme: 2", res.Facets)
	}
}

func TestSearchParams(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		query  string
		status int
		field  string // 422: the parameter named; 400: the message names it
	}{
		{"page=0", 422, "page"},
		{"page=-3", 422, "page"},
		{"page=two", 422, "page"},
		{"page=10001", 422, "page"},
		{"size=0", 422, "size"},
		{"size=101", 422, "size"},
		{"size=1.5", 422, "size"},
		{"sort=newest", 422, "sort"},
		{"from=yesterday", 422, "from"},
		{"to=2026-13-01", 422, "to"},
		{"from=2026-03-02&to=2026-03-01", 422, "to"},
		{"intent=maybe", 422, "intent"},
		{"colour=red", 400, "colour"},
		{"customer=a&customer=b", 400, "customer"},
		{"q=a&Q=b", 400, "Q"},
		{"page=1&size=100&sort=relevance&q=x", 200, ""},
		{"customer=&page=", 200, ""},
	}
	for _, tt := range tests {
		res := ts.call("GET", "/api/v1/search?"+tt.query, "")
		if res.status != tt.status {
			t.Errorf("%s: status = %d, want %d (%s)", tt.query, res.status, tt.status, res.body)
			continue
		}
		switch tt.status {
		case 422:
			checkError(t, res, "invalid", "", []string{tt.field})
		case 400:
			checkError(t, res, "bad_request", tt.field, nil)
		}
	}
}
