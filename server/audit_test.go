package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// TestAuditJournal: auditors page through the journal; nobody else may.
func TestAuditJournal(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	var first, second journalPage
	ts.callAs("aud", "GET", "/api/v1/audit/journal?limit=3", "").want(t, http.StatusOK).decode(t, &first)
	if len(first.Entries) != 3 || first.Entries[0].Seq != 1 || first.Next != 3 {
		t.Fatalf("first page: %d entries, next %d", len(first.Entries), first.Next)
	}
	ts.callAs("aud", "GET", "/api/v1/audit/journal?limit=1000&after="+strconv.FormatUint(first.Next, 10), "").
		want(t, http.StatusOK).decode(t, &second)
	if len(second.Entries) == 0 || second.Entries[0].Seq != 4 || second.Next != 0 {
		t.Fatalf("second page: %d entries from %d, next %d", len(second.Entries), second.Entries[0].Seq, second.Next)
	}
	last := second.Entries[len(second.Entries)-1]
	if c := last.Changes[len(last.Changes)-1]; c.Action != "customer.create" || c.Actor != "alice" || c.SHA256 == "" {
		t.Errorf("last change = %+v, want alice's customer.create", c)
	}
	for _, who := range []string{"alice", "sam", "root", "max", "ann"} {
		ts.callAs(who, "GET", "/api/v1/audit/journal", "").want(t, http.StatusForbidden)
	}
	ts.callAs("aud", "GET", "/api/v1/audit/journal?limit=0", "").want(t, http.StatusUnprocessableEntity)
	ts.callAs("aud", "GET", "/api/v1/audit/journal?after=-1", "").want(t, http.StatusUnprocessableEntity)
}

// TestAccessLogOfCustomersPlansAndInboxes: reads of a customer's
// contacts, of plans and of an inbox are in the access log, which
// auditors filter by customer, plan and user.
func TestAccessLogOfCustomersPlansAndInboxes(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	p := ts.createPlanAs("alice", planBody(t, "acme", "2026-03-01T09:00:00+08:00"))
	plan := "/api/v1/plans/" + string(p.ID)
	ts.call("GET", "/api/v1/customers/acme", "").want(t, http.StatusOK)
	ts.callAs("mia", "GET", "/api/v1/customers/acme", "").want(t, http.StatusOK) // no grant: no contacts
	ts.call("GET", "/api/v1/customers", "").want(t, http.StatusOK)               // lists no contacts
	ts.call("GET", plan, "").want(t, http.StatusOK)
	ts.call("GET", "/api/v1/plans?customer=acme", "").want(t, http.StatusOK)
	ts.call("GET", plan+"/history", "").want(t, http.StatusOK)
	ts.movePlan("alice", p, "submit", "")
	var inbox visitarchive.InboxPage
	ts.callAs("sam", "GET", "/api/v1/inbox", "").want(t, http.StatusOK).decode(t, &inbox)
	if len(inbox.Notifications) != 1 {
		t.Fatalf("sam's inbox: %+v", inbox)
	}

	events := func(query string) []string {
		t.Helper()
		var log accessLog
		ts.callAs("aud", "GET", "/api/v1/audit/access?"+query, "").want(t, http.StatusOK).decode(t, &log)
		var out []string
		for _, e := range log.Events {
			out = append(out, string(e.User)+" "+e.Action+" "+string(e.Customer)+string(e.Plan)+" "+strings.Join(e.Fields, ","))
		}
		return out
	}
	want := []string{"alice customer.read acme contacts"}
	if got := events("customer=acme"); !slices.Equal(got, want) {
		t.Errorf("reads of acme's contacts: %q, want %q", got, want)
	}
	id := string(p.ID)
	want = []string{
		"alice plan.read " + id + " content", // the create's answer is not a read; GET
		"alice plan.read " + id + " content", // the listing
		"alice plan.read " + id + " history",
	}
	if got := events("plan=" + id + "&user=alice"); !slices.Equal(got[:min(3, len(got))], want) {
		t.Errorf("alice's reads of the plan: %q, want %q first", got, want)
	}
	var log accessLog
	ts.callAs("aud", "GET", "/api/v1/audit/access?user=sam", "").want(t, http.StatusOK).decode(t, &log)
	if n := len(log.Events); n == 0 || log.Events[n-1].Action != visitarchive.ActionInboxRead ||
		!strings.Contains(log.Events[n-1].Detail, inbox.Notifications[0].ID) {
		t.Errorf("sam's reads: %+v, want the inbox page naming %s last", log.Events, inbox.Notifications[0].ID)
	}
	if got := events("user=mia"); len(got) != 0 {
		t.Errorf("mia saw no contacts, yet: %q", got)
	}
}
