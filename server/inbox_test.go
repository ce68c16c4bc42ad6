package server

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// TestInbox: the notifications of a record's workflow reach the people
// who must act, newest first, and are marked read one by one or all.
func TestInbox(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	r := ts.createRecordAs("alice", form(t, "beta", "2026-03-01T09:00:00+08:00"))
	r = ts.moveRecord("alice", r, "submit", "")
	clock.advance(time.Minute)
	r = ts.moveRecord("sam", r, "return", `{"comment":"add the price"}`)
	clock.advance(time.Minute)
	r = ts.moveRecord("alice", r, "submit", "")
	clock.advance(time.Minute)
	ts.moveRecord("sam", r, "approve", "")

	events := func(p *visitarchive.InboxPage) []string {
		var out []string
		for _, n := range p.Notifications {
			out = append(out, n.Event)
		}
		return out
	}
	page := ts.inboxOf("alice", "")
	if got, want := events(page), []string{"record.approved", "record.returned"}; !slices.Equal(got, want) || page.Unread != 2 || page.Total != 2 {
		t.Errorf("alice's inbox: %v (unread %d, total %d), want %v", got, page.Unread, page.Total, want)
	}
	if got, want := events(ts.inboxOf("sam", "")), []string{"record.submitted", "record.submitted"}; !slices.Equal(got, want) {
		t.Errorf("sam's inbox: %v, want %v", got, want)
	}
	if got := events(ts.inboxOf("ann", "")); !slices.Equal(got, []string{"record.approved"}) {
		t.Errorf("ann's inbox: %v", got)
	}
	if page := ts.inboxOf("bob", ""); page.Total != 0 || page.Notifications == nil {
		t.Errorf("bob's inbox: %+v", page)
	}

	// Paging, newest first.
	page = ts.inboxOf("alice", "?size=1&page=2")
	if page.Total != 2 || len(page.Notifications) != 1 || page.Notifications[0].Event != "record.returned" {
		t.Errorf("page 2 of 1: %+v", page)
	}
	newest := ts.inboxOf("alice", "").Notifications[0]

	// An id that is not in the caller's inbox is not found.
	ts.call("POST", "/api/v1/inbox/read", `{"ids":["N0"]}`).wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("sam", "POST", "/api/v1/inbox/"+newest.ID+"/read", "").wantError(t, http.StatusNotFound, "not_found")
	if page := ts.inboxOf("alice", "?unread=true"); page.Unread != 2 {
		t.Errorf("after refused marks: %+v", page)
	}
	var m markedCount
	ts.call("POST", "/api/v1/inbox/read", `{"ids":["`+newest.ID+`"]}`).want(t, http.StatusOK).decode(t, &m)
	if m.Marked != 1 {
		t.Errorf("marked %d", m.Marked)
	}
	page = ts.inboxOf("alice", "?unread=true")
	if page.Total != 1 || page.Unread != 1 || page.Notifications[0].Event != "record.returned" {
		t.Errorf("unread after marking one: %+v", page)
	}
	if all := ts.inboxOf("alice", "?unread=false"); all.Total != 2 || !all.Notifications[0].Read || all.Notifications[1].Read {
		t.Errorf("whole inbox after marking one: %+v", all)
	}
	ts.call("POST", "/api/v1/inbox/"+newest.ID+"/read", "").want(t, http.StatusOK).decode(t, &m)
	if m.Marked != 0 {
		t.Errorf("marking again marked %d", m.Marked)
	}
	ts.call("POST", "/api/v1/inbox/read", "").want(t, http.StatusOK).decode(t, &m)
	if m.Marked != 1 || ts.inboxOf("alice", "").Unread != 0 {
		t.Errorf("marking all marked %d", m.Marked)
	}

	for _, tt := range []struct {
		query  string
		status int
	}{
		{"?unread=yes", 422},
		{"?page=0", 422},
		{"?size=1000", 422},
		{"?status=draft", 400},
		{"?unread=true&unread=false", 400},
	} {
		ts.call("GET", "/api/v1/inbox"+tt.query, "").want(t, tt.status)
	}
	ts.call("GET", "/api/v1/inbox", "", "Authorization", "-").wantError(t, http.StatusUnauthorized, "unauthenticated")
}

// TestMarkReadAllOrNothing: a request naming one unknown notification
// marks none of the others either.
func TestMarkReadAllOrNothing(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	r := ts.createRecordAs("alice", form(t, "beta", "2026-03-01T09:00:00+08:00"))
	ts.moveRecord("alice", r, "submit", "")
	n := ts.inboxOf("sam", "").Notifications[0]
	ts.callAs("sam", "POST", "/api/v1/inbox/read", `{"ids":["`+n.ID+`","N0"]}`).wantError(t, http.StatusNotFound, "not_found")
	if page := ts.inboxOf("sam", "?unread=true"); page.Unread != 1 {
		t.Errorf("after a refused request: %+v", page)
	}
}
