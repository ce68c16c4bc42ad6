package web_test

import (
	"net/http"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// Tests of the pages of retention and disposition (retention.go): the
// menu entry by role, the appraisal lists, the destructions and the
// legal holds, and who may read them.

// The Retention entry is for whoever may read appraisal lists
// (archivists, auditors, managers); the lists' page answers 403 to the
// others.
func TestRetentionMenu(t *testing.T) {
	s := staffSite(t)
	for who, want := range map[string]bool{"arc": true, "aud": true, "boss": true, "alice": false, "mia": false} {
		c := s.signIn(who, "zh-CN")
		_, body := c.get("/inbox")
		if got := strings.Contains(menuOf(body), `<a href="/retention"`); got != want {
			t.Errorf("%s: a Retention link %v, want %v", who, got, want)
		}
		res, body := c.get("/retention")
		switch {
		case want && (res.StatusCode != http.StatusOK || !strings.Contains(body, "保管与销毁") || !strings.Contains(body, "此处没有鉴定清单。")):
			t.Errorf("%s: /retention answers %d\n%s", who, res.StatusCode, body)
		case !want && res.StatusCode != http.StatusForbidden:
			t.Errorf("%s: /retention answers %d, want 403", who, res.StatusCode)
		}
	}
}

// A list's page and its forms: a list that is not there is 404, for the
// page and for a witness's confirmation.
func TestRetentionListPage(t *testing.T) {
	s := staffSite(t)
	arc := s.signIn("arc", "zh-CN")
	if res, _ := arc.get("/retention/A404"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a missing list: %d, want 404", res.StatusCode)
	}
	if res, _ := arc.post("/retention/A404/witness", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("witnessing a missing list: %d, want 404", res.StatusCode)
	}
	if res, _ := s.signIn("alice", "zh-CN").post("/retention/A404/execute", nil); res.StatusCode != http.StatusForbidden &&
		res.StatusCode != http.StatusNotFound {
		t.Errorf("an employee executes: %d, want 403 or 404", res.StatusCode)
	}
}

// The destructions' page: none yet, said in Chinese; others are refused.
func TestRetentionDestructionsPage(t *testing.T) {
	s := staffSite(t)
	res, body := s.signIn("aud", "zh-CN").get("/destructions")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "尚无销毁记录。") {
		t.Errorf("the auditor's destructions: %d\n%s", res.StatusCode, body)
	}
	if res, _ := s.signIn("alice", "zh-CN").get("/destructions"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an employee's destructions: %d, want 403", res.StatusCode)
	}
}

// The holds' page lists a hold in force, its reason and who placed it;
// it offers no form.
func TestRetentionHoldsPage(t *testing.T) {
	s := staffSite(t)
	if _, err := s.Archive.Disposition().PlaceHold(s.as("aud"), va.HoldRequest{Scope: va.HoldCustomer, Customer: "C1",
		Reason: "诉讼保全"}); err != nil {
		t.Fatal(err)
	}
	res, body := s.signIn("arc", "zh-CN").get("/holds")
	for _, want := range []string{"法律保全", "诉讼保全", "某客户的记录", `href="/customers/C1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the holds' page (%d) lacks %q", res.StatusCode, want)
		}
	}
	if strings.Contains(body, `method="post" action="/holds`) {
		t.Error("the holds' page offers a form")
	}
	if res, _ := s.signIn("alice", "zh-CN").get("/holds"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an employee's holds: %d, want 403", res.StatusCode)
	}
}
