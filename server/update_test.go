package server

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

const putCustomer = `{"name":"Acme GmbH","customer_type":"regular","country":"DE"}`

// TestUpdateRejects checks every way an update can fail, and that the
// customer is still at version 1 afterwards.
func TestUpdateRejects(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	withVersion := func(v string) string { return `{"version":` + v + `,"name":"x","customer_type":"key"}` }
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		hdr    []string
		status int
		code   string
		inMsg  string
		fields []string
	}{
		{name: "no version", body: putCustomer, status: 422, code: "invalid", fields: []string{"version"}},
		{name: "patch without version", method: "PATCH", body: `{"name":"x"}`, status: 422, code: "invalid", fields: []string{"version"}},
		{name: "If-Match *", body: putCustomer, hdr: []string{"If-Match", "*"}, status: 400, code: "bad_request", inMsg: "If-Match"},
		{name: "If-Match list", body: putCustomer, hdr: []string{"If-Match", `"1", "2"`}, status: 400, code: "bad_request", inMsg: "If-Match"},
		{name: "If-Match junk", body: putCustomer, hdr: []string{"If-Match", `"abc"`}, status: 400, code: "bad_request", inMsg: "If-Match"},
		{name: "If-Match and version disagree", body: withVersion("2"), hdr: []string{"If-Match", `"1"`}, status: 400, code: "bad_request", inMsg: "version"},
		{name: "version zero", body: withVersion("0"), status: 422, code: "invalid", fields: []string{"version"}},
		{name: "version not a number", body: withVersion(`"1"`), status: 422, code: "invalid", fields: []string{"version"}},
		{name: "version fraction", body: withVersion(`1.5`), status: 422, code: "invalid", fields: []string{"version"}},
		{name: "If-Match zero", body: putCustomer, hdr: []string{"If-Match", `"0"`}, status: 400, code: "bad_request"},
		{name: "future version", body: putCustomer, hdr: []string{"If-Match", `"7"`}, status: 409, code: "conflict", inMsg: "version 7"},
		{name: "body id differs", body: `{"id":"other","name":"x","customer_type":"key"}`, hdr: []string{"If-Match", "1"}, status: 400, code: "bad_request", inMsg: "id"},
		{name: "unknown customer", path: "/api/v1/customers/nobody", body: putCustomer, hdr: []string{"If-Match", "1"}, status: 404, code: "not_found"},
		{name: "impossible id", path: "/api/v1/customers/no!body", body: putCustomer, hdr: []string{"If-Match", "1"}, status: 404, code: "not_found"},
		{name: "invalid value", body: `{"name":"","customer_type":"key"}`, hdr: []string{"If-Match", "1"}, status: 422, code: "invalid", fields: []string{"name"}},
		{name: "patch invalid value", method: "PATCH", body: `{"customer_type":"K K"}`, hdr: []string{"If-Match", "1"}, status: 422, code: "invalid", fields: []string{"customer_type"}},
		{name: "patch clears required", method: "PATCH", body: `{"name":null}`, hdr: []string{"If-Match", "1"}, status: 422, code: "invalid", fields: []string{"name"}},
		{name: "patch unknown field", method: "PATCH", body: `{"nmae":"x"}`, hdr: []string{"If-Match", "1"}, status: 400, code: "bad_request", inMsg: "nmae"},
		{name: "patch wrong type", method: "PATCH", body: `{"contacts":{"name":"x"}}`, hdr: []string{"If-Match", "1"}, status: 422, code: "invalid", fields: []string{"contacts"}},
		{name: "malformed", body: `{"name":`, hdr: []string{"If-Match", "1"}, status: 400, code: "bad_request"},
		{name: "wrong content type", body: putCustomer, hdr: []string{"If-Match", "1", "Content-Type", "text/json"}, status: 415, code: "unsupported_media_type"},
		{name: "no actor", body: putCustomer, hdr: []string{"If-Match", "1", "Authorization", "-"}, status: 401, code: "unauthenticated"},
		{name: "merge patch is for PATCH", body: putCustomer, hdr: []string{"If-Match", "1", "Content-Type", "application/merge-patch+json"}, status: 415, code: "unsupported_media_type"},
		{name: "query parameter", path: "/api/v1/customers/acme?force=1", body: putCustomer, hdr: []string{"If-Match", "1"}, status: 400, code: "bad_request", inMsg: "force"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path := tt.method, tt.path
			if method == "" {
				method = "PUT"
			}
			if path == "" {
				path = "/api/v1/customers/acme"
			}
			res := ts.call(method, path, tt.body, tt.hdr...).want(t, tt.status)
			checkError(t, res, tt.code, tt.inMsg, tt.fields)
			var c visitarchive.Customer
			ts.call("GET", "/api/v1/customers/acme", "").want(t, http.StatusOK).decode(t, &c)
			if c.Version != 1 || c.Name != "Acme 贸易有限公司" {
				t.Errorf("after the request the customer is %+v, want version 1 unchanged", c)
			}
		})
	}
}

