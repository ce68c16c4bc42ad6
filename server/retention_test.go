package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// A year-end appraisal over the API: the due record is found, listed,
// decided and submitted; its compiler may not approve it (403, saying
// why, in Chinese), a manager may; holds are placed and released only by
// whom they may be.
func TestRetentionAPI(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2014-03-20T09:00:00+08:00")
	dual, err := ts.Archive.Accounts().CreateUser(visitarchive.WithActor(t.Context(), "setup"), visitarchive.User{
		Name: "dual", Department: "admin", Roles: []visitarchive.Role{visitarchive.RoleArchivist, visitarchive.RoleManager}})
	if err != nil {
		t.Fatal(err)
	}
	ts.signUp(dual)
	r := ts.approvedRecord(form(t, "beta", "2014-03-10T09:00:00+08:00"))
	r = ts.moveRecord("ann", r, "archive", `{}`)

	clock.set(at(t, "2024-12-31T23:59:59+08:00"))
	if ids := ts.recordIDs("ann", "/api/v1/retention/due"); len(ids) != 0 {
		t.Errorf("due a second early: %v", ids)
	}
	clock.set(at(t, "2025-01-01T00:00:00+08:00"))
	var page visitarchive.RecordPage
	ts.callAs("ann", "GET", "/api/v1/retention/due", "").want(t, http.StatusOK).decode(t, &page)
	if len(page.Records) != 1 || page.Records[0].RetainUntil == nil || !page.Records[0].RetainUntil.Equal(clock.Now()) {
		t.Fatalf("due on 2025-01-01: %+v", page.Records)
	}
	var res visitarchive.SearchResult
	ts.callAs("max", "GET", "/api/v1/search?due=true", "").want(t, http.StatusOK).decode(t, &res)
	if res.Total != 1 || res.Hits[0].ID != r.ID || len(res.Facets["due"]) != 1 {
		t.Errorf("search due=true: %+v", res)
	}

	var run appraisalRun
	ts.callAs("dual", "POST", "/api/v1/appraisals", "").want(t, http.StatusOK).decode(t, &run)
	if run.Listed != 1 || len(run.Lists) != 1 {
		t.Fatalf("pass: %+v", run)
	}
	l := run.Lists[0]
	path := "/api/v1/appraisals/" + string(l.ID)
	ts.callAs("alice", "POST", "/api/v1/appraisals", "").want(t, http.StatusForbidden)
	ts.move("dual", path, "decide", l.Version, `{"decisions":[{"record":"`+string(r.ID)+`","decision":"destroy"}]}`).want(t, http.StatusOK)
	ts.move("dual", path, "submit", l.Version+1, "").want(t, http.StatusOK)
	e := ts.callAs("dual", "POST", path+"/approve", "", "If-Match", strconv.Itoa(l.Version+2), "Accept-Language", "zh-CN").
		want(t, http.StatusForbidden).apiError(t)
	if !strings.Contains(e.Message, "另一位管理层") {
		t.Errorf("compiler approves: %q", e.Message)
	}
	var got visitarchive.Appraisal
	ts.move("max", path, "approve", l.Version+2, "").want(t, http.StatusOK).decode(t, &got)
	if got.State != visitarchive.AppraisalApproved || len(got.ToDestroy()) != 1 || got.CompiledBy != "dual" {
		t.Errorf("approved: %+v", got)
	}

	var h visitarchive.Hold
	ts.callAs("aud", "POST", "/api/v1/holds", `{"scope":"customer","customer":"beta","reason":"诉讼"}`).
		want(t, http.StatusCreated).decode(t, &h)
	hp := "/api/v1/holds/" + string(h.ID)
	ts.callAs("ann", "POST", "/api/v1/holds", `{"scope":"customer","customer":"beta","reason":"x"}`).want(t, http.StatusForbidden)
	ts.move("ann", hp, "release", h.Version, `{"reason":"结案"}`).want(t, http.StatusForbidden)
	ts.move("max", hp, "release", h.Version, `{"reason":"结案"}`).want(t, http.StatusOK)
	var hl holdList
	ts.callAs("ann", "GET", "/api/v1/holds?active=true", "").want(t, http.StatusOK).decode(t, &hl)
	if len(hl.Holds) != 0 {
		t.Errorf("active holds after release: %+v", hl.Holds)
	}

	// Two witnesses, then the execution and its register.
	v := got.Version
	ts.move("ann", path, "witness", v, "").want(t, http.StatusOK)
	e = ts.callAs("dual", "POST", path+"/execute", "", "If-Match", strconv.Itoa(v+1), "Accept-Language", "zh-CN").
		want(t, http.StatusConflict).apiError(t)
	if !strings.Contains(e.Message, "监销人") {
		t.Errorf("execute with one witness: %q", e.Message)
	}
	e = ts.callAs("max", "POST", path+"/witness", "", "If-Match", strconv.Itoa(v+1), "Accept-Language", "zh-CN").
		want(t, http.StatusForbidden).apiError(t)
	if !strings.Contains(e.Message, "监销人须由他人担任") {
		t.Errorf("the approver witnesses: %q", e.Message)
	}
	ts.move("ann", path, "witness", v+1, "").want(t, http.StatusConflict)
	ts.move("alice", path, "witness", v+1, "").want(t, http.StatusForbidden)
	ts.move("aud", path, "witness", v+1, "").want(t, http.StatusOK)
	ts.move("aud", path, "execute", v+2, "").want(t, http.StatusForbidden)
	var ex execution
	ts.move("max", path, "execute", v+2, "").want(t, http.StatusOK).decode(t, &ex)
	if ex.Destruction == "" || ex.Register != "/api/v1/destructions/"+ex.Destruction+"/register" ||
		len(ex.Destroyed) != 1 || ex.Destroyed[0] != r.ID || ex.List.State != visitarchive.AppraisalExecuted {
		t.Fatalf("execution: %+v", ex)
	}
	var reg visitarchive.DestructionRegister
	ts.callAs("aud", "GET", ex.Register, "").want(t, http.StatusOK).decode(t, &reg)
	if reg.Approver != "max" || len(reg.Witnesses) != 2 || reg.Witnesses[0] != "ann" || reg.Witnesses[1] != "aud" ||
		reg.By != "max" || len(reg.Entries) != 1 || reg.Entries[0].Record != r.ID {
		t.Errorf("register: %+v", reg)
	}
	ts.callAs("aud", "GET", "/api/v1/records/"+string(r.ID), "").want(t, http.StatusNotFound)
}
