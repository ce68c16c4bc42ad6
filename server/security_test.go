package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// Security at the HTTP edge: who sees and changes what, as the policy
// says, and nothing leaking through listings, search, export, errors or
// the access log.

// rec describes a record for recordBody.
type rec struct {
	customer   string
	dept       string
	visitors   []string
	topic      string
	start      string // RFC 3339
	summary    string
	phone      string
	email      string
	chain      []visitarchive.DecisionMaker
	competitor string
}

// recordBody returns the JSON of r for POST /records.
func recordBody(t *testing.T, r rec) string {
	t.Helper()
	start, err := time.Parse(time.RFC3339, r.start)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{
		"customer_id": r.customer, "department": r.dept, "visitors": r.visitors, "topic": r.topic,
		"visit_start": start, "visit_end": start.Add(2 * time.Hour), "location": "Hamburg",
		"contact_name": "Hans", "summary": r.summary, "cooperation_intent": "medium",
	}
	if r.phone != "" {
		m["contact_phone"] = r.phone
	}
	if r.email != "" {
		m["contact_email"] = r.email
	}
	if r.chain != nil {
		m["decision_chain"] = r.chain
	}
	if r.competitor != "" {
		m["competitor_info"] = r.competitor
	}
	return mustJSON(t, m)
}

// createRecordAs creates a record as who.
func (ts *testServer) createRecordAs(who, js string) *visitarchive.Record {
	ts.t.Helper()
	var r visitarchive.Record
	ts.callAs(who, "POST", "/api/v1/records", js).want(ts.t, http.StatusCreated).decode(ts.t, &r)
	return &r
}

