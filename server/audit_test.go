package server

import (
	"net/http"
	"strconv"
	"testing"
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