// TestIfMatchForms accepts each spelling of a version, in the header or in
// the body, and answers with the new version as the ETag.
func TestIfMatchForms(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	// Each update changes the name: one that changes nothing writes no
	// new version.
	named := func(v int) string { return `{"name":"Acme ` + itoa(v) + `","customer_type":"regular","country":"DE"}` }
	for i, tt := range []struct {
		name string
		body func(v int) string
		hdr  func(v int) []string
	}{
		{"bare", named, func(v int) []string { return []string{"If-Match", itoa(v)} }},
		{"quoted", named, func(v int) []string { return []string{"If-Match", `"` + itoa(v) + `"`} }},
		{"weak", named, func(v int) []string { return []string{"If-Match", `W/"` + itoa(v) + `"`} }},
		{"body", func(v int) string {
			return `{"version":` + itoa(v) + `,"name":"x` + itoa(v) + `","customer_type":"key"}`
		}, func(int) []string { return nil }},
		{"both agree", func(v int) string {
			return `{"version":` + itoa(v) + `,"name":"x` + itoa(v) + `","customer_type":"key"}`
		}, func(v int) []string { return []string{"If-Match", `"` + itoa(v) + `"`} }},
	} {
		v := i + 1
		res := ts.call("PUT", "/api/v1/customers/acme", tt.body(v), tt.hdr(v)...)
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", tt.name, res.status, res.body)
		}
		if got, want := res.header.Get("ETag"), `"`+itoa(v+1)+`"`; got != want {
			t.Errorf("%s: ETag = %s, want %s", tt.name, got, want)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestPutAndPatch checks what PUT replaces and what PATCH keeps, and that
// server-managed fields sent back as they are do no harm.
func TestPutAndPatch(t *testing.T) {
	ts := newTestServer(t)
	created := ts.createCustomer(customerJSON)

	// PUT replaces everything: business_area and contacts go; the
	// server-managed fields, sent back unchanged, stay the server's.
	body := `{"id":"acme","version":1,"name":"Acme GmbH","customer_type":"regular",` +
		`"created_by":"alice","created_at":"` + created.CreatedAt.Format(time.RFC3339Nano) + `"}`
	var c visitarchive.Customer
	ts.callAs("bob", "PUT", "/api/v1/customers/acme", body).want(t, http.StatusOK).decode(t, &c)
	if c.Version != 2 || c.Name != "Acme GmbH" || c.BusinessArea != "" || len(c.Contacts) != 0 {
		t.Errorf("after PUT: %+v", c)
	}
	if c.CreatedBy != "alice" || c.UpdatedBy != "bob" || !c.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("server-managed fields after PUT: %+v", c.Audit)
	}

	// PATCH changes only what it names; null clears. RFC 7396's media
	// type is accepted as well as plain JSON.
	ts.call("PATCH", "/api/v1/customers/acme", `{"business_area":"textiles","country":null}`, "If-Match", `"2"`,
		"Content-Type", "application/merge-patch+json; charset=utf-8").
		want(t, http.StatusOK).decode(t, &c)
	if c.Version != 3 || c.Name != "Acme GmbH" || c.BusinessArea != "textiles" || c.Country != "" || c.Type != "regular" {
		t.Errorf("after PATCH: %+v", c)
	}
	var got visitarchive.Customer
	ts.call("GET", "/api/v1/customers/acme", "").want(t, http.StatusOK).decode(t, &got)
	if got.Version != 3 || got.BusinessArea != "textiles" {
		t.Errorf("read back: %+v", got)
	}

	// A stale version after all that is 409.
	ts.call("PATCH", "/api/v1/customers/acme", `{"name":"late"}`, "If-Match", "2").want(t, http.StatusConflict)
}

// TestRecordStatusIgnored shows that a client cannot set a record's status,
// on create (ignored) or on update (422: TestServerFieldsAreNotEdited).
func TestRecordStatusIgnored(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	body := recordJSON("acme", "Kick-off", "2026-03-01T09:00:00+08:00")
	body = body[:len(body)-1] + `,"status":"archived","created_by":"mallory"}`
	r := ts.createRecord(body)
	if r.Status != visitarchive.StatusDraft || r.CreatedBy != "alice" {
		t.Errorf("created status %q by %q, want draft by alice", r.Status, r.CreatedBy)
	}
	ts.call("PATCH", "/api/v1/records/"+string(r.ID), `{"version":1,"status":"approved","topic":"Follow-up"}`).
		wantError(t, http.StatusUnprocessableEntity, "invalid")
	var u visitarchive.Record
	ts.call("PATCH", "/api/v1/records/"+string(r.ID), `{"version":1,"status":"draft","topic":"Follow-up"}`).
		want(t, http.StatusOK).decode(t, &u)
	if u.Status != visitarchive.StatusDraft || u.Topic != "Follow-up" || u.Summary != r.Summary {
		t.Errorf("after PATCH: status %q topic %q summary %q", u.Status, u.Topic, u.Summary)
	}
}

// TestConcurrentStaleUpdate sends two PUTs of the same version at once:
// exactly one may win.
func TestConcurrentStaleUpdate(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	r := ts.createRecord(recordJSON("acme", "Kick-off", "2026-03-01T09:00:00+08:00"))
	path := "/api/v1/records/" + string(r.ID)
	for round := 1; round <= 5; round++ {
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Go(func() {
				body := recordJSON("acme", "round "+itoa(round)+" writer "+itoa(i), "2026-03-01T09:00:00+08:00")
				statuses[i] = ts.call("PUT", path, body, "If-Match", itoa(round)).status
			})
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
	}
	var got visitarchive.Record
	ts.call("GET", path, "").want(t, http.StatusOK).decode(t, &got)
	if got.Version != 6 {
		t.Errorf("version = %d, want 6", got.Version)
	}
}
