package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

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
// it offers an archivist no form (they neither place nor release holds).
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

// dueDay is a day when the records of dueSite are due: a D10 record of a
// visit in 2026 falls due on 1 January 2037.
var dueDay = time.Date(2037, 1, 2, 9, 0, 0, 0, shanghai)

// dueSite is a staff site with dual, an archivist who is a manager too,
// and n records of C2 (a regular customer: D10) that alice filed, sam
// approved and arc archived; its clock stands at dueDay, when they are
// due. Nobody has run the appraisal pass yet.
func dueSite(t *testing.T, n int) (*site, []va.RecordID) {
	t.Helper()
	s := staffSite(t)
	s.addPerson("dual", "it", "兼任", []va.Role{va.RoleArchivist, va.RoleManager}, nil)
	alice, sam, arc := s.as("alice"), s.as("sam"), s.as("arc")
	var ids []va.RecordID
	for i := range n {
		start := time.Date(2026, 5, 4+i, 2, 0, 0, 0, time.UTC)
		r, err := s.Archive.CreateRecord(alice, va.Record{CustomerID: "C2", VisitStart: start, VisitEnd: start.Add(time.Hour),
			Location: "杭州", Visitors: []va.UserName{"alice"}, Department: "sales1", ContactName: "陈经理",
			Topic: fmt.Sprintf("到期记录 %d", i+1), Summary: "已过保管期限的拜访", CooperationIntent: "low", FollowUp: "无"})
		if err == nil {
			r, err = s.Archive.SubmitRecord(alice, r.ID, r.Version)
		}
		if err == nil {
			r, err = s.Archive.ApproveRecord(sam, r.ID, r.Version, "完整")
		}
		if err == nil {
			r, err = s.Archive.ArchiveRecord(arc, r.ID, va.ArchiveRequest{Version: r.Version})
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if err := s.Archive.SyncIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Clock.Set(dueDay)
	return s, ids
}

// The retention pass is run from the lists' page by whoever may run it;
// the archivist decides a draft's entries on its page (keeping needs a
// reason and a longer period, each said beside its entry; a stale form
// keeps what was typed and lists what changed; an auditor may not
// decide) and submits it once every entry is decided.
func TestRetentionDecideForms(t *testing.T) {
	s, ids := dueSite(t, 2)
	dual := s.signIn("dual", "zh-CN")
	if _, body := dual.get("/retention"); !strings.Contains(body, `action="/retention"`) {
		t.Error("the archivist is not offered the appraisal pass")
	}
	if _, body := s.signIn("aud", "zh-CN").get("/retention"); strings.Contains(body, `action="/retention"`) {
		t.Error("the auditor is offered the appraisal pass")
	}
	if res, _ := s.signIn("aud", "zh-CN").post("/retention", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("the auditor runs the pass: %d, want 403", res.StatusCode)
	}
	res, body := dual.post("/retention", nil)
	seeOther(t, "the pass", res, body, "/retention?state=draft")
	if _, body := dual.get("/retention?state=draft"); !strings.Contains(body, "到期鉴定已运行：现已到期的记录已列入草稿清单。") {
		t.Errorf("no notice after the pass:\n%s", body)
	}
	l := openDraft(t, s)
	path := "/retention/" + string(l.ID)
	_, body = dual.get(path)
	for _, want := range []string{`name="decisions[1].record" value="` + string(ids[1]) + `"`, `<option value="Y">`,
		`action="` + path + `/submit"`, "保存鉴定意见"} {
		if !strings.Contains(body, want) {
			t.Errorf("the draft's page lacks %q", want)
		}
	}
	keep := url.Values{"version": {strconv.Itoa(l.Version)}, "decisions[0].record": {string(ids[0])},
		"decisions[0].decision": {"destroy"}, "decisions[1].record": {string(ids[1])}, "decisions[1].decision": {"keep"}}
	res, body = dual.post(path+"/decide", keep)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "decisions-1-reason") == "" ||
		besideField(body, "decisions-1-keep_for") == "" || besideField(body, "decisions-0-reason") != "" {
		t.Errorf("keep without a reason or a period: %d %q %q", res.StatusCode, besideField(body, "decisions-1-reason"),
			besideField(body, "decisions-1-keep_for"))
	}
	keep.Set("decisions[1].keep_for", "D30")
	keep.Set("decisions[1].reason", "合同纠纷未结")
	keep.Set("version", "0")
	res, body = dual.post(path+"/decide", keep)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "合同纠纷未结") || !strings.Contains(body, "form-error") {
		t.Errorf("a stale decision: %d\n%s", res.StatusCode, body)
	}
	keep.Set("version", strconv.Itoa(l.Version))
	keep.Del("_csrf") // dual's, which post put there
	if res, body := s.signIn("aud", "zh-CN").post(path+"/decide", keep); res.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, "form-error") {
		t.Errorf("the auditor decides: %d\n%s", res.StatusCode, body)
	}
	res, body = dual.post(path+"/submit", url.Values{"version": {strconv.Itoa(l.Version)}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "未鉴定") {
		t.Errorf("submitting undecided: %d", res.StatusCode)
	}
	keep.Del("_csrf")
	res, body = dual.post(path+"/decide", keep)
	seeOther(t, "the decisions", res, body, path)
	if _, body := dual.get(path); !strings.Contains(body, "您的鉴定意见已保存。") || !strings.Contains(body, "合同纠纷未结") {
		t.Errorf("the decisions are not on the page:\n%s", body)
	}
	res, body = dual.post(path+"/submit", url.Values{"version": {strconv.Itoa(l.Version + 1)}})
	seeOther(t, "the submission", res, body, path)
	if got := s.list(l.ID); got.State != va.AppraisalSubmitted || got.CompiledBy != "dual" || got.Entries[1].KeepFor != va.RetainD30 {
		t.Errorf("after the submission: %+v", got)
	}
}