// setStatus writes a new version of record id in status, the way the
// workflow will, which has no API yet: it copies the latest stored version
// (sealed fields and all), journals it and brings the index up to date.
func (ts *testServer) setStatus(id visitarchive.RecordID, status visitarchive.RecordStatus) {
	t := ts.t
	t.Helper()
	ctx := t.Context()
	var last string
	for info, err := range ts.Store.List(ctx, visitarchive.RecordsPrefix+string(id)+"/", "") {
		if err != nil {
			t.Fatal(err)
		}
		last = info.Key
	}
	rc, _, err := ts.Store.Get(ctx, last)
	if err != nil {
		t.Fatalf("record %s: %v", id, err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := json.Unmarshal(obj["version"], &version); err != nil {
		t.Fatal(err)
	}
	obj["version"] = json.RawMessage(strconv.Itoa(version + 1))
	obj["status"] = json.RawMessage(mustJSON(t, status))
	b, err = json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	key := visitarchive.RecordKey(id, version+1)
	info, err := ts.Store.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Journal.Append(ctx, visitarchive.Change{Actor: "test", Action: "record.status", Key: key, SHA256: info.SHA256}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Archive.SyncIndex(ctx); err != nil {
		t.Fatal(err)
	}
}

// getRecord reads record id past the policy.
func (ts *testServer) getRecord(id visitarchive.RecordID) *visitarchive.Record {
	ts.t.Helper()
	r, err := ts.Archive.GetRecord(visitarchive.WithActor(ts.t.Context(), "test"), id)
	if err != nil {
		ts.t.Fatal(err)
	}
	return r
}

// policyAllows reports what the policy lets who do to r.
func (ts *testServer) policyAllows(who string, act visitarchive.Permission, r *visitarchive.Record) bool {
	ts.t.Helper()
	ctx := ts.t.Context()
	u, err := ts.Archive.Accounts().GetUser(visitarchive.WithActor(ctx, "test"), visitarchive.UserName(who))
	if err != nil {
		ts.t.Fatal(err)
	}
	return ts.Archive.Allowed(visitarchive.WithPrincipal(ctx, visitarchive.PrincipalOf(u)), act, visitarchive.RecordResource(r))
}

// readable returns the records of all that who may read, by visit start.
func (ts *testServer) readable(who string, all []*visitarchive.Record) []*visitarchive.Record {
	ts.t.Helper()
	var out []*visitarchive.Record
	for _, r := range all {
		if ts.policyAllows(who, visitarchive.PermRead, ts.getRecord(r.ID)) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *visitarchive.Record) int { return a.VisitStart.Compare(b.VisitStart) })
	return out
}

// facetCounts returns the counts of one facet as a map.
func facetCounts(fc []visitarchive.FacetCount) map[string]int {
	m := map[string]int{}
	for _, c := range fc {
		if c.Count != 0 {
			m[c.Value] = c.Count
		}
	}
	return m
}

// checkListings checks that search, list and export show who exactly the
// records of all that the policy lets them read, and no more in totals,
// facets or fragments. marker maps each record to a word only its
// summary holds, and common is a word of every summary.
func (ts *testServer) checkListings(t *testing.T, who string, all []*visitarchive.Record, marker map[visitarchive.RecordID]string, common string) {
	t.Helper()
	want := ts.readable(who, all)
	wantIDs := ids(want)
	wantFacets := map[string]map[string]int{"department": {}, "status": {}, "visitors": {}}
	for _, r := range want {
		cur := ts.getRecord(r.ID)
		wantFacets["department"][string(cur.Department)]++
		wantFacets["status"][string(cur.Status)]++
		for _, v := range cur.Visitors {
			wantFacets["visitors"][string(v)]++
		}
	}

	var res visitarchive.SearchResult
	ts.callAs(who, "GET", "/api/v1/search?sort=visit_start&size=100", "").want(t, http.StatusOK).decode(t, &res)
	if got := hitIDs(res.Hits); !slices.Equal(got, wantIDs) || res.Total != uint64(len(want)) {
		t.Errorf("%s: search finds %v of %d, want %v", who, got, res.Total, wantIDs)
	}
	for name, wantCounts := range wantFacets {
		if got := facetCounts(res.Facets[name]); !maps.Equal(got, wantCounts) {
			t.Errorf("%s: facet %s = %v, want %v", who, name, got, wantCounts)
		}
	}

	var page visitarchive.RecordPage
	ts.callAs(who, "GET", "/api/v1/records?sort=visit_start&size=100", "").want(t, http.StatusOK).decode(t, &page)
	if got := ids(page.Records); !slices.Equal(got, wantIDs) || page.Total != uint64(len(want)) {
		t.Errorf("%s: list shows %v of %d, want %v", who, got, page.Total, wantIDs)
	}
	for _, r := range page.Records {
		sensitive := ts.policyAllows(who, visitarchive.PermReadSensitive, ts.getRecord(r.ID))
		if shown := r.ContactPhone != ""; shown != sensitive {
			t.Errorf("%s: record %s (%s) shows contact_phone %q; may read sensitive fields: %v", who, r.ID, r.Status, r.ContactPhone, sensitive)
		}
		if hidden := slices.Contains(r.Hidden, "contact_phone"); hidden == sensitive {
			t.Errorf("%s: record %s hidden = %v; may read sensitive fields: %v", who, r.ID, r.Hidden, sensitive)
		}
	}

	// Full text: the hits and their fragments are of readable records only.
	ts.callAs(who, "GET", "/api/v1/search?size=100&q="+url.QueryEscape(common), "").want(t, http.StatusOK).decode(t, &res)
	if got := hitIDs(res.Hits); !sameSet(got, wantIDs) || res.Total != uint64(len(want)) {
		t.Errorf("%s: q=%s finds %v of %d, want %v", who, common, got, res.Total, wantIDs)
	}
	fragments := 0
	for _, h := range res.Hits {
		text := mustJSON(t, h.Fragments)
		fragments += len(h.Fragments)
		for id, m := range marker {
			if id != h.ID && strings.Contains(text, m) {
				t.Errorf("%s: the fragments of hit %s hold %q, a word of record %s", who, h.ID, m, id)
			}
		}
		if m := marker[h.ID]; m != "" && !strings.Contains(text, m) {
			t.Errorf("%s: the fragments of hit %s, %s, lack its own word %q", who, h.ID, text, m)
		}
	}
	if len(res.Hits) > 0 && fragments == 0 {
		t.Errorf("%s: no hit has fragments; the fragment check checks nothing", who)
	}
}

func hitIDs(hits []visitarchive.SearchHit) []visitarchive.RecordID {
	var out []visitarchive.RecordID
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func sameSet(a, b []visitarchive.RecordID) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// TestSearchPerRole checks, for every person, that search and list return
// exactly the records the policy lets them read, in every state.
func TestSearchPerRole(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	ts.callAs("bob", "POST", "/api/v1/customers", `{"id":"beta","name":"Beta Ltd","customer_type":"prospect","country":"CN"}`).
		want(t, http.StatusCreated)
	fixtures := []struct {
		who      string
		customer string
		dept     string
		visitors []string
		status   visitarchive.RecordStatus
	}{
		{"alice", "acme", "sales1", []string{"alice"}, visitarchive.StatusDraft},
		{"alice", "acme", "sales1", []string{"alice", "carol"}, visitarchive.StatusSubmitted},
		{"alice", "beta", "sales1", []string{"alice"}, visitarchive.StatusReturned},
		{"alice", "acme", "sales1", []string{"alice"}, visitarchive.StatusApproved},
		{"alice", "beta", "sales1", []string{"alice"}, visitarchive.StatusArchived},
		{"carol", "acme", "sales1", []string{"carol", "alice"}, visitarchive.StatusDraft},
		{"bob", "beta", "sales2", []string{"bob"}, visitarchive.StatusDraft},
		{"bob", "beta", "sales2", []string{"bob", "alice"}, visitarchive.StatusApproved},
		{"bob", "acme", "sales2", []string{"bob"}, visitarchive.StatusArchived},
		{"bob", "beta", "sales2", []string{"bob"}, visitarchive.StatusSubmitted},
	}
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}
	var all []*visitarchive.Record
	marker := map[visitarchive.RecordID]string{}
	for i, f := range fixtures {
		word := "secret" + words[i]
		r := ts.createRecordAs(f.who, recordBody(t, rec{customer: f.customer, dept: f.dept, visitors: f.visitors,
			topic: "Visit " + strconv.Itoa(i), start: time.Date(2026, 3, 1+i, 9, 0, 0, 0, cst).Format(time.RFC3339),
			summary: "quarterly review " + word, phone: "+86 21 5555 000" + strconv.Itoa(i)}))
		if f.status != visitarchive.StatusDraft {
			ts.setStatus(r.ID, f.status)
		}
		if got := ts.getRecord(r.ID).Status; got != f.status {
			t.Fatalf("record %d is %s, want %s", i, got, f.status)
		}
		all = append(all, r)
		marker[r.ID] = word
	}
	for _, p := range people {
		t.Run(p.name, func(t *testing.T) {
			ts.checkListings(t, p.name, all, marker, "quarterly")
		})
	}
	// The matrix is not empty: the states tell the roles apart, and a
	// joint visit with another department follows its visitors.
	for who, n := range map[string]int{"alice": 7, "carol": 2, "bob": 4, "sam": 6, "sue": 4, "mia": 4, "ann": 4, "aud": 10, "max": 4, "root": 0} {
		if got := len(ts.readable(who, all)); got != n {
			t.Errorf("the policy lets %s read %d records, want %d", who, got, n)
		}
	}
}

// crossFixture is a customer and three drafts: alice's, bob's, and one of
// alice's that carol took part in.
type crossFixture struct {
	mine, bobs, visited *visitarchive.Record
}

func (ts *testServer) crossFixture() crossFixture {
	t := ts.t
	ts.createCustomer(customerJSON)
	return crossFixture{
		mine: ts.createRecord(recordBody(t, rec{customer: "acme", dept: "sales1", visitors: []string{"alice"},
			topic: "Pump order", start: "2026-03-01T09:00:00+08:00", summary: "quarterly secretmine", phone: "+49 30 1234567"})),
		bobs: ts.createRecordAs("bob", recordBody(t, rec{customer: "acme", dept: "sales2", visitors: []string{"bob"},
			topic: "Valve order", start: "2026-03-02T09:00:00+08:00", summary: "quarterly secretbobs", phone: "+49 30 7654321"})),
		visited: ts.createRecord(recordBody(t, rec{customer: "acme", dept: "sales1", visitors: []string{"alice", "carol"},
			topic: "Joint visit", start: "2026-03-03T09:00:00+08:00", summary: "quarterly secretvisited", phone: "+49 30 5555555"})),
	}
}

func (f crossFixture) all() []*visitarchive.Record {
	return []*visitarchive.Record{f.mine, f.bobs, f.visited}
}

func (f crossFixture) markers() map[visitarchive.RecordID]string {
	return map[visitarchive.RecordID]string{f.mine.ID: "secretmine", f.bobs.ID: "secretbobs", f.visited.ID: "secretvisited"}
}

func TestCrossDepartment(t *testing.T) {
	ts := newTestServer(t)
	f := ts.crossFixture()
	path := "/api/v1/records/" + string(f.mine.ID)
	put := recordBody(t, rec{customer: "acme", dept: "sales1", visitors: []string{"alice"}, topic: "Taken over",
		start: "2026-03-01T09:00:00+08:00", summary: "changed"})

	for _, who := range []string{"bob", "sue", "carol"} {
		t.Run(who, func(t *testing.T) {
			ts.callAs(who, "GET", path, "").wantError(t, http.StatusNotFound, "not_found")
			ts.callAs(who, "GET", path+"/history", "").wantError(t, http.StatusNotFound, "not_found")
			ts.callAs(who, "PUT", path, put, "If-Match", "1").wantError(t, http.StatusNotFound, "not_found")
			ts.callAs(who, "PATCH", path, `{"topic":"Taken over"}`, "If-Match", "1").wantError(t, http.StatusNotFound, "not_found")

			var page visitarchive.RecordPage
			ts.callAs(who, "GET", "/api/v1/records", "").want(t, http.StatusOK).decode(t, &page)
			if slices.Contains(ids(page.Records), f.mine.ID) {
				t.Errorf("GET /records shows %s alice's record", who)
			}
			var res visitarchive.SearchResult
			ts.callAs(who, "GET", "/api/v1/search?q=secretmine", "").want(t, http.StatusOK).decode(t, &res)
			if res.Total != 0 || len(res.Hits) != 0 || len(res.Facets["department"]) != 0 {
				t.Errorf("searching a word of alice's record, %s gets %s", who, mustJSON(t, res))
			}
			ts.checkListings(t, who, f.all(), f.markers(), "quarterly")
			ts.callAs(who, "GET", "/api/v1/export/records", "").wantError(t, http.StatusForbidden, "forbidden")
		})
	}
	if r := ts.getRecord(f.mine.ID); r.Version != 1 || r.Topic != "Pump order" {
		t.Errorf("alice's record after the others tried: version %d, topic %q", r.Version, r.Topic)
	}

	// The supervisor of sales1 reads and reviews; they do not edit.
	var got visitarchive.Record
	ts.callAs("sam", "GET", path, "").want(t, http.StatusOK).decode(t, &got)
	if got.ID != f.mine.ID || got.ContactPhone != "+49 30 1234567" {
		t.Errorf("sam reads %+v", got)
	}
	ts.callAs("sam", "GET", path+"/history", "").want(t, http.StatusOK)
	ts.callAs("sam", "PUT", path, put, "If-Match", "1").wantError(t, http.StatusForbidden, "forbidden")
	ts.callAs("sam", "PATCH", path, `{"topic":"Reviewed"}`, "If-Match", "1").wantError(t, http.StatusForbidden, "forbidden")
	ts.checkListings(t, "sam", f.all(), f.markers(), "quarterly")
	ts.callAs("sam", "GET", "/api/v1/export/records", "").wantError(t, http.StatusForbidden, "forbidden")

	// A visitor reads the record, sensitive fields too, and cannot edit it.
	visited := "/api/v1/records/" + string(f.visited.ID)
	ts.callAs("carol", "GET", visited, "").want(t, http.StatusOK).decode(t, &got)
	if got.ID != f.visited.ID || got.ContactPhone != "+49 30 5555555" {
		t.Errorf("carol reads %+v", got)
	}
	ts.callAs("carol", "PUT", visited, put, "If-Match", "1").wantError(t, http.StatusForbidden, "forbidden")
	ts.callAs("carol", "PATCH", visited, `{"topic":"Mine now"}`, "If-Match", "1").wantError(t, http.StatusForbidden, "forbidden")
	ts.callAs("sue", "GET", visited, "").wantError(t, http.StatusNotFound, "not_found")

	// An employee files records in their own department only.
	before := ts.recordCount()
	ts.callAs("bob", "POST", "/api/v1/records", recordBody(t, rec{customer: "acme", dept: "sales1", visitors: []string{"bob"},
		topic: "Elsewhere", start: "2026-03-04T09:00:00+08:00", summary: "x"})).wantError(t, http.StatusForbidden, "forbidden")
	if got := ts.recordCount(); got != before {
		t.Errorf("records = %d after a refused create, want %d", got, before)
	}

	// The author still can: the refusals above are not just broken edits.
	ts.call("PATCH", path, `{"topic":"Pump order, revised"}`, "If-Match", "1").want(t, http.StatusOK)
	for _, r := range []*visitarchive.Record{f.bobs, f.visited} {
		if v := ts.getRecord(r.ID).Version; v != 1 {
			t.Errorf("record %s is at version %d, want 1", r.ID, v)
		}
	}
}

// TestNotFoundAlike checks that a record one may not read answers exactly
// as one that does not exist.
func TestNotFoundAlike(t *testing.T) {
	ts := newTestServer(t)
	f := ts.crossFixture()
	missing := visitarchive.RecordID(visitarchive.NewID("R", time.Now()))
	requests := []struct {
		method, suffix, body string
		hdr                  []string
	}{
		{"GET", "", "", nil},
		{"GET", "/history", "", nil},
		{"PUT", "", recordJSON("acme", "x", "2026-03-01T09:00:00+08:00"), []string{"If-Match", "1"}},
		{"PATCH", "", `{"topic":"x"}`, []string{"If-Match", "1"}},
	}
	for _, who := range []string{"bob", "carol", "sue", "mia", "root"} {
		for _, rq := range requests {
			t.Run(who+" "+rq.method+rq.suffix, func(t *testing.T) {
				hidden := ts.callAs(who, rq.method, "/api/v1/records/"+string(f.mine.ID)+rq.suffix, rq.body, rq.hdr...)
				absent := ts.callAs(who, rq.method, "/api/v1/records/"+string(missing)+rq.suffix, rq.body, rq.hdr...)
				hidden.wantError(t, http.StatusNotFound, "not_found")
				absent.wantError(t, http.StatusNotFound, "not_found")
				h := bytes.ReplaceAll(hidden.body, []byte(f.mine.ID), []byte("{id}"))
				a := bytes.ReplaceAll(absent.body, []byte(missing), []byte("{id}"))
				if !bytes.Equal(h, a) {
					t.Errorf("a hidden record answers %s, a missing one %s", h, a)
				}
				for _, name := range []string{"Content-Type", "ETag", "Location"} {
					if hidden.header.Get(name) != absent.header.Get(name) {
						t.Errorf("%s: %q for a hidden record, %q for a missing one", name, hidden.header.Get(name), absent.header.Get(name))
					}
				}
			})
		}
	}
}

// snapshot describes every customer, record, user and department with its
// version, read past the policy, so that a test can tell that nothing
// changed.
func (ts *testServer) snapshot() string {
	t := ts.t
	t.Helper()
	ctx := visitarchive.WithActor(t.Context(), "test")
	var b strings.Builder
	customers, _, err := ts.Archive.ListCustomers(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range customers {
		b.WriteString("customer " + string(c.ID) + " v" + strconv.Itoa(c.Version) + "\n")
	}
	q := visitarchive.SearchQuery{Sort: visitarchive.SortVisitStart, Size: 100}
	page, err := ts.Archive.ListRecords(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Records {
		b.WriteString("record " + string(r.ID) + " v" + strconv.Itoa(r.Version) + "\n")
	}
	users, err := ts.Archive.Accounts().ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		b.WriteString("user " + string(u.Name) + " v" + strconv.Itoa(u.Version) + "\n")
	}
	depts, err := ts.Archive.Accounts().ListDepartments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range depts {
		b.WriteString("department " + string(d.ID) + " v" + strconv.Itoa(d.Version) + "\n")
	}
	return b.String()
}

func TestAuditorReadsOnly(t *testing.T) {
	ts := newTestServer(t)
	f := ts.crossFixture()
	for _, r := range f.all() {
		var got visitarchive.Record
		ts.callAs("aud", "GET", "/api/v1/records/"+string(r.ID), "").want(t, http.StatusOK).decode(t, &got)
		if got.ContactPhone == "" || len(got.Hidden) != 0 {
			t.Errorf("the auditor reads record %s without its contact_phone: %+v", r.ID, got)
		}
		ts.callAs("aud", "GET", "/api/v1/records/"+string(r.ID)+"/history", "").want(t, http.StatusOK)
	}
	var c visitarchive.Customer
	ts.callAs("aud", "GET", "/api/v1/customers/acme", "").want(t, http.StatusOK).decode(t, &c)
	if len(c.Contacts) != 1 || c.Contacts[0].Phone == "" {
		t.Errorf("the auditor reads the customer without contacts: %+v", c)
	}
	var users userList
	ts.callAs("aud", "GET", "/api/v1/users", "").want(t, http.StatusOK).decode(t, &users)
	if len(users.Users) != len(people) {
		t.Errorf("the auditor lists %d users, want %d", len(users.Users), len(people))
	}
	ts.callAs("aud", "GET", "/api/v1/users/bob", "").want(t, http.StatusOK)
	ts.callAs("aud", "GET", "/api/v1/audit/access", "").want(t, http.StatusOK)
	ts.callAs("aud", "GET", "/api/v1/departments/sales1", "").want(t, http.StatusOK)

	version := func(name visitarchive.UserName) string {
		u, err := ts.Archive.Accounts().GetUser(visitarchive.WithActor(t.Context(), "test"), name)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.Itoa(u.Version)
	}
	bobVersion := version("bob")
	record := "/api/v1/records/" + string(f.mine.ID)
	writes := []struct {
		method, path, body string
		hdr                []string
	}{
		{"POST", "/api/v1/customers", `{"id":"newco","name":"New Co","customer_type":"key"}`, nil},
		{"PUT", "/api/v1/customers/acme", putCustomer, []string{"If-Match", "1"}},
		{"PATCH", "/api/v1/customers/acme", `{"name":"Audited"}`, []string{"If-Match", "1"}},
		{"POST", "/api/v1/records", recordJSON("acme", "Audit visit", "2026-03-05T09:00:00+08:00"), nil},
		{"PUT", record, recordJSON("acme", "Audited", "2026-03-01T09:00:00+08:00"), []string{"If-Match", "1"}},
		{"PATCH", record, `{"topic":"Audited"}`, []string{"If-Match", "1"}},
		{"POST", "/api/v1/users", `{"name":"eve","department":"audit","roles":["auditor"]}`, nil},
		{"PUT", "/api/v1/users/bob", `{"name":"bob","department":"sales2","roles":["employee"],"disabled":true}`, []string{"If-Match", bobVersion}},
		{"PATCH", "/api/v1/users/bob", `{"disabled":true}`, []string{"If-Match", bobVersion}},
		{"PATCH", "/api/v1/users/aud", `{"roles":["auditor","manager"]}`, []string{"If-Match", version("aud")}},
		{"PUT", "/api/v1/users/bob/password", `{"password":"chosen by the auditor"}`, nil},
		{"POST", "/api/v1/departments", `{"id":"shadow","name":"Shadow"}`, nil},
		{"PUT", "/api/v1/departments/sales1", `{"name":"Renamed"}`, []string{"If-Match", "1"}},
		{"PATCH", "/api/v1/departments/sales1", `{"name":"Renamed"}`, []string{"If-Match", "1"}},
	}
	before := ts.snapshot()
	for _, w := range writes {
		t.Run(w.method+" "+w.path, func(t *testing.T) {
			ts.callAs("aud", w.method, w.path, w.body, w.hdr...).wantError(t, http.StatusForbidden, "forbidden")
		})
	}
	if after := ts.snapshot(); after != before {
		t.Errorf("the auditor's refused writes changed something:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	ts.callAs("aud", "DELETE", "/api/v1/auth/tokens/"+tokenID(ts.tokens["alice"]), "").wantError(t, http.StatusNotFound, "not_found")
	meIs(t, ts.call("GET", "/api/v1/auth/me", ""), "alice")
	ts.login("bob", testPassword)
}

func TestSysadminNoContent(t *testing.T) {
	ts := newTestServer(t)
	f := ts.crossFixture()
	content := []string{"Pump order", "secretmine", "Hamburg", "+49 30", "Acme", "Hans"}
	noContent := func(t *testing.T, res *result) {
		t.Helper()
		for _, s := range content {
			if bytes.Contains(res.body, []byte(s)) {
				t.Errorf("the sysadmin's answer holds %q: %s", s, res.body)
			}
		}
	}
	record := "/api/v1/records/" + string(f.mine.ID)
	for _, tt := range []struct {
		path   string
		status int
	}{
		{record, http.StatusNotFound},
		{record + "/history", http.StatusNotFound},
		{"/api/v1/customers/acme", http.StatusNotFound},
		{"/api/v1/customers", http.StatusForbidden},
		{"/api/v1/export/records", http.StatusForbidden},
		{"/api/v1/audit/access", http.StatusForbidden},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res := ts.callAs("root", "GET", tt.path, "").want(t, tt.status)
			noContent(t, res)
		})
	}
	// Listings answer, with nothing in them.
	for _, path := range []string{"/api/v1/records", "/api/v1/search", "/api/v1/search?q=secretmine", "/api/v1/search?customer=acme",
		"/api/v1/search?phone=" + url.QueryEscape("+49 30 1234567")} {
		res := ts.callAs("root", "GET", path, "").want(t, http.StatusOK)
		noContent(t, res)
		var v struct {
			Total   uint64            `json:"total"`
			Records []json.RawMessage `json:"records"`
			Hits    []json.RawMessage `json:"hits"`
		}
		res.decode(t, &v)
		if v.Total != 0 || len(v.Records) != 0 || len(v.Hits) != 0 {
			t.Errorf("%s: the sysadmin gets %s", path, res.body)
		}
	}
	ts.checkListings(t, "root", f.all(), f.markers(), "quarterly")
	ts.callAs("root", "PUT", record, recordJSON("acme", "x", "2026-03-01T09:00:00+08:00"), "If-Match", "1").
		wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("root", "POST", "/api/v1/records", recordJSON("acme", "x", "2026-03-01T09:00:00+08:00")).
		wantError(t, http.StatusForbidden, "forbidden")

	// What a sysadmin does: departments, users, roles, passwords.
	ts.callAs("root", "POST", "/api/v1/departments", `{"id":"legal","name":"Legal"}`).want(t, http.StatusCreated)
	ts.callAs("root", "POST", "/api/v1/users", `{"name":"lee","department":"legal","roles":["employee"]}`).want(t, http.StatusCreated)
	var u visitarchive.User
	ts.patchUser("root", "lee", `{"roles":["employee","supervisor"],"heads":["legal"]}`).want(t, http.StatusOK).decode(t, &u)
	if !u.Has(visitarchive.RoleSupervisor) || !slices.Equal(u.Heads, []visitarchive.DepartmentID{"legal"}) {
		t.Errorf("lee after the role change: %+v", u)
	}
	ts.callAs("root", "GET", "/api/v1/users/lee", "").want(t, http.StatusOK).decode(t, &u)
	if u.Name != "lee" || u.Department != "legal" {
		t.Errorf("GET /users/lee = %+v", u)
	}
	var users userList
	ts.callAs("root", "GET", "/api/v1/users", "").want(t, http.StatusOK).decode(t, &users)
	if len(users.Users) != len(people)+1 {
		t.Errorf("root lists %d users, want %d", len(users.Users), len(people)+1)
	}
	ts.callAs("root", "PUT", "/api/v1/users/lee/password", `{"password":"lee's first password"}`).want(t, http.StatusOK)
	meIs(t, ts.withCookie(ts.login("lee", "lee's first password"), "GET", "/api/v1/auth/me", ""), "lee")
	// Separation of duties: no sysadmin audits.
	ts.patchUser("root", "root", `{"roles":["sysadmin","auditor"]}`).wantError(t, http.StatusUnprocessableEntity, "invalid")
	ts.patchUser("root", "lee", `{"roles":["sysadmin","auditor"],"heads":null}`).wantError(t, http.StatusUnprocessableEntity, "invalid")
}

func TestSensitiveFields(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	chain := []visitarchive.DecisionMaker{{Name: "Li Wei", Role: "CTO", Attitude: "support", Notes: "prefers demos"}}
	r := ts.createRecord(recordBody(t, rec{customer: "acme", dept: "sales1", visitors: []string{"alice"}, topic: "Key account",
		start: "2026-03-01T09:00:00+08:00", summary: "quarterly", phone: "+49 30 1234567", email: "hans@acme.example",
		chain: chain, competitor: "a rival offered 5% off"}))
	path := "/api/v1/records/" + string(r.ID)
	secrets := []string{"+49 30 1234567", "hans@acme.example", "Li Wei", "prefers demos"}

	full := func(t *testing.T, who string) {
		t.Helper()
		res := ts.callAs(who, "GET", path, "").want(t, http.StatusOK)
		var got visitarchive.Record
		res.decode(t, &got)
		if got.ContactPhone != "+49 30 1234567" || got.ContactEmail != "hans@acme.example" ||
			len(got.DecisionChain) != 1 || got.DecisionChain[0] != chain[0] {
			t.Errorf("%s reads %+v, want every sensitive field", who, got)
		}
		if bytes.Contains(res.body, []byte(`"hidden"`)) {
			t.Errorf("%s: the answer has a hidden member: %s", who, res.body)
		}
	}
	withheld := func(t *testing.T, who string) {
		t.Helper()
		res := ts.callAs(who, "GET", path, "").want(t, http.StatusOK)
		var got visitarchive.Record
		res.decode(t, &got)
		want := []string{"contact_email", "contact_phone", "decision_chain.name", "decision_chain.notes"}
		if !slices.Equal(got.Hidden, want) {
			t.Errorf("%s: hidden = %v, want %v", who, got.Hidden, want)
		}
		for _, s := range secrets {
			if bytes.Contains(res.body, []byte(s)) {
				t.Errorf("%s sees %q: %s", who, s, res.body)
			}
		}
		if got.CompetitorInfo != "a rival offered 5% off" || len(got.DecisionChain) != 1 || got.DecisionChain[0].Role != "CTO" {
			t.Errorf("%s: the fields that are not sensitive are missing: %+v", who, got)
		}
	}

	full(t, "alice")
	full(t, "aud")
	full(t, "sam")
	for _, who := range []string{"mia", "meg", "sid", "ann", "max"} {
		ts.callAs(who, "GET", path, "").wantError(t, http.StatusNotFound, "not_found") // drafts are the author's
	}

	// Once approved, marketing and service read it; the grant shows the
	// sensitive fields.
	ts.setStatus(r.ID, visitarchive.StatusApproved)
	full(t, "meg")
	withheld(t, "mia")
	withheld(t, "sid")
	withheld(t, "max")
	withheld(t, "ann") // sensitive fields only once archived
	// A lookup by a hidden value finds nothing: else it would confirm it.
	for who, want := range map[string]uint64{"mia": 0, "sid": 0, "max": 0, "ann": 0, "meg": 1, "aud": 1} {
		for _, q := range []string{"phone=" + url.QueryEscape("+49301234567"), "email=HANS@acme.example"} {
			var res visitarchive.SearchResult
			ts.callAs(who, "GET", "/api/v1/search?"+q, "").want(t, http.StatusOK).decode(t, &res)
			if res.Total != want || len(res.Hits) != int(want) {
				t.Errorf("%s looks up %s: %d hits of %d, want %d", who, q, len(res.Hits), res.Total, want)
			}
		}
	}
	ts.setStatus(r.ID, visitarchive.StatusArchived)
	full(t, "ann")
	withheld(t, "mia")

	// Customers: contacts are sensitive.
	res := ts.callAs("mia", "GET", "/api/v1/customers/acme", "").want(t, http.StatusOK)
	var c visitarchive.Customer
	res.decode(t, &c)
	if len(c.Contacts) != 0 || !slices.Equal(c.Hidden, []string{"contacts"}) || bytes.Contains(res.body, []byte("1234567")) {
		t.Errorf("mia reads the customer as %s", res.body)
	}
	res = ts.callAs("meg", "GET", "/api/v1/customers/acme", "").want(t, http.StatusOK)
	c = visitarchive.Customer{}
	res.decode(t, &c)
	if len(c.Contacts) != 1 || c.Contacts[0].Phone != "+49 30 1234567" || len(c.Hidden) != 0 {
		t.Errorf("meg reads the customer as %s", res.body)
	}

	// Reading customers is not changing them.
	for _, who := range []string{"mia", "meg", "sid"} {
		ts.callAs(who, "PATCH", "/api/v1/customers/acme", `{"name":"Acme AG"}`, "If-Match", "1").wantError(t, http.StatusForbidden, "forbidden")
	}
	if c, err := ts.Archive.GetCustomer(visitarchive.WithActor(t.Context(), "test"), "acme"); err != nil || c.Version != 1 {
		t.Errorf("acme after refused edits: %+v, %v", c, err)
	}
}

func TestPhoneLookup(t *testing.T) {
	ts := newTestServer(t)
	f := ts.crossFixture()
	lookup := func(who, phone string) []visitarchive.RecordID {
		t.Helper()
		var res visitarchive.SearchResult
		ts.callAs(who, "GET", "/api/v1/search?phone="+url.QueryEscape(phone), "").want(t, http.StatusOK).decode(t, &res)
		if res.Total != uint64(len(res.Hits)) {
			t.Errorf("%s, phone %s: total %d, %d hits", who, phone, res.Total, len(res.Hits))
		}
		var page visitarchive.RecordPage
		ts.callAs(who, "GET", "/api/v1/records?phone="+url.QueryEscape(phone), "").want(t, http.StatusOK).decode(t, &page)
		if got := ids(page.Records); !sameSet(got, hitIDs(res.Hits)) || page.Total != res.Total {
			t.Errorf("%s, phone %s: search finds %v, the list %v", who, phone, hitIDs(res.Hits), got)
		}
		return hitIDs(res.Hits)
	}
	mine := []visitarchive.RecordID{f.mine.ID}
	tests := []struct {
		who, phone string
		want       []visitarchive.RecordID
	}{
		{"alice", "+49301234567", mine},
		{"alice", "+49-30-123 45 67", mine},
		{"alice", "+49 30 1234567", mine},
		{"alice", "+49 30 1234568", nil},
		{"aud", "+49301234567", mine},
		{"sam", "+49 (30) 123-4567", mine},
		{"bob", "+49301234567", nil},
		{"sue", "+49301234567", nil},
		{"carol", "+49301234567", nil},
		{"mia", "+49301234567", nil},
		{"root", "+49301234567", nil},
		{"bob", "+49 30 7654321", []visitarchive.RecordID{f.bobs.ID}},
		{"carol", "+4930 5555555", []visitarchive.RecordID{f.visited.ID}},
	}
	for _, tt := range tests {
		if got := lookup(tt.who, tt.phone); !slices.Equal(got, tt.want) {
			t.Errorf("%s looks up %q: %v, want %v", tt.who, tt.phone, got, tt.want)
		}
	}
}

// accessEvents lists the access log as aud, with query.
func (ts *testServer) accessEvents(query string) []visitarchive.AccessEvent {
	ts.t.Helper()
	var log accessLog
	ts.callAs("aud", "GET", "/api/v1/audit/access?"+query, "").want(ts.t, http.StatusOK).decode(ts.t, &log)
	return log.Events
}

func TestAccessLogAPI(t *testing.T) {
	ts := newTestServer(t)
	f := ts.crossFixture()
	ts.call("GET", "/api/v1/records/"+string(f.mine.ID), "").want(t, http.StatusOK)
	ts.callAs("bob", "GET", "/api/v1/records/"+string(f.bobs.ID), "").want(t, http.StatusOK)
	// A refused read is no read.
	ts.callAs("bob", "GET", "/api/v1/records/"+string(f.mine.ID), "").want(t, http.StatusNotFound)

	isRead := func(e visitarchive.AccessEvent, user string, id visitarchive.RecordID) bool {
		return e.Action == visitarchive.ActionRead && string(e.User) == user && e.Record == id
	}
	events := ts.accessEvents("record=" + string(f.mine.ID))
	i := slices.IndexFunc(events, func(e visitarchive.AccessEvent) bool { return isRead(e, "alice", f.mine.ID) })
	if i < 0 {
		t.Fatalf("no read of alice's in %+v", events)
	}
	if e := events[i]; !slices.Contains(e.Fields, visitarchive.FieldsContent) || !slices.Contains(e.Fields, "contact_phone") || e.Time.IsZero() {
		t.Errorf("alice's read = %+v, want fields content and contact_phone", e)
	}
	for _, e := range events {
		if e.Record != f.mine.ID {
			t.Errorf("record=%s lists %+v", f.mine.ID, e)
		}
		if e.User == "bob" {
			t.Errorf("bob's refused read is logged: %+v", e)
		}
	}

	for _, who := range []string{"alice", "bob"} {
		events := ts.accessEvents("user=" + who)
		if len(events) == 0 {
			t.Errorf("user=%s: no events", who)
		}
		for _, e := range events {
			if string(e.User) != who {
				t.Errorf("user=%s lists %+v", who, e)
			}
		}
	}
	if !slices.ContainsFunc(ts.accessEvents("user=bob"), func(e visitarchive.AccessEvent) bool { return isRead(e, "bob", f.bobs.ID) }) {
		t.Error("user=bob lacks bob's read")
	}

	for _, who := range []string{"alice", "sam", "root", "max", "ann", "meg"} {
		ts.callAs(who, "GET", "/api/v1/audit/access", "").wantError(t, http.StatusForbidden, "forbidden")
	}

	// An export is one event, which names its filters.
	before := ts.accessEvents("user=aud")
	res := ts.callAs("aud", "GET", "/api/v1/export/records?customer=acme&department=sales1", "").want(t, http.StatusOK)
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(res.body))
	for sc.Scan() {
		var r visitarchive.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		if r.Department != "sales1" || r.ContactPhone == "" {
			t.Errorf("exported %+v", r)
		}
		lines++
	}
	if lines != 2 {
		t.Errorf("the export has %d records, want 2", lines)
	}
	after := ts.accessEvents("user=aud")
	if len(after) != len(before)+1 {
		t.Fatalf("the export added %d events, want 1: %+v", len(after)-len(before), after[len(before):])
	}
	e := after[len(after)-1]
	if e.Action != visitarchive.ActionExport || e.User != "aud" || !strings.Contains(e.Detail, "customer=acme") ||
		!strings.Contains(e.Detail, "department=sales1") {
		t.Errorf("the export event = %+v, want record.export naming customer=acme and department=sales1", e)
	}
	exports := 0
	for _, e := range ts.accessEvents("") {
		if e.Action == visitarchive.ActionExport {
			exports++
		}
	}
	if exports != 1 {
		t.Errorf("%d export events, want 1", exports)
	}
	ts.callAs("aud", "GET", "/api/v1/audit/access?limit=0", "").wantError(t, http.StatusUnprocessableEntity, "invalid")
}

// TestEverythingNeedsCredential walks the route table: every route under
// the API but sign-in and the OpenAPI document refuses a request without
// a credential, whatever it carries.
func TestEverythingNeedsCredential(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	public := map[string]bool{"POST " + apiPrefix + "/auth/login": true}
	seen := map[string]bool{}
	n := 0
	for _, r := range ts.srv.App().GetRoutes(true) {
		key := r.Method + " " + r.Path
		if !strings.HasPrefix(r.Path, apiPrefix+"/") || public[key] || r.Path == openAPIPath || seen[key] {
			continue
		}
		seen[key] = true
		n++
		path := strings.ReplaceAll(r.Path, ":id", "x")
		t.Run(key, func(t *testing.T) {
			body := ""
			if r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH" {
				body = `{}`
			}
			for _, hdr := range [][]string{
				{"Authorization", "-"},
				{"Authorization", "-", "Cookie", sessionCookie + "="},
				{"Authorization", "Bearer"},
			} {
				res := ts.callAs("", r.Method, path, body, append(hdr, "If-Match", "1")...).want(t, http.StatusUnauthorized)
				if r.Method != "HEAD" {
					checkError(t, res, "unauthenticated", "", nil)
				}
			}
		})
	}
	if n < 25 {
		t.Errorf("walked %d routes, want every route of the API", n)
	}
	// The public ones answer without a credential.
	ts.callAs("", "GET", openAPIPath, "", "Authorization", "-").want(t, http.StatusOK)
	ts.signIn("alice", testPassword).want(t, http.StatusOK)
	if got := ts.customerCount(); got != 1 {
		t.Errorf("customers = %d, want 1", got)
	}
}

// TestDatesOutOfRange holds every time a client gives to 1900-01-01 to
// 2200-01-01: records, plans and the date filters of search, listing,
// export and the access log answer 422 naming the field outside it,
// instead of 500 (a deadline past year 9999), a record no date filter
// finds, or 503 from the index.
func TestDatesOutOfRange(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	at := func(s string) func(map[string]any) {
		return func(m map[string]any) { m["visit_start"], m["visit_end"] = s, "2026-03-01T11:00:00+08:00" }
	}
	end := func(s string) func(map[string]any) { return func(m map[string]any) { m["visit_end"] = s } }
	bodies := []struct {
		name, path, body, field string
	}{
		{"record ending 9999-12-31", "/api/v1/records", form(t, "acme", "2026-03-01T09:00:00+08:00", end("9999-12-31T23:00:00Z")), "visit_end"},
		{"record of year 0", "/api/v1/records", form(t, "acme", "2026-03-01T09:00:00+08:00", at("0000-03-01T09:00:00Z")), "visit_start"},
		{"record of 1500", "/api/v1/records", form(t, "acme", "2026-03-01T09:00:00+08:00", at("1500-03-01T09:00:00Z")), "visit_start"},
		{"record of 2300", "/api/v1/records", form(t, "acme", "2026-03-01T09:00:00+08:00", end("2300-03-01T09:00:00Z")), "visit_end"},
		{"plan of 1500", "/api/v1/plans", planBody(t, "acme", "2026-03-01T09:00:00+08:00", at("1500-03-01T09:00:00Z")), "visit_start"},
		{"plan ending 9999-12-31", "/api/v1/plans", planBody(t, "acme", "2026-03-01T09:00:00+08:00", end("9999-12-31T23:00:00Z")), "visit_end"},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			res := ts.call("POST", b.path, b.body).want(t, http.StatusUnprocessableEntity)
			checkError(t, res, "invalid", "", []string{b.field})
		})
	}
	r := ts.createRecordAs("alice", form(t, "acme", "2026-03-01T09:00:00+08:00"))
	res := ts.call("PATCH", "/api/v1/records/"+string(r.ID), `{"visit_end":"9999-12-31T23:00:00Z"}`, "If-Match", "1").
		want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"visit_end"})

	queries := []struct {
		who, path, field string
	}{
		{"alice", "/api/v1/search?q=x&from=1500-01-01", "from"},
		{"alice", "/api/v1/search?to=2300-01-01", "to"},
		{"alice", "/api/v1/search?from=0000-01-01T00:00:00Z", "from"},
		{"alice", "/api/v1/records?from=1899-12-31", "from"},
		{"alice", "/api/v1/records?to=9999-12-31", "to"},
		{"aud", "/api/v1/export/records?from=1500-01-01", "from"},
		{"aud", "/api/v1/audit/access?from=1500-01-01", "from"},
		{"aud", "/api/v1/audit/access?to=2300-01-01", "to"},
	}
	for _, q := range queries {
		t.Run(q.path, func(t *testing.T) {
			res := ts.callAs(q.who, "GET", q.path, "").want(t, http.StatusUnprocessableEntity)
			checkError(t, res, "invalid", "", []string{q.field})
		})
	}
	// The edges of the range are in it.
	ts.call("GET", "/api/v1/search?from=1900-01-01T00:00:00Z&to=2200-01-01T00:00:00Z", "").want(t, http.StatusOK)
	if strings.Contains(ts.Logs.String(), `"level":"ERROR"`) {
		t.Errorf("dates out of range were logged as errors:\n%s", ts.Logs.String())
	}
}

