package server

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/visitarchive/visitarchive"
)

func TestRecordCreateGet(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	res := ts.call("POST", "/api/v1/records", recordJSON("acme", "Kick-off", "2026-03-01T09:00:00+08:00")).
		want(t, http.StatusCreated)
	var r visitarchive.Record
	res.decode(t, &r)
	if r.ID == "" || r.Version != 1 || r.Status != visitarchive.StatusDraft || r.CustomerName != "Acme 贸易有限公司" {
		t.Errorf("created %+v", r)
	}
	if got, want := res.header.Get("Location"), "/api/v1/records/"+string(r.ID); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := res.header.Get("ETag"); got != `"1"` {
		t.Errorf("ETag = %q", got)
	}
	var got visitarchive.Record
	res = ts.call("GET", "/api/v1/records/"+string(r.ID), "").want(t, http.StatusOK)
	res.decode(t, &got)
	if got.Topic != "Kick-off" || !got.VisitStart.Equal(r.VisitStart) || got.ContactPhone != "+49 30 1234567" {
		t.Errorf("read back %+v", got)
	}
	ts.call("GET", "/api/v1/records/R404", "").want(t, http.StatusNotFound)
	ts.call("GET", "/api/v1/records/R1?fields=topic", "").want(t, http.StatusBadRequest)
}

func TestRecordCreateRejects(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	good := recordJSON("acme", "Kick-off", "2026-03-01T09:00:00+08:00")
	tests := []struct {
		name   string
		body   string
		status int
		fields []string
		inMsg  string
	}{
		{"visit_start not a time", `{"customer_id":"acme","visit_start":"yesterday","visit_end":"2026-03-01T11:00:00Z"}`, 422, []string{"visit_start"}, ""},
		{"visit_start a number", `{"customer_id":"acme","visit_start":20260301,"visit_end":"2026-03-01T11:00:00Z"}`, 422, []string{"visit_start"}, ""},
		{"end before start", `{"customer_id":"acme","visit_start":"2026-03-01T12:00:00Z","visit_end":"2026-03-01T11:00:00Z"}`, 422, []string{"visit_end"}, ""},
		{"visitors not strings", `{"customer_id":"acme","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T11:00:00Z","visitors":["alice",7]}`, 422, []string{"visitors[1]"}, ""},
		{"bad intent and attitude", `{"customer_id":"acme","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T11:00:00Z","cooperation_intent":"maybe","decision_chain":[{"name":"Li","attitude":"hostile"}]}`, 422, []string{"cooperation_intent", "decision_chain[0].attitude"}, ""},
		{"unknown customer", recordJSON("nobody", "x", "2026-03-01T09:00:00Z"), 422, []string{"customer_id"}, ""},
		{"missing everything", `{}`, 422, []string{"customer_id", "visit_start", "visit_end"}, ""},
		{"unknown field in decision chain", `{"customer_id":"acme","decision_chain":[{"name":"Li","mood":"ok"}]}`, 400, nil, "decision_chain[0].mood"},
		{"trailing object", good + good, 400, nil, "after the JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.recordCount()
			res := ts.call("POST", "/api/v1/records", tt.body).want(t, tt.status)
			code := "invalid"
			if tt.status == 400 {
				code = "bad_request"
			}
			checkError(t, res, code, tt.inMsg, tt.fields)
			if got := ts.recordCount(); got != before {
				t.Errorf("records = %d after the request, want %d", got, before)
			}
		})
	}
}

func TestRecordHistory(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	r := ts.createRecord(recordJSON("acme", "Kick-off", "2026-03-01T09:00:00+08:00"))
	path := "/api/v1/records/" + string(r.ID)
	ts.call("PATCH", path, `{"topic":"Second"}`, "If-Match", `"1"`).want(t, http.StatusOK)
	ts.call("PUT", path, recordJSON("acme", "Third", "2026-03-01T09:00:00+08:00"), "If-Match", `"2"`).want(t, http.StatusOK)
	// Only the author edits a draft; others of the department may not even see it.
	ts.callAs("carol", "PATCH", path, `{"topic":"Not mine"}`, "If-Match", `"3"`).want(t, http.StatusNotFound)
	// A failed update leaves no version behind.
	ts.call("PUT", path, recordJSON("acme", "Stale", "2026-03-01T09:00:00+08:00"), "If-Match", `"2"`).want(t, http.StatusConflict)

	var h recordHistory
	ts.call("GET", path+"/history", "").want(t, http.StatusOK).decode(t, &h)
	if h.ID != r.ID || len(h.Versions) != 3 {
		t.Fatalf("history = %+v, want 3 versions of %s", h, r.ID)
	}
	sha := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for i, want := range []visitarchive.UserName{"alice", "alice", "alice"} {
		v := h.Versions[i]
		if v.Version != i+1 || v.Actor != want || v.Time.IsZero() || !sha.MatchString(v.SHA256) {
			t.Errorf("version %d = %+v, want actor %s", i+1, v, want)
		}
		if i > 0 && v.Time.Before(h.Versions[i-1].Time) {
			t.Errorf("version %d is older than version %d", i+1, i)
		}
	}
	ts.call("GET", "/api/v1/records/nothing/history", "").want(t, http.StatusNotFound)
}

func TestListRecords(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	ts.createCustomer(`{"id":"beta","name":"Beta Ltd","customer_type":"prospect","country":"CN"}`)
	first := ts.createRecord(recordJSON("acme", "First", "2026-03-01T09:00:00+08:00"))
	second := ts.createRecord(recordJSON("beta", "Second", "2026-03-05T09:00:00+08:00"))

	var page visitarchive.RecordPage
	ts.call("GET", "/api/v1/records", "").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 2 || len(page.Records) != 2 || page.Records[0].ID != second.ID {
		t.Errorf("default list: %d records, first %v; want newest (%s) first", page.Total, ids(page.Records), second.ID)
	}
	ts.call("GET", "/api/v1/records?sort=visit_start&size=1", "").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 2 || len(page.Records) != 1 || page.Records[0].ID != first.ID {
		t.Errorf("oldest first, size 1: %v of %d", ids(page.Records), page.Total)
	}
	ts.call("GET", "/api/v1/records?customer=beta", "").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 1 || page.Records[0].ID != second.ID {
		t.Errorf("customer=beta: %v", ids(page.Records))
	}
	// A customer that does not exist is most likely a name given for an
	// id: said so, rather than an empty list.
	checkError(t, ts.call("GET", "/api/v1/records?customer=nobody", "").want(t, 422), "invalid", "customer_name", []string{"customer"})
	checkError(t, ts.call("GET", "/api/v1/records?sort=relevance", "").want(t, 422), "invalid", "", []string{"sort"})
	checkError(t, ts.call("GET", "/api/v1/records?q=x", "").want(t, 400), "bad_request", "q", nil)
}

func ids(rs []*visitarchive.Record) []visitarchive.RecordID {
	var out []visitarchive.RecordID
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}
