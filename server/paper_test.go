package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// paperServer is newWorkflowServer with a record of alice's archived by
// ann, its paper original in cabinet C1, shelf S2, box B3, and the path
// of that original.
func paperServer(t *testing.T) (*testServer, *testClock, *visitarchive.Record, string) {
	t.Helper()
	ts, clock := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	r := ts.approvedRecord(form(t, "acme", draftStart))
	r = ts.moveRecord("ann", r, "archive", `{"paper_location":{"cabinet":"C1","shelf":"S2","box":"B3"}}`)
	return ts, clock, r, "/api/v1/records/" + string(r.ID) + "/paper"
}

// paperOf reads the paper original at path as who and checks its ETag.
func (ts *testServer) paperOf(who, path string) *visitarchive.PaperOriginal {
	ts.t.Helper()
	var p visitarchive.PaperOriginal
	res := ts.callAs(who, "GET", path, "").want(ts.t, http.StatusOK)
	res.decode(ts.t, &p)
	if got := res.header.Get("ETag"); got != etag(p.Version) {
		ts.t.Errorf("ETag %s, version %d", got, p.Version)
	}
	return &p
}

// TestPaperAPI follows a paper original through the API: read, moved
// (a stale version is 409), lent (a second loan is 409), overdue by the
// clock, returned (a second return is 409), listed by box, and its reads
// in the access log.
func TestPaperAPI(t *testing.T) {
	ts, clock, r, path := paperServer(t)
	p := ts.paperOf("ann", path)
	if p.Version != 1 || *p.Location != (visitarchive.PaperLocation{Cabinet: "C1", Shelf: "S2", Box: "B3"}) ||
		len(p.History) != 1 || p.History[0].Event != visitarchive.PaperArchived || p.History[0].By != "ann" || p.ReferenceCode != r.ReferenceCode {
		t.Fatalf("after archiving: %+v", p)
	}

	var moved visitarchive.Paper
	res := ts.callAs("ann", "PUT", path, `{"location":{"cabinet":"C2","shelf":"S1","box":"B9"},"reason":"整理库房"}`, "If-Match", `"1"`)
	res.want(t, http.StatusOK).decode(t, &moved)
	if moved.Version != 2 || moved.Event != visitarchive.PaperMoved || moved.Location.Box != "B9" || res.header.Get("ETag") != `"2"` {
		t.Fatalf("moved: %+v (ETag %s)", moved, res.header.Get("ETag"))
	}
	ts.callAs("ann", "PUT", path, `{"version":1,"location":{"cabinet":"C3","shelf":"S1","box":"B1"},"reason":"x"}`).
		wantError(t, http.StatusConflict, "conflict")
	ts.callAs("ann", "PUT", path, `{"location":{"cabinet":"C3","shelf":"S1","box":"B1"},"reason":"x"}`, "If-Match", `"1"`).
		wantError(t, http.StatusConflict, "conflict")

	var loan visitarchive.Loan
	lend := `{"borrower_user":"alice","purpose":"客户对账","due_at":"2026-03-17T18:00:00+08:00"}`
	ts.callAs("ann", "POST", path+"/loans", lend).want(t, http.StatusCreated).decode(t, &loan)
	if loan.ID == "" || loan.BorrowerUser != "alice" || loan.LentBy != "ann" || loan.Version != 1 {
		t.Fatalf("loan: %+v", loan)
	}
	res = ts.callAs("ann", "POST", path+"/loans", `{"borrower":"上海海关","purpose":"查验","due_at":"2026-03-20T18:00:00+08:00"}`,
		"Accept-Language", "zh-CN").wantError(t, http.StatusConflict, "conflict")
	if msg := res.apiError(t).Message; !strings.Contains(msg, "已借出") || !strings.Contains(msg, loan.ID) {
		t.Errorf("second loan, in Chinese: %q", msg)
	}
	if p := ts.paperOf("aud", path); !p.OnLoan || p.Version != 3 || len(p.Loans) != 1 || p.Loans[0].Overdue {
		t.Fatalf("on loan: %+v", p)
	}
	if got := ts.loanIDs("aud", "/api/v1/paper/loans"); !slices.Equal(got, []string{loan.ID}) {
		t.Errorf("open loans: %v", got)
	}
	if got := ts.loanIDs("max", "/api/v1/paper/loans?overdue=true"); len(got) != 0 {
		t.Errorf("overdue loans before the due time: %v", got)
	}
	clock.set(at(t, "2026-03-17T18:00:01+08:00"))
	if got := ts.loanIDs("max", "/api/v1/paper/loans?overdue=true"); !slices.Equal(got, []string{loan.ID}) {
		t.Errorf("overdue loans: %v", got)
	}

	var back visitarchive.Loan
	ret := path + "/loans/" + loan.ID + "/return"
	ts.callAs("ann", "POST", ret, "").want(t, http.StatusOK).decode(t, &back)
	if !back.Returned() || back.ReceivedBy != "ann" || back.Version != 2 || !back.ReturnedAt.Equal(clock.Now()) {
		t.Fatalf("returned: %+v", back)
	}
	ts.callAs("ann", "POST", ret, `{"note":"again"}`).wantError(t, http.StatusConflict, "conflict")
	ts.callAs("ann", "POST", path+"/loans/L0000/return", "").wantError(t, http.StatusNotFound, "not_found")
	if got := ts.loanIDs("aud", "/api/v1/paper/loans?overdue=true"); len(got) != 0 {
		t.Errorf("overdue loans after the return: %v", got)
	}

	for q, want := range map[string]int{"?box=B9": 1, "?box=B3": 0, "?cabinet=C2&shelf=S1": 1, "?cabinet=C1": 0, "": 1} {
		var page visitarchive.PaperPage
		ts.callAs("aud", "GET", "/api/v1/paper"+q, "").want(t, http.StatusOK).decode(t, &page)
		if page.Total != want || len(page.Records) != want {
			t.Errorf("GET /paper%s: %+v, want %d", q, page, want)
		} else if want == 1 && (page.Records[0].Record != r.ID || page.Records[0].OnLoan || page.Records[0].ReferenceCode != r.ReferenceCode) {
			t.Errorf("GET /paper%s: %+v", q, page.Records[0])
		}
	}

	var log accessLog
	ts.callAs("aud", "GET", "/api/v1/audit/access?record="+string(r.ID), "").want(t, http.StatusOK).decode(t, &log)
	var readers []string
	for _, ev := range log.Events {
		if ev.Action == visitarchive.ActionPaperRead {
			readers = append(readers, string(ev.User))
		}
	}
	if want := []string{"ann", "aud", "aud", "max"}; !slices.Equal(readers, want) {
		t.Errorf("paper reads in the access log: %v, want %v", readers, want)
	}
}