// TestTextThatIsNotText refuses what encoding/json would turn into U+FFFD
// silently (bytes that are not UTF-8: 400; an escape of half a surrogate
// pair: 422 naming the field) and control characters other than tab and
// line breaks (422 naming the field), in bodies and query parameters.
func TestTextThatIsNotText(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	start := "2026-03-01T09:00:00+08:00"
	topic := func(v string) func(map[string]any) { return func(m map[string]any) { m["topic"] = v } }
	notUTF8 := strings.Replace(form(t, "acme", start), "LX-3021B 报价", "LX-3021B \xff", 1)
	res := ts.call("POST", "/api/v1/records", notUTF8).wantError(t, http.StatusBadRequest, "bad_request")
	if got := res.apiError(t).Message; got != "the body is not valid UTF-8" {
		t.Errorf("message %q", got)
	}
	bodies := []struct {
		name, method, path, body, field string
	}{
		{"lone high surrogate", "POST", "/api/v1/records", strings.Replace(form(t, "acme", start), "LX-3021B 报价", `x\ud800`, 1), "topic"},
		{"lone low surrogate in a list", "POST", "/api/v1/records",
			strings.Replace(form(t, "acme", start), `"CEO"`, `"\udc00"`, 1), "decision_chain[0].role"},
		{"NUL", "POST", "/api/v1/records", form(t, "acme", start, topic("a\x00b")), "topic"},
		{"escape", "POST", "/api/v1/records", form(t, "acme", start, topic("\x1b[2J")), "topic"},
		{"plan", "POST", "/api/v1/plans", strings.Replace(planBody(t, "acme", start), "present", `\udfffpresent`, 1), "purpose"},
		{"customer", "POST", "/api/v1/customers", `{"id":"gamma","name":"Gamma\u0007","customer_type":"key"}`, "name"},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			res := ts.call(b.method, b.path, b.body).want(t, http.StatusUnprocessableEntity)
			checkError(t, res, "invalid", "", []string{b.field})
		})
	}
	r := ts.createRecordAs("alice", form(t, "acme", start))
	path := "/api/v1/records/" + string(r.ID)
	res = ts.call("PATCH", path, `{"summary":"\ud83d"}`, "If-Match", "1").want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"summary"})
	ts.call("PATCH", path, `{"summary":"\ud83d\ude00 tab\tand\r\nlines \ufffd"}`, "If-Match", "1").want(t, http.StatusOK)
	r = ts.moveRecord("alice", ts.getRecord(r.ID), "submit", "")
	res = ts.move("sam", path, "approve", r.Version, `{"comment":"ok\u0000"}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"comment"})
	p := ts.movePlan("alice", ts.createPlanAs("alice", planBody(t, "acme", start)), "submit", "")
	res = ts.move("sam", "/api/v1/plans/"+string(p.ID), "reject", p.Version, `{"comment":"no\u001b"}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"comment"})

	for _, q := range []struct{ query, field string }{
		{"q=%FF", "q"}, {"q=a%00b", "q"}, {"customer=%ED%A0%80", "customer"}, {"department=sales1%1B", "department"},
	} {
		t.Run(q.query, func(t *testing.T) {
			res := ts.call("GET", "/api/v1/search?"+q.query, "").want(t, http.StatusUnprocessableEntity)
			checkError(t, res, "invalid", "", []string{q.field})
		})
	}
	ts.call("GET", "/api/v1/plans?customer=acme%00", "").want(t, http.StatusUnprocessableEntity)
	if n := ts.customerCount(); n != 2 {
		t.Errorf("%d customers, want 2", n)
	}
}

