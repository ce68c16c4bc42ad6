package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// TestForgedVersionIsNotServed: a newer version of a record put into the
// store without a journal entry, with a well-formed header, is neither
// served as the current version nor found by search; the journaled one
// is.
func TestForgedVersionIsNotServed(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	r := ts.createRecord(recordJSON("acme", "真实主题", "2026-03-01T09:00:00+08:00"))
	rc, _, err := ts.Store.Get(t.Context(), visitarchive.RecordKey(r.ID, 1))
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.NewDecoder(rc).Decode(&obj); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	obj["version"], obj["topic"] = 3, "伪造主题"
	b, _ := json.Marshal(obj)
	if _, err := ts.Store.Put(t.Context(), visitarchive.RecordKey(r.ID, 3), bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	if err := ts.Archive.SyncIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	var got visitarchive.Record
	ts.call("GET", "/api/v1/records/"+string(r.ID), "").want(t, http.StatusOK).decode(t, &got)
	if got.Version != 1 || got.Topic != "真实主题" {
		t.Errorf("GET served version %d %q; want the journaled version 1", got.Version, got.Topic)
	}
	res := ts.call("GET", "/api/v1/search?q=伪造主题", "").want(t, http.StatusOK)
	var page struct{ Total int }
	res.decode(t, &page)
	if page.Total != 0 {
		t.Errorf("search found the forged version: %s", res.body)
	}
}