// openDraft is the one draft list of s.
func openDraft(t *testing.T, s *site) *va.Appraisal {
	t.Helper()
	ls, err := s.Archive.Disposition().Appraisals(s.as("arc"), va.AppraisalDraft)
	if err != nil || len(ls) != 1 {
		t.Fatalf("draft lists: %v, %v", ls, err)
	}
	return ls[0]
}

// list is list id as it is now.
func (s *site) list(id va.AppraisalID) *va.Appraisal {
	s.t.Helper()
	l, err := s.Archive.Disposition().Appraisal(s.as("arc"), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// submittedList runs the pass as dual, who decides to destroy every entry
// of the list and submits it.
func (s *site) submittedList() *va.Appraisal {
	s.t.Helper()
	d, dual := s.Archive.Disposition(), s.as("dual")
	if _, err := d.Appraise(dual); err != nil {
		s.t.Fatal(err)
	}
	l := openDraft(s.t, s)
	var ds []va.EntryDecision
	for _, e := range l.Entries {
		ds = append(ds, va.EntryDecision{Record: e.Record, Decision: va.DecisionDestroy})
	}
	l, err := d.Decide(dual, l.ID, l.Version, ds)
	if err == nil {
		l, err = d.Submit(dual, l.ID, l.Version)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// A manager decides a submitted list on its page: its compiler is told
// why they may not; a rejection needs a reason, a strike a reason and
// entries, each said beside its field; a stale approval is a conflict;
// an archivist is offered none of it.
func TestRetentionReviewForms(t *testing.T) {
	s, ids := dueSite(t, 2)
	l := s.submittedList()
	path := "/retention/" + string(l.ID)
	v := strconv.Itoa(l.Version)
	boss, dual := s.signIn("boss", "zh-CN"), s.signIn("dual", "zh-CN")
	res, body := dual.post(path+"/approve", url.Values{"version": {v}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "须由另一位管理层人员审批") {
		t.Errorf("the compiler approves: %d\n%s", res.StatusCode, body)
	}
	if _, body := s.signIn("arc", "zh-CN").get(path); strings.Contains(body, path+"/approve") || strings.Contains(body, path+"/reject") {
		t.Error("the archivist is offered the approval")
	}
	res, body = boss.post(path+"/reject", url.Values{"version": {v}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "reject_reason") == "" {
		t.Errorf("a rejection without a reason: %d %q", res.StatusCode, besideField(body, "reject_reason"))
	}
	res, body = boss.post(path+"/strike", url.Values{"version": {v}, "strike_reason": {"另行处理"}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "strike_records") == "" || !strings.Contains(body, "另行处理") {
		t.Errorf("a strike of nothing: %d %q", res.StatusCode, besideField(body, "strike_records"))
	}
	res, body = boss.post(path+"/strike", url.Values{"version": {v}, "records": {string(ids[1])}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "strike_reason") == "" ||
		!strings.Contains(body, `value="`+string(ids[1])+`" checked`) {
		t.Errorf("a strike without a reason: %d %q", res.StatusCode, besideField(body, "strike_reason"))
	}
	res, body = boss.post(path+"/strike", url.Values{"version": {v}, "records": {string(ids[1])}, "strike_reason": {"另行处理"}})
	seeOther(t, "the strike", res, body, path)
	res, body = boss.post(path+"/approve", url.Values{"version": {v}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "form-error") {
		t.Errorf("a stale approval: %d", res.StatusCode)
	}
	res, body = boss.post(path+"/approve", url.Values{"version": {strconv.Itoa(l.Version + 1)}})
	seeOther(t, "the approval", res, body, path)
	_, body = boss.get(path)
	for _, want := range []string{"清单已批准。", "已剔除 · 另行处理", path + "/execute"} {
		if !strings.Contains(body, want) {
			t.Errorf("the approved list's page lacks %q", want)
		}
	}
	if got := s.list(l.ID); got.State != va.AppraisalApproved || len(got.ToDestroy()) != 1 {
		t.Errorf("approved: %+v", got)
	}
}

// Holds are placed on their page by auditors and managers (a reason is
// required, a record that is not there is said beside its field) and
// released beside each by whoever may (a reason is required; a stale
// form is a conflict; an archivist may not); the record's page says it
// is held, and until when it is kept.
func TestRetentionHoldForms(t *testing.T) {
	s, ids := dueSite(t, 1)
	aud := s.signIn("aud", "zh-CN")
	if _, body := s.signIn("arc", "zh-CN").get("/holds"); strings.Contains(body, `action="/holds"`) {
		t.Error("the archivist is offered to place a hold")
	}
	place := url.Values{"scope": {"record"}, "record": {string(ids[0])}}
	res, body := aud.post("/holds", place)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "reason") == "" || !strings.Contains(body, string(ids[0])) {
		t.Errorf("a hold without a reason: %d %q", res.StatusCode, besideField(body, "reason"))
	}
	place = url.Values{"scope": {"record"}, "record": {"R404"}, "reason": {"诉讼保全"}}
	res, body = aud.post("/holds", place)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "record") == "" || !strings.Contains(body, "诉讼保全") {
		t.Errorf("a hold on no record: %d %q", res.StatusCode, besideField(body, "record"))
	}
	res, body = aud.post("/holds", url.Values{"scope": {"query"}, "reason": {"诉讼保全"}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "q") == "" {
		t.Errorf("a hold on a search of nothing: %d %q", res.StatusCode, besideField(body, "q"))
	}
	res, body = aud.post("/holds", url.Values{"scope": {"query"}, "q": {"售后"}, "from": {"2026-13-01"}, "reason": {"诉讼保全"}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "from") == "" || !strings.Contains(body, `value="售后"`) {
		t.Errorf("a hold on a search from no date: %d %q", res.StatusCode, besideField(body, "from"))
	}
	if res, _ := s.signIn("arc", "zh-CN").post("/holds", url.Values{"scope": {"record"}, "record": {string(ids[0])}, "reason": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the archivist places a hold: %d, want 403", res.StatusCode)
	}
	place = url.Values{"scope": {"record"}, "record": {string(ids[0])}, "reason": {"诉讼保全"}}
	res, body = aud.post("/holds", place)
	seeOther(t, "the hold", res, body, "/holds")
	hs, err := s.Archive.Disposition().Holds(s.as("aud"), true)
	if err != nil || len(hs) != 1 {
		t.Fatalf("holds: %v %v", hs, err)
	}
	h := hs[0]
	_, body = s.signIn("arc", "zh-CN").get("/records/" + string(ids[0]))
	for _, want := range []string{"法律保全中", `href="/holds#` + string(h.ID) + `"`, "保管至", "2037年1月1日", "已到期待鉴定"} {
		if !strings.Contains(body, want) {
			t.Errorf("the held record's page lacks %q", want)
		}
	}
	release := "/holds/" + string(h.ID) + "/release"
	if _, body := s.signIn("arc", "zh-CN").get("/holds"); strings.Contains(body, release) {
		t.Error("the archivist is offered to release the hold")
	}
	if res, _ := s.signIn("arc", "zh-CN").post(release, url.Values{"version": {"1"}, "release_reason": {"结案"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the archivist releases: %d, want 403", res.StatusCode)
	}
	boss := s.signIn("boss", "zh-CN")
	res, body = boss.post(release, url.Values{"version": {"1"}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "release_reason-"+string(h.ID)) == "" {
		t.Errorf("a release without a reason: %d %q", res.StatusCode, besideField(body, "release_reason-"+string(h.ID)))
	}
	res, body = boss.post(release, url.Values{"version": {"0"}, "release_reason": {"结案"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "结案") {
		t.Errorf("a stale release: %d", res.StatusCode)
	}
	res, body = aud.post(release, url.Values{"version": {"1"}, "release_reason": {"结案"}})
	seeOther(t, "the release", res, body, "/holds")
	if _, body := aud.get("/holds?all=1"); !strings.Contains(body, "法律保全已解除。") || !strings.Contains(body, "结案") {
		t.Errorf("the released hold:\n%s", body)
	}
}