// TestDepartmentIsFixed keeps a record or plan in the department it was
// created in, which must exist: moved elsewhere, a draft would escape its
// supervisors' review and overdue list and reach another department's.
func TestDepartmentIsFixed(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	start := "2026-03-01T09:00:00+08:00"
	dept := func(d string) func(map[string]any) { return func(m map[string]any) { m["department"] = d } }
	for _, b := range []struct{ name, path, body string }{
		{"record", "/api/v1/records", form(t, "acme", start, dept("no-such-dept"))},
		{"plan", "/api/v1/plans", planBody(t, "acme", start, dept("no-such-dept"))},
	} {
		res := ts.call("POST", b.path, b.body).want(t, http.StatusUnprocessableEntity)
		checkError(t, res, "invalid", "", []string{"department"})
	}
	// Another department that exists is not the employee's to file in.
	ts.call("POST", "/api/v1/records", form(t, "acme", start, dept("sales2"))).wantError(t, http.StatusForbidden, "forbidden")

	r := ts.createRecordAs("alice", form(t, "acme", start))
	path := "/api/v1/records/" + string(r.ID)
	for _, d := range []string{"no-such-dept", "sales2"} {
		res := ts.call("PATCH", path, `{"department":"`+d+`"}`, "If-Match", "1").want(t, http.StatusUnprocessableEntity)
		checkError(t, res, "invalid", "", []string{"department"})
		res = ts.call("PUT", path, form(t, "acme", start, dept(d)), "If-Match", "1").want(t, http.StatusUnprocessableEntity)
		checkError(t, res, "invalid", "", []string{"department"})
	}
	ts.callAs("sue", "GET", path, "").wantError(t, http.StatusNotFound, "not_found")
	// Left out, it stays as it is.
	var got visitarchive.Record
	ts.call("PUT", path, form(t, "acme", start, func(m map[string]any) { delete(m, "department"); m["topic"] = "changed" }), "If-Match", "1").
		want(t, http.StatusOK).decode(t, &got)
	if got.Department != "sales1" || got.Version != 2 {
		t.Errorf("after a PUT without a department: department %q, version %d", got.Department, got.Version)
	}

	p := ts.createPlanAs("alice", planBody(t, "acme", start))
	ppath := "/api/v1/plans/" + string(p.ID)
	res := ts.call("PATCH", ppath, `{"department":"sales2"}`, "If-Match", "1").want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"department"})
	p = ts.movePlan("alice", p, "submit", "")
	res = ts.move("sam", ppath, "approve", p.Version, `{"comment":"move it","adjust":{"department":"sales2"}}`).
		want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"department"})
	ts.callAs("sue", "GET", ppath, "").wantError(t, http.StatusNotFound, "not_found")
}

