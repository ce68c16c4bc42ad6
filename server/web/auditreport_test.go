package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive/audit"
)

// The page of the four-property audit links the report in its three
// formats and shows the latest fixity result; only auditors see it.
func TestAuditReportPage(t *testing.T) {
	s := newSite(t)
	aud := s.signIn("aud", "en")
	_, body := aud.get("/audit/report")
	for _, want := range []string{"No fixity check has run yet.", `href="/api/v1/audit/report?format=html"`,
		`href="/api/v1/audit/report?format=xlsx"`, `href="/api/v1/audit/report?format=json"`, `href="/api/v1/audit/fixity"`} {
		if !strings.Contains(body, want) {
			t.Errorf("before a fixity run, the page lacks %q", want)
		}
	}
	if _, err := audit.NewFixity(s.Archive, nil).RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, body = aud.get("/audit/report"); !strings.Contains(body, "No problem found: every object recorded is there") {
		t.Errorf("after a clean run:\n%s", body)
	}
	if _, body = s.signIn("aud", "zh").get("/audit/report"); !strings.Contains(body, "最近一次固定性检查") || !strings.Contains(body, "四性检测") {
		t.Errorf("the page in Chinese:\n%s", body)
	}
	if res, _ := s.signIn("mia", "en").get("/audit/report"); res.StatusCode != http.StatusForbidden {
		t.Errorf("marketing opens the audit page: %d", res.StatusCode)
	}
}
