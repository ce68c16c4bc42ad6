package server

import (
	"bytes"
	"github.com/visitarchive/visitarchive/audit"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// newAuditServer is a test server that can run the audit.
func newAuditServer(t *testing.T) *testServer {
	t.Helper()
	ts := newTestServer(t)
	ts.srv.audit = &audit.Sources{Archive: ts.Archive, Store: ts.Store, Index: ts.Index,
		IndexDir: filepath.Join(ts.Dir, "index"), KeyFile: filepath.Join(ts.Dir, "keyring.json")}
	return ts
}

// TestAuditReport: auditors get the four-property report in three
// formats; nobody else may; a bad format is 422.
func TestAuditReport(t *testing.T) {
	ts := newAuditServer(t)
	ts.createCustomer(customerJSON)
	var rep audit.Report
	ts.callAs("aud", "GET", "/api/v1/audit/report", "").want(t, http.StatusOK).decode(t, &rep)
	if rep.Result != audit.Pass || len(rep.Checks) == 0 {
		t.Errorf("report of a clean archive: %s, failed %+v", rep.Result, rep.Failed())
	}
	page := ts.callAs("aud", "GET", "/api/v1/audit/report?format=html", "").want(t, http.StatusOK)
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !bytes.Contains(page.body, []byte("电子档案四性检测报告")) {
		t.Errorf("html report: %s %.200s", page.header.Get("Content-Type"), page.body)
	}
	xlsx := ts.callAs("aud", "GET", "/api/v1/audit/report?format=xlsx", "").want(t, http.StatusOK)
	if !bytes.HasPrefix(xlsx.body, []byte("PK")) || !strings.Contains(xlsx.header.Get("Content-Disposition"), "audit-report.xlsx") {
		t.Errorf("xlsx report: %v", xlsx.header)
	}
	for _, who := range []string{"alice", "sam", "root", "max", "ann"} {
		ts.callAs(who, "GET", "/api/v1/audit/report", "").want(t, http.StatusForbidden)
	}
	ts.callAs("aud", "GET", "/api/v1/audit/report?format=pdf", "").want(t, http.StatusUnprocessableEntity)
	ts.callAs("aud", "GET", "/api/v1/audit/report?from=yesterday", "").want(t, http.StatusUnprocessableEntity)
}

// TestAuditFixity: auditors read the latest fixity result and the ones
// before it.
func TestAuditFixity(t *testing.T) {
	ts := newTestServer(t)
	var res fixityResults
	ts.callAs("aud", "GET", "/api/v1/audit/fixity", "").want(t, http.StatusOK).decode(t, &res)
	if res.Latest != nil || len(res.History) != 0 {
		t.Errorf("before any run: %+v", res)
	}
	fx := audit.NewFixity(ts.Archive, nil)
	first, err := fx.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ts.callAs("aud", "GET", "/api/v1/audit/fixity?limit=5", "").want(t, http.StatusOK).decode(t, &res)
	if res.Latest == nil || res.Latest.ID != first.ID || len(res.History) != 1 || !res.Latest.OK() {
		t.Errorf("after a run: %+v", res)
	}
	ts.callAs("alice", "GET", "/api/v1/audit/fixity", "").want(t, http.StatusForbidden)
	ts.callAs("aud", "GET", "/api/v1/audit/fixity?limit=0", "").want(t, http.StatusUnprocessableEntity)
}