// TestHiddenReferenceLikeMissing: a plan a record names that the caller
// may not read answers exactly as one that does not exist, whatever its
// state; one the record's author may read is checked in full, also for
// the supervisor who reviews the record.
func TestHiddenReferenceLikeMissing(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	start := "2026-03-01T09:00:00+08:00"
	visitors := func(v ...string) func(map[string]any) { return func(m map[string]any) { m["visitors"] = v } }
	plan := func(id visitarchive.PlanID) func(map[string]any) {
		return func(m map[string]any) { m["plan_id"] = id }
	}
	// submitted answers the submission of a new record of alice's that
	// names plan id, with the id written as {id}.
	submitted := func(id visitarchive.PlanID) *result {
		r := ts.createRecordAs("alice", form(t, "acme", start, plan(id)))
		res := ts.move("alice", "/api/v1/records/"+string(r.ID), "submit", r.Version, "")
		res.body = bytes.ReplaceAll(res.body, []byte(id), []byte("{id}"))
		return res
	}
	missing := submitted("PNOPE9")
	missing.want(t, http.StatusUnprocessableEntity)
	checkError(t, missing, "invalid", "", []string{"plan_id"})

	bobs := ts.createPlanAs("bob", planBody(t, "acme", start, visitors("bob")))
	if got := submitted(bobs.ID); got.status != missing.status || !bytes.Equal(got.body, missing.body) {
		t.Errorf("another department's draft plan answers %d %s; a missing one %d %s", got.status, got.body, missing.status, missing.body)
	}
	bobs = ts.movePlan("bob", bobs, "submit", "")
	bobs = ts.movePlan("sue", bobs, "approve", `{"comment":"ok"}`)
	if got := submitted(bobs.ID); got.status != missing.status || !bytes.Equal(got.body, missing.body) {
		t.Errorf("another department's approved plan answers %d %s; a missing one %d %s", got.status, got.body, missing.status, missing.body)
	}

	// A joint visit: alice took part in bob's plan, so she may link it,
	// and sam, who may not read it, reviews her record with it.
	joint := ts.createPlanAs("bob", planBody(t, "acme", start, visitors("bob", "alice")))
	if got := submitted(joint.ID); !strings.Contains(string(got.body), "plan {id} is draft, not approved") {
		t.Errorf("a draft plan alice took part in answers %d %s", got.status, got.body)
	}
	joint = ts.movePlan("bob", joint, "submit", "")
	joint = ts.movePlan("sue", joint, "approve", `{"comment":"ok"}`)
	ts.callAs("sam", "GET", "/api/v1/plans/"+string(joint.ID), "").wantError(t, http.StatusNotFound, "not_found")
	r := ts.createRecordAs("alice", form(t, "acme", start, plan(joint.ID)))
	r = ts.moveRecord("alice", r, "submit", "")
	ts.moveRecord("sam", r, "approve", `{"comment":"complete"}`)

	// Who may file nothing learns nothing of customers by trying: the
	// sysadmin reads none.
	for _, customer := range []string{"acme", "nope"} {
		ts.callAs("root", "POST", "/api/v1/records", form(t, customer, start)).wantError(t, http.StatusForbidden, "forbidden")
		ts.callAs("root", "POST", "/api/v1/plans", planBody(t, customer, start)).wantError(t, http.StatusForbidden, "forbidden")
	}
}