// loanIDs lists the ids of the loans GET path answers as who.
func (ts *testServer) loanIDs(who, path string) []string {
	ts.t.Helper()
	var list visitarchive.LoanList
	ts.callAs(who, "GET", path, "").want(ts.t, http.StatusOK).decode(ts.t, &list)
	var ids []string
	for _, l := range list.Loans {
		ids = append(ids, l.ID)
	}
	if list.Total != len(ids) {
		ts.t.Fatalf("%s: total %d, %d loans", path, list.Total, len(ids))
	}
	return ids
}

// TestPaperAPIRefusals: who may not is refused before the request is
// read (404 when they may not read the record, 403 when they may not
// read or change paper originals), then the request is checked.
func TestPaperAPIRefusals(t *testing.T) {
	ts, _, _, path := paperServer(t)
	move := `{"version":1,"location":{"cabinet":"C2","shelf":"S1","box":"B9"},"reason":"r"}`
	lend := `{"borrower":"Hans","purpose":"p","due_at":"2026-03-17T18:00:00+08:00"}`
	for _, tt := range []struct {
		who         string
		read, write int
	}{
		{"alice", http.StatusForbidden, http.StatusForbidden}, // her record, not its original
		{"bob", http.StatusNotFound, http.StatusNotFound},
		{"sam", http.StatusForbidden, http.StatusForbidden},
		{"mia", http.StatusForbidden, http.StatusForbidden},
		{"root", http.StatusNotFound, http.StatusNotFound},
		{"aud", http.StatusOK, http.StatusForbidden},
		{"max", http.StatusOK, http.StatusForbidden},
	} {
		t.Run(tt.who, func(t *testing.T) {
			ts.callAs(tt.who, "GET", path, "").want(t, tt.read)
			ts.callAs(tt.who, "PUT", path, move).want(t, tt.write)
			ts.callAs(tt.who, "PUT", path, `{"version":`).want(t, tt.write) // malformed: refused alike
			ts.callAs(tt.who, "POST", path+"/loans", lend).want(t, tt.write)
			ts.callAs(tt.who, "POST", path+"/loans/L1/return", "").want(t, tt.write)
			list := http.StatusOK
			if tt.read != http.StatusOK {
				list = http.StatusForbidden
			}
			ts.callAs(tt.who, "GET", "/api/v1/paper?box=B3", "").want(t, list)
			ts.callAs(tt.who, "GET", "/api/v1/paper/loans", "").want(t, list)
		})
	}

	for _, p := range []string{"/api/v1/records/R-none/paper", "/api/v1/records/..%2Fx/paper"} {
		ts.callAs("ann", "GET", p, "").wantError(t, http.StatusNotFound, "not_found")
		ts.callAs("ann", "PUT", p, move).wantError(t, http.StatusNotFound, "not_found")
		ts.callAs("ann", "POST", p+"/loans", lend).wantError(t, http.StatusNotFound, "not_found")
	}
	draft := ts.createRecordAs("alice", form(t, "acme", draftStart))
	approved := ts.approvedRecord(form(t, "acme", "2026-03-02T09:00:00+08:00"))
	ts.callAs("ann", "PUT", "/api/v1/records/"+string(draft.ID)+"/paper", move).wantError(t, http.StatusNotFound, "not_found")
	res := ts.callAs("ann", "PUT", "/api/v1/records/"+string(approved.ID)+"/paper", move).wantError(t, http.StatusConflict, "conflict")
	checkError(t, res, "conflict", "is approved", nil)

	for _, tt := range []struct {
		method, path, body string
		status             int
		code               string
		fields             []string
	}{
		{"PUT", path, `{"version":1,`, http.StatusBadRequest, "bad_request", nil},
		{"PUT", path, `{"version":1,"location":{"cabinet":"C2","shelf":"S1","box":"B9"},"reason":"r","box":"x"}`, http.StatusBadRequest, "bad_request", nil},
		{"PUT", path, `{"version":1,"location":{"cabinet":"C2","shelf":"S1","box":"B9","room":"1"},"reason":"r"}`, http.StatusBadRequest, "bad_request", nil},
		{"PUT", path + "?force=true", move, http.StatusBadRequest, "bad_request", nil},
		{"PUT", path, `{"location":{"cabinet":"C2","shelf":"S1","box":"B9"},"reason":"r"}`, http.StatusUnprocessableEntity, "invalid", []string{"version"}},
		{"PUT", path, `{"version":1,"location":{"cabinet":"","shelf":"S1"}}`, http.StatusUnprocessableEntity, "invalid", []string{"location.box", "location.cabinet", "reason"}},
		{"PUT", path, `{"version":1,"reason":"r"}`, http.StatusUnprocessableEntity, "invalid", []string{"location"}},
		{"PUT", path, `{"version":"1","location":{"cabinet":"C2","shelf":"S1","box":"B9"},"reason":"r"}`, http.StatusUnprocessableEntity, "invalid", []string{"version"}},
		{"POST", path + "/loans", `{"borrower":"Hans","purpose":"p","due_at":"2026-03-17T18:00:00+08:00","when":"now"}`, http.StatusBadRequest, "bad_request", nil},
		{"POST", path + "/loans", `[]`, http.StatusBadRequest, "bad_request", nil},
		{"POST", path + "/loans", `{"borrower":"Hans","purpose":"p","due_at":"2300-01-01T00:00:00Z"}`, http.StatusUnprocessableEntity, "invalid", []string{"due_at"}},
		{"POST", path + "/loans", `{"borrower":"Hans","purpose":"p","due_at":"1899-12-31T00:00:00Z","lent_at":"1899-12-01T00:00:00Z"}`, http.StatusUnprocessableEntity, "invalid", []string{"due_at", "lent_at"}},
		{"POST", path + "/loans", `{"borrower":"Hans","purpose":"p","due_at":"next week"}`, http.StatusUnprocessableEntity, "invalid", []string{"due_at"}},
		{"POST", path + "/loans", `{"purpose":"p","due_at":"2026-03-17T18:00:00+08:00"}`, http.StatusUnprocessableEntity, "invalid", []string{"borrower"}},
		{"POST", path + "/loans", `{"borrower_user":"nobody","purpose":"p","due_at":"2026-03-17T18:00:00+08:00"}`, http.StatusUnprocessableEntity, "invalid", []string{"borrower_user"}},
		{"GET", "/api/v1/paper?room=1", "", http.StatusBadRequest, "bad_request", nil},
		{"GET", "/api/v1/paper?box=B3&box=B4", "", http.StatusBadRequest, "bad_request", nil},
		{"GET", "/api/v1/paper?page=0", "", http.StatusUnprocessableEntity, "invalid", []string{"page"}},
		{"GET", "/api/v1/paper/loans?overdue=maybe", "", http.StatusUnprocessableEntity, "invalid", []string{"overdue"}},
		{"GET", path + "?full=true", "", http.StatusBadRequest, "bad_request", nil},
	} {
		res := ts.callAs("ann", tt.method, tt.path, tt.body)
		if res.status != tt.status {
			t.Errorf("%s %s %s: %d, want %d; %s", tt.method, tt.path, tt.body, res.status, tt.status, res.body)
			continue
		}
		checkError(t, res, tt.code, "", tt.fields)
	}
	ts.callAs("ann", "PUT", path, move, "Content-Type", "text/plain").wantError(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
	if p := ts.paperOf("ann", path); p.Version != 1 || len(p.Loans) != 0 {
		t.Errorf("the refused requests changed the original: %+v", p)
	}
}

// TestPaperFirstPlace: a record archived without a paper location has
// none on file (version 0, ETag "0"); a PUT naming version 0 records
// the first, and lending it waits for that.
func TestPaperFirstPlace(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	r := ts.approvedRecord(form(t, "acme", draftStart))
	r = ts.moveRecord("ann", r, "archive", `{}`)
	path := "/api/v1/records/" + string(r.ID) + "/paper"
	if p := ts.paperOf("aud", path); p.Version != 0 || p.Location != nil || len(p.History) != 0 || p.Loans == nil {
		t.Fatalf("no place: %+v", p)
	}
	ts.callAs("ann", "POST", path+"/loans", `{"borrower":"Hans","purpose":"p","due_at":"2026-03-17T18:00:00+08:00"}`).
		wantError(t, http.StatusConflict, "conflict")
	var first visitarchive.Paper
	ts.callAs("ann", "PUT", path, `{"version":0,"location":{"cabinet":"C1","shelf":"S1","box":"B1"},"reason":"补登"}`).
		want(t, http.StatusOK).decode(t, &first)
	if first.Version != 1 || first.Event != visitarchive.PaperRecorded || !first.Time.Equal(at(t, "2026-03-10T09:00:00+08:00")) {
		t.Fatalf("first place: %+v", first)
	}
	ts.callAs("ann", "PUT", path, `{"version":0,"location":{"cabinet":"C1","shelf":"S1","box":"B2"},"reason":"again"}`).
		wantError(t, http.StatusConflict, "conflict")
	if p := ts.paperOf("ann", path); p.Version != 1 || len(p.History) != 1 || p.History[0].Reason != "补登" {
		t.Errorf("after the first place: %+v", p)
	}
}