// failingStore fails every Get of the versions of the record that fail
// names, if any: a store that breaks in the middle of an export, which
// the real one cannot be made to do on demand.
type failingStore struct {
	visitarchive.Store
	fail atomic.Pointer[visitarchive.RecordID]
}

func (s *failingStore) failOn(id visitarchive.RecordID) { s.fail.Store(&id) }

func (s *failingStore) Get(ctx context.Context, key string) (io.ReadCloser, visitarchive.ObjectInfo, error) {
	if id := s.fail.Load(); id != nil && strings.HasPrefix(key, visitarchive.RecordsPrefix+string(*id)+"/") {
		return nil, visitarchive.ObjectInfo{}, visitarchive.E("store.get", visitarchive.Unavailable, nil, "the store is down")
	}
	return s.Store.Get(ctx, key)
}

// TestExportStreams: an export goes straight to the client, never through
// a file, so decrypted records never land outside the data directory
// (here, there is no temporary directory to land in); a store that fails
// before the first line is a clean error answer, and one that fails after
// it cuts the body short where a client sees it, never as a complete
// export.
func TestExportStreams(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	store := &failingStore{}
	ts := newTestServerWith(t, func(c *visitarchive.Config) { store.Store = c.Store; c.Store = store })
	ts.createCustomer(customerJSON)
	var lines strings.Builder
	for i := 1; i <= 150; i++ {
		day := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		fmt.Fprintf(&lines, `{"record":{"id":"R%03d","customer_id":"acme","department":"sales1","visit_start":%q,"visit_end":%q,"topic":"secretmine","contact_phone":"+49 30 1234567","summary":%q}}`+"\n",
			i, day.Format(time.RFC3339), day.Add(time.Hour).Format(time.RFC3339), strings.Repeat("拜访纪要 ", 100))
	}
	ctx := visitarchive.WithActor(t.Context(), "setup")
	if rep, err := ts.Archive.Import(ctx, strings.NewReader(lines.String()), nil); err != nil || rep.Records != 150 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if err := ts.Archive.SyncIndex(ctx); err != nil {
		t.Fatal(err)
	}

	res := ts.callAs("aud", "GET", "/api/v1/export/records", "").want(t, http.StatusOK)
	if n := bytes.Count(res.body, []byte("\n")); n != 150 || !bytes.Contains(res.body, []byte("+49 30 1234567")) {
		t.Errorf("the export has %d lines, want 150 with their contact details", n)
	}
	if got := res.header.Get("Content-Type"); got != "application/x-ndjson; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}

	// R150 is on the second page, after the first lines (more than
	// exportBuffer) went out.
	store.failOn("R150")
	base := ts.listen()
	req, err := http.NewRequestWithContext(t.Context(), "GET", base+"/api/v1/export/records", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.tokens["aud"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err == nil {
		t.Errorf("an export that fails midway: status %d, %d bytes, read error %v; want 200 and a body cut short", resp.StatusCode, len(body), err)
	}
	if !strings.Contains(ts.Logs.String(), "the export failed") {
		t.Errorf("the failure is not logged:\n%s", ts.Logs.String())
	}

	// Failing on the first page, it answers a clean error.
	store.failOn("R005")
	ts.callAs("aud", "GET", "/api/v1/export/records?to=2025-01-10", "").wantError(t, http.StatusServiceUnavailable, "unavailable")
}
