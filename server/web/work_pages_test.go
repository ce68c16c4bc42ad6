package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// Tests over HTTP of the employee's and the supervisor's pages: plans,
// the unified form, decisions and reviews, and their lists; what each
// answers, that a move refused by the Archive is refused by the page,
// and that a failed save keeps what was typed. browser_work_test.go
// drives them in Chromium.

// shanghai is the company's zone of the test sites (the default).
var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// local is t as a datetime-local input holds it, in the company's zone.
func local(t time.Time) string { return t.In(shanghai).Format("2006-01-02T15:04") }

// fieldError is the message a page shows beside field (in its
// NAME-error element), "" when there is none.
func fieldError(body, field string) string {
	m := regexp.MustCompile(`<div id="` + regexp.QuoteMeta(field) + `-error"><p class="field-error" role="alert">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// inputValue is the value of the input (or text of the text area) whose
// id is id, "" when the page has none.
func inputValue(body, id string) string {
	q := regexp.QuoteMeta(id)
	if m := regexp.MustCompile(`<textarea id="` + q + `"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	if m := regexp.MustCompile(`<input id="` + q + `"[^>]* value="([^"]*)"`).FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// hidden is the value of the hidden input name of the page's first form
// that has one.
func hidden(body, name string) string {
	m := regexp.MustCompile(`<input type="hidden" name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// planValues is the plan form filled in for customer C1, a visit of two
// hours from start.
func planValues(start time.Time) url.Values {
	return url.Values{"customer_id": {"C1"}, "visit_start": {local(start)}, "visit_end": {local(start.Add(2 * time.Hour))},
		"location": {"深圳福田"}, "purpose": {"LX-3021B 样品测试反馈"}, "topics": {"报价\n交期"}, "visitors": {"alice"}}
}

// addPlan makes a plan of alice's for customer C1 from start, and moves
// it up to status through the Archive: draft, submitted or approved.
func (s *site) addPlan(start time.Time, status va.RecordStatus) *va.Plan {
	s.t.Helper()
	alice := s.as("alice")
	p, err := s.Archive.CreatePlan(alice, va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(2 * time.Hour),
		Location: "深圳福田", Purpose: "样品测试反馈", Topics: []string{"报价"}, Visitors: []va.UserName{"alice"}})
	if err == nil && status != va.StatusDraft {
		p, err = s.Archive.SubmitPlan(alice, p.ID, p.Version)
	}
	if err == nil && status == va.StatusApproved {
		p, err = s.Archive.DecidePlan(s.as("sam"), p.ID, va.PlanVerdict{Version: p.Version, Approve: true})
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// plan is the plan id as it is now.
func (s *site) plan(id va.PlanID) *va.Plan {
	s.t.Helper()
	p, err := s.Archive.GetPlan(s.as("sam"), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// record is record id as it is now.
func (s *site) record(id va.RecordID) *va.Record {
	s.t.Helper()
	r, err := s.Archive.GetRecord(s.as("sam"), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// wantRedirect fails unless res is a redirect to a path starting with
// prefix, and returns the path.
func wantRedirect(t *testing.T, what string, res *http.Response, body, prefix string) string {
	t.Helper()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: %d to %q, want a redirect to %s…\n%s", what, res.StatusCode, loc, prefix, body)
	}
	return loc
}

// The employee's plan: the form, its errors beside the fields with what
// was typed kept, a draft, a stale edit, the submission.
func TestPlanForm(t *testing.T) {
	s := newSite(t)
	alice := s.signIn("alice", "zh-CN")
	res, body := alice.get("/plans/new")
	for _, want := range []string{"拜访对象", "拜访开始时间", "拜访地点", "拜访目的", "主要议题", "拜访人员", "重大计划", `data-name="` + customerName + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the plan form lacks %q", want)
		}
	}
	if res.StatusCode != http.StatusOK || inputValue(body, "visitors") != "alice" {
		t.Errorf("the new plan form: %d, visitors %q", res.StatusCode, inputValue(body, "visitors"))
	}

	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	form := planValues(start)
	form.Set("location", "")
	form.Set("visit_end", "next Tuesday")
	form.Set("action", "save")
	res, body = alice.post("/plans/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "location") != "为必填项" ||
		!strings.Contains(fieldError(body, "visit_end"), "请输入日期和时间") {
		t.Fatalf("a plan without a place and with an unreadable end: %d, location %q, visit_end %q\n%s", res.StatusCode,
			fieldError(body, "location"), fieldError(body, "visit_end"), body)
	}
	if inputValue(body, "purpose") != "LX-3021B 样品测试反馈" || inputValue(body, "topics") != "报价\n交期" || inputValue(body, "visit_end") != "next Tuesday" {
		t.Errorf("the form lost what was typed: purpose %q topics %q end %q", inputValue(body, "purpose"), inputValue(body, "topics"), inputValue(body, "visit_end"))
	}

	form = planValues(start)
	form.Set("action", "save")
	res, body = alice.post("/plans/new", form)
	path := wantRedirect(t, "a draft plan", res, body, "/plans/P")
	_, body = alice.get(path)
	if !strings.Contains(body, "计划已保存为草稿") || !strings.Contains(body, "status-draft") || !strings.Contains(body, "交期") {
		t.Errorf("the draft's page:\n%s", body)
	}
	if _, body = alice.get(path); strings.Contains(body, "计划已保存为草稿") {
		t.Error("the notice came again on the next page")
	}
	id := va.PlanID(strings.TrimPrefix(path, "/plans/"))

	// Someone (alice, in another tab) saves a new version meanwhile.
	_, body = alice.get(path + "/edit")
	stale := hidden(body, "version")
	p := *s.plan(id)
	p.Location = "深圳南山"
	if _, err := s.Archive.UpdatePlan(s.as("alice"), p); err != nil {
		t.Fatal(err)
	}
	form = planValues(start)
	form.Set("location", "广州天河")
	form.Set("version", stale)
	res, body = alice.post(path+"/edit", form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "期间保存的内容") || !strings.Contains(body, "深圳南山") ||
		!strings.Contains(body, "在您编辑期间，alice 保存了第") ||
		inputValue(body, "location") != "广州天河" || hidden(body, "version") == stale || !strings.Contains(body, `href="`+path+`/edit"`) {
		t.Fatalf("a stale edit: %d, location %q, version %s\n%s", res.StatusCode, inputValue(body, "location"), hidden(body, "version"), body)
	}
	form.Set("version", hidden(body, "version"))
	form.Set("action", "submit")
	res, body = alice.post(path+"/edit", form)
	wantRedirect(t, "saved again over the current version, and submitted", res, body, path)
	if p := s.plan(id); p.Location != "广州天河" || p.Status != va.StatusSubmitted {
		t.Errorf("the plan: %s at %s", p.Status, p.Location)
	}
}

// The supervisor decides plans on their page: approves with an
// adjustment (a comment then needed), decides a change of an approved
// plan, escalates one to management; the employee changes and cancels.
func TestPlanDecisions(t *testing.T) {
	s := newSite(t)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	p := s.addPlan(start, va.StatusSubmitted)
	path := "/plans/" + string(p.ID)
	sam := s.signIn("sam", "zh-CN")
	_, body := sam.get("/review/plans")
	if !strings.Contains(body, `href="`+path+`"`) || !strings.Contains(body, "共 1 份计划") {
		t.Fatalf("sam's plans to decide:\n%s", body)
	}
	decide := url.Values{"action": {"approve"}, "version": {strconv.Itoa(p.Version)}, "adjust_visit_start": {local(start)},
		"adjust_visit_end": {local(start.Add(2 * time.Hour))}, "adjust_location": {"深圳南山"}}
	res, body := sam.post(path+"/decide", decide)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "comment") == "" || inputValue(body, "adjust_location") != "深圳南山" {
		t.Fatalf("an adjustment without a comment: %d, comment %q, location %q\n%s", res.StatusCode, fieldError(body, "comment"),
			inputValue(body, "adjust_location"), body)
	}
	decide.Set("comment", "客户在南山新办公室")
	res, body = sam.post(path+"/decide", decide)
	wantRedirect(t, "approve with an adjustment", res, body, "/review/plans")
	if p = s.plan(p.ID); p.Status != va.StatusApproved || p.Location != "深圳南山" || !slices.Equal(p.Decisions[0].Adjusted, []string{"location"}) {
		t.Fatalf("the approved plan: %s at %s, %+v", p.Status, p.Location, p.Decisions)
	}
	if _, body = sam.get("/review/plans"); !strings.Contains(body, "计划已批准") || strings.Contains(body, path) {
		t.Errorf("after the decision:\n%s", body)
	}

	// alice changes the approved plan: a reason is needed.
	alice := s.signIn("alice", "zh-CN")
	if _, body = alice.get(path); !strings.Contains(body, `href="`+path+`/edit"`) || !strings.Contains(body, "变更计划") {
		t.Errorf("the approved plan offers no change:\n%s", body)
	}
	_, body = alice.get(path + "/edit")
	if !strings.Contains(body, `id="change_reason"`) || !strings.Contains(body, `name="change" value="1"`) {
		t.Fatalf("the change form:\n%s", body)
	}
	change := planValues(start.Add(24 * time.Hour))
	change.Set("location", "深圳南山")
	change.Set("version", hidden(body, "version"))
	change.Set("change", "1")
	res, body = alice.post(path+"/edit", change)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "change_reason") == "" {
		t.Fatalf("a change without a reason: %d %q\n%s", res.StatusCode, fieldError(body, "change_reason"), body)
	}
	change.Set("change_reason", "客户改期一天")
	res, body = alice.post(path+"/edit", change)
	wantRedirect(t, "a change", res, body, path)
	if _, body = alice.get(path); !strings.Contains(body, "变更已提交审批") || !strings.Contains(body, "待审批的变更（第 1 次变更）") {
		t.Errorf("the plan with its change waiting:\n%s", body)
	}

	// sam rejects the change, with a reason: the plan stays as it was.
	_, body = sam.get("/review/plans")
	if !strings.Contains(body, "变更待审批") {
		t.Errorf("the change is not among the plans to decide:\n%s", body)
	}
	reject := url.Values{"action": {"reject"}, "version": {strconv.Itoa(s.plan(p.ID).Version)}}
	if res, body = sam.post(path+"/decide", reject); res.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "comment") == "" {
		t.Fatalf("a rejection without a reason: %d\n%s", res.StatusCode, body)
	}
	reject.Set("comment", "那天客户没空")
	res, body = sam.post(path+"/decide", reject)
	wantRedirect(t, "reject the change", res, body, "/review/plans")
	if p = s.plan(p.ID); p.Status != va.StatusApproved || p.Pending != nil || !p.VisitStart.Equal(start) {
		t.Errorf("after the rejected change: %s, pending %v, start %v", p.Status, p.Pending, p.VisitStart)
	}

	// Another plan goes to management, with sam's recommendation.
	major := s.addPlan(start, va.StatusSubmitted)
	res, body = sam.post("/plans/"+string(major.ID)+"/decide", url.Values{"action": {"approve"}, "version": {strconv.Itoa(major.Version)},
		"adjust_visit_start": {local(start)}, "adjust_visit_end": {local(start.Add(2 * time.Hour))}, "adjust_location": {"深圳福田"},
		"major": {"on"}, "comment": {"金额较大，请管理层审批"}})
	wantRedirect(t, "escalate", res, body, "/review/plans")
	if _, body = sam.get("/review/plans"); !strings.Contains(body, "计划已连同您的建议上报管理层") {
		t.Errorf("no notice of the escalation:\n%s", body)
	}
	if got := s.plan(major.ID); got.Status != va.StatusSubmitted || !got.Major || got.Decisions[0].Decision != va.DecisionEscalated {
		t.Errorf("the escalated plan: %s, major %v, %+v", got.Status, got.Major, got.Decisions)
	}

	// alice calls the visit off: a reason is needed.
	cancel := url.Values{"version": {strconv.Itoa(s.plan(p.ID).Version)}}
	if res, body = alice.post(path+"/cancel", cancel); res.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "reason") == "" {
		t.Fatalf("a cancellation without a reason: %d\n%s", res.StatusCode, body)
	}
	cancel.Set("reason", "客户取消了会面")
	res, body = alice.post(path+"/cancel", cancel)
	wantRedirect(t, "cancel", res, body, path)
	if p = s.plan(p.ID); p.Status != va.StatusCancelled {
		t.Errorf("the cancelled plan: %s", p.Status)
	}
}

// Whoever may not make a move is refused by the page as by the API:
// 404 for what they may not read, 403 for what their roles never allow,
// and nothing changes; a form without the session's CSRF token changes
// nothing.
func TestWorkPagesRefuse(t *testing.T) {
	s := newSite(t)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	draft := s.addPlan(start, va.StatusDraft)
	submitted := s.addPlan(start, va.StatusSubmitted)
	approvedRec, draftRec := string(s.Records["approved"]), string(s.Records["draft"])
	alice := s.signIn("alice", "en")
	form := planValues(start)
	form.Set("_csrf", "forged")
	if res, _ := alice.post("/plans/new", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("a plan form with a forged token: %d", res.StatusCode)
	}
	if page, err := s.Archive.ListPlans(s.as("alice"), va.PlanQuery{}); err != nil || page.Total != 2 {
		t.Errorf("plans after the forged form: %v %v", page, err)
	}
	for _, tt := range []struct {
		who, method, path string
		status            int
	}{
		{"mia", "GET", "/plans", http.StatusForbidden},
		{"mia", "GET", "/plans/" + string(draft.ID), http.StatusNotFound},
		{"mia", "GET", "/plans/" + string(draft.ID) + "/edit", http.StatusNotFound},
		{"mia", "POST", "/plans/" + string(submitted.ID) + "/decide", http.StatusNotFound},
		{"alice", "POST", "/plans/" + string(submitted.ID) + "/decide", http.StatusForbidden},
		{"alice", "GET", "/plans/" + string(submitted.ID) + "/edit", http.StatusConflict},
		{"sam", "GET", "/plans/new", http.StatusForbidden},
		{"sam", "POST", "/plans/" + string(draft.ID) + "/edit", http.StatusForbidden},
		{"sam", "POST", "/plans/" + string(draft.ID) + "/submit", http.StatusForbidden},
		{"mia", "POST", "/plans/" + string(submitted.ID) + "/cancel", http.StatusNotFound},
		{"alice", "GET", "/plans/no.such", http.StatusNotFound},
		{"sam", "GET", "/records/new", http.StatusForbidden},
		{"sam", "GET", "/records/" + draftRec + "/edit", http.StatusForbidden},
		{"sam", "POST", "/records/" + draftRec + "/edit", http.StatusForbidden},
		{"mia", "GET", "/records/" + draftRec + "/edit", http.StatusNotFound},
		{"mia", "GET", "/records/" + draftRec + "/review", http.StatusNotFound},
		{"mia", "GET", "/records/" + approvedRec + "/review", http.StatusForbidden},
		{"mia", "POST", "/records/" + approvedRec + "/review", http.StatusForbidden},
		{"alice", "POST", "/records/" + approvedRec + "/review", http.StatusForbidden},
		{"alice", "GET", "/records/" + approvedRec + "/edit", http.StatusConflict},
		{"alice", "GET", "/review/plans", http.StatusForbidden},
		{"alice", "GET", "/review/records", http.StatusForbidden},
		{"mia", "GET", "/review/overdue", http.StatusForbidden},
		{"root", "GET", "/review/missing", http.StatusForbidden},
		{"root", "GET", "/records", http.StatusForbidden},
	} {
		c := s.signIn(tt.who, "en")
		var res *http.Response
		var body string
		if tt.method == "POST" {
			res, body = c.post(tt.path, url.Values{"action": {"approve"}, "version": {"1"}, "comment": {"x"}, "reason": {"x"}})
		} else {
			res, body = c.get(tt.path)
		}
		if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s %s: %d, want %d\n%s", tt.who, tt.method, tt.path, res.StatusCode, tt.status, body)
		}
	}
	if p := s.plan(submitted.ID); p.Status != va.StatusSubmitted {
		t.Errorf("the plan after the refused decisions: %s", p.Status)
	}
	if r := s.record(s.Records["approved"]); r.Status != va.StatusApproved || len(r.Reviews) != 1 {
		t.Errorf("the record after the refused reviews: %s, %d reviews", r.Status, len(r.Reviews))
	}
}

// keyRecord is the unified form filled in for a key customer's visit
// that ended two hours ago, but for onsite_notes and the decision chain.
func keyRecord() url.Values {
	end := time.Now().Add(-2 * time.Hour).Truncate(time.Minute)
	return url.Values{"customer_id": {"C1"}, "visit_start": {local(end.Add(-2 * time.Hour))}, "visit_end": {local(end)},
		"location": {"深圳福田"}, "visitors": {"alice"}, "contact_name": {"王经理"}, "contact_phone": {"+86 138 0013 8000"},
		"topic": {"储能柜报价"}, "summary": {"客户希望下月采购 LX-3021B。"}, "customer_situation": {"电子制造商"},
		"cooperation_intent": {"high"}, "follow_up": {"下周发报价"}}
}

// The unified form: every field under the policy's terms, those the
// customer's type needs marked, a draft saved without losing input, the
// errors of a submission beside their fields, rows of the decision
// chain, a stale edit.
func TestRecordForm(t *testing.T) {
	s := newSite(t)
	alice := s.signIn("alice", "zh-CN")
	_, body := alice.get("/records/new")
	for _, want := range []string{"拜访对象", "拜访开始时间", "拜访结束时间", "拜访地点", "拜访人员", "联系人", "联系电话", "拜访主题",
		"沟通内容摘要", "客户基本情况", "需求痛点", "产品或服务反馈", "客户意见和建议", "市场动态、竞争对手信息", "合作意向", "跟进计划",
		"现场情况", "决策链", "（提交时必填）", `data-forms="`} {
		if !strings.Contains(body, want) {
			t.Errorf("the unified form lacks %q", want)
		}
	}
	// Without a customer, onsite_notes is not marked; with a key one it is.
	marked := func(body, field string) bool {
		return regexp.MustCompile(`data-req-for="` + field + `">`).MatchString(body)
	}
	if marked(body, "onsite_notes") || !marked(body, "summary") {
		t.Errorf("the new form marks onsite_notes %v, summary %v", marked(body, "onsite_notes"), marked(body, "summary"))
	}

	// A row of the decision chain without a name: the draft is refused,
	// and the message stands in the row's cell.
	form := keyRecord()
	form["chain_name"] = []string{"", ""}
	form["chain_role"] = []string{"CTO", ""}
	form["chain_attitude"] = []string{"support", ""}
	form["chain_notes"] = []string{"", ""}
	form.Set("action", "save")
	res, body := alice.post("/records/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="chain-0-name-error"`) || inputValue(body, "chain-0-role") != "CTO" {
		t.Fatalf("a decision maker without a name: %d\n%s", res.StatusCode, body)
	}
	if inputValue(body, "summary") != "客户希望下月采购 LX-3021B。" || inputValue(body, "contact_phone") != "+86 138 0013 8000" {
		t.Error("the refused draft lost what was typed")
	}

	// Submitted without the key customer's on-site notes and chain: the
	// draft is kept, and what it lacks is said beside each field.
	form = keyRecord()
	form.Set("summary", "")
	form.Set("action", "submit")
	res, body = alice.post("/records/new", form)
	action := regexp.MustCompile(`action="(/records/R[^"]+/edit)"`).FindStringSubmatch(body)
	if res.StatusCode != http.StatusUnprocessableEntity || action == nil || !strings.Contains(body, "草稿已保存，但还不能提交") {
		t.Fatalf("an incomplete record submitted: %d\n%s", res.StatusCode, body)
	}
	for _, f := range []string{"summary", "onsite_notes", "decision_chain"} {
		if got := fieldError(body, f); got != "客户类型为“重点客户”时必填" {
			t.Errorf("beside %s: %q", f, got)
		}
	}
	if !marked(body, "onsite_notes") || inputValue(body, "topic") != "储能柜报价" {
		t.Errorf("the form of the saved draft: onsite_notes marked %v, topic %q", marked(body, "onsite_notes"), inputValue(body, "topic"))
	}
	id := va.RecordID(strings.TrimSuffix(strings.TrimPrefix(action[1], "/records/"), "/edit"))
	if r := s.record(id); r.Status != va.StatusDraft || r.Topic != "储能柜报价" {
		t.Fatalf("the draft kept: %s %q", r.Status, r.Topic)
	}

	// alice edits in two tabs: the second save is stale.
	stale := hidden(body, "version")
	r := *s.record(id)
	r.Topic = "储能柜报价与交期"
	if _, err := s.Archive.UpdateRecord(s.as("alice"), r); err != nil {
		t.Fatal(err)
	}
	form.Set("version", stale)
	form.Set("summary", "客户希望下月采购。")
	form.Set("onsite_notes", "参观了工厂")
	form["chain_name"], form["chain_role"], form["chain_attitude"] = []string{"李总"}, []string{"CEO"}, []string{"support"}
	res, body = alice.post(action[1], form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "储能柜报价与交期") || inputValue(body, "summary") != "客户希望下月采购。" ||
		!strings.Contains(body, "在您编辑期间，alice 保存了第 "+strconv.Itoa(s.record(id).Version)+" 版") ||
		inputValue(body, "chain-0-name") != "李总" || hidden(body, "version") == stale || !strings.Contains(body, "加载当前版本") {
		t.Fatalf("a stale edit: %d\n%s", res.StatusCode, body)
	}
	form.Set("version", hidden(body, "version"))
	res, body = alice.post(action[1], form)
	wantRedirect(t, "the record saved again and submitted", res, body, "/records/"+string(id))
	if r := s.record(id); r.Status != va.StatusSubmitted || r.Topic != "储能柜报价" || len(r.DecisionChain) != 1 {
		t.Errorf("the submitted record: %s %q %v", r.Status, r.Topic, r.DecisionChain)
	}
	if _, body = alice.get("/records/" + string(id)); !strings.Contains(body, "记录已提交审核") {
		t.Error("no notice of the submission")
	}
}

// A record filed from an approved plan starts from the plan: customer,
// times, place and visitors.
func TestRecordFromPlan(t *testing.T) {
	s := newSite(t)
	start := time.Now().Add(-5 * time.Hour).Truncate(time.Hour)
	p := s.addPlan(start, va.StatusApproved)
	alice := s.signIn("alice", "en")
	_, body := alice.get("/plans/" + string(p.ID))
	if !strings.Contains(body, `href="/records/new?plan=`+string(p.ID)+`"`) {
		t.Fatalf("the approved plan offers no record:\n%s", body)
	}
	_, body = alice.get("/records/new?plan=" + string(p.ID))
	if inputValue(body, "customer_id") != "C1" || inputValue(body, "visit_start") != local(start) || inputValue(body, "location") != "深圳福田" ||
		!strings.Contains(body, `<option value="`+string(p.ID)+`" selected>`) {
		t.Errorf("the form from the plan:\n%s", body)
	}
	if res, _ := alice.get("/records/new?plan=P0NOSUCHPLAN"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a form from no plan: %d", res.StatusCode)
	}
}

// The supervisor's review: a return needs a comment; comments on single
// fields reach the author beside those fields; a review that came too
// late says so; the record's page leads to the review and to the form.
func TestReviewPage(t *testing.T) {
	s := newSite(t)
	alice := s.signIn("alice", "en")
	form := keyRecord()
	form.Set("onsite_notes", "参观了工厂")
	form["chain_name"], form["chain_role"], form["chain_attitude"], form["chain_notes"] = []string{"李总"}, []string{"CEO"}, []string{"support"}, []string{"关心交期"}
	form.Set("action", "submit")
	res, body := alice.post("/records/new", form)
	path := wantRedirect(t, "a complete record submitted", res, body, "/records/R")
	id := va.RecordID(strings.TrimPrefix(path, "/records/"))

	sam := s.signIn("sam", "en")
	_, body = sam.get("/review/records")
	if !strings.Contains(body, `href="`+path+`/review"`) {
		t.Fatalf("sam's records to review:\n%s", body)
	}
	if _, body = sam.get(path); !strings.Contains(body, `href="`+path+`/review"`) {
		t.Error("the record page does not lead its supervisor to the review")
	}
	_, body = sam.get(path + "/review")
	version := hidden(body, "version")
	for _, want := range []string{"Customer visited", "Decision chain", "李总", `id="c_summary"`, `id="c_decision_chain"`, "Return for correction"} {
		if !strings.Contains(body, want) {
			t.Errorf("the review page lacks %q", want)
		}
	}
	ret := url.Values{"action": {"return"}, "version": {version}, "c_summary": {"Say which model and how many."}}
	res, body = sam.post(path+"/review", ret)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "comment") == "" || inputValue(body, "c_summary") != "Say which model and how many." {
		t.Fatalf("a return without an overall comment: %d\n%s", res.StatusCode, body)
	}
	ret.Set("comment", "Please complete the summary.")
	res, body = sam.post(path+"/review", ret)
	wantRedirect(t, "return", res, body, "/review/records")

	_, body = alice.get(path)
	if !strings.Contains(body, `href="`+path+`/edit"`) || !strings.Contains(body, "Correct and resubmit") {
		t.Errorf("the returned record does not lead its author to the form:\n%s", body)
	}
	_, body = alice.get(path + "/edit")
	comment := regexp.MustCompile(`<p class="review-comment" id="summary-comment"><strong>Reviewer&#39;s comment:</strong> ([^<]*)</p>`).FindStringSubmatch(body)
	if comment == nil || comment[1] != "Say which model and how many." || !strings.Contains(body, "Please complete the summary.") ||
		!strings.Contains(body, `aria-describedby="summary-error summary-comment"`) {
		t.Fatalf("the returned record's form:\n%s", body)
	}

	// A review of a version that is no longer current says so.
	res, body = sam.post(path+"/review", url.Values{"action": {"approve"}, "version": {version}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "is returned; it cannot approve now") {
		t.Errorf("a review of an old version: %d\n%s", res.StatusCode, body)
	}
	if r := s.record(id); r.Status != va.StatusReturned || r.Reviews[0].Fields["summary"] == "" {
		t.Errorf("the returned record: %s %+v", r.Status, r.Reviews)
	}
}

// The lists: the employee's records with their deadlines, overdue ones
// marked; the supervisor's overdue records and plans without a record.
func TestWorkLists(t *testing.T) {
	s := newSite(t)
	ended := s.addPlan(time.Now().Add(-72*time.Hour).Truncate(time.Hour), va.StatusApproved)
	alice := s.signIn("alice", "zh-CN")
	_, body := alice.get("/records?show=overdue")
	if !strings.Contains(body, "共 24 条记录") || strings.Count(body, `<tr class="overdue">`) != 20 || !strings.Contains(body, `rel="next"`) ||
		!strings.Contains(body, `aria-current="page">逾期</a>`) {
		t.Errorf("alice's overdue records:\n%s", body)
	}
	_, body = alice.get("/records")
	if !strings.Contains(body, "共 25 条记录") || !strings.Contains(body, "提交期限") || !strings.Contains(body, "新建记录") {
		t.Errorf("alice's records:\n%s", body)
	}
	_, body = alice.get("/plans?show=missing")
	if !strings.Contains(body, `href="/records/new?plan=`+string(ended.ID)+`"`) {
		t.Errorf("alice's plans without a record:\n%s", body)
	}
	sam := s.signIn("sam", "zh-CN")
	_, body = sam.get("/review/overdue")
	if !strings.Contains(body, "共 24 条记录") || !strings.Contains(body, "<strong class=\"late\">逾期</strong>") || !strings.Contains(body, `href="/review/missing"`) {
		t.Errorf("sam's overdue records:\n%s", body)
	}
	_, body = sam.get("/review/missing")
	if !strings.Contains(body, `href="/plans/`+string(ended.ID)+`"`) || strings.Contains(body, "/records/new?plan=") {
		t.Errorf("sam's plans without a record:\n%s", body)
	}
	// The record of the visit that ended 70 hours ago was due 24 hours
	// after it: the plan is marked overdue, with its deadline.
	due := s.Archive.RecordDue(ended.VisitEnd).In(shanghai)
	dueText := fmt.Sprintf("%d年%d月%d日 %s", due.Year(), due.Month(), due.Day(), due.Format("15:04"))
	for who, c := range map[string]*client{"alice": alice, "sam": sam} {
		path := map[string]string{"alice": "/plans?show=missing", "sam": "/review/missing"}[who]
		_, body = c.get(path)
		if !strings.Contains(body, "记录提交期限") || !strings.Contains(body, `<tr class="overdue">`) ||
			!strings.Contains(body, dueText) {
			t.Errorf("%s's plans without a record lack the deadline %v:\n%s", who, due, body)
		}
	}
	_, body = sam.get("/inbox")
	for _, want := range []string{`href="/review/plans"`, `href="/review/records"`, `href="/review/overdue"`} {
		if !strings.Contains(body, want) {
			t.Errorf("sam's menu lacks %s", want)
		}
	}
	if strings.Contains(body, `href="/plans"`) {
		t.Error("sam's menu offers the employee's plans")
	}
}

// A decision made on a version of the plan that is no longer current
// says so once, above the page, and keeps what the decider typed: in
// the form when the plan still waits for a decision, else to copy.
func TestPlanDecisionConflict(t *testing.T) {
	s := newSite(t)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	p := s.addPlan(start, va.StatusSubmitted)
	path := "/plans/" + string(p.ID)
	sam := s.signIn("sam", "zh-CN")
	_, body := sam.get(path)
	stale := hidden(body, "version")

	// sam approves it in another tab meanwhile.
	if _, err := s.Archive.DecidePlan(s.as("sam"), p.ID, va.PlanVerdict{Version: p.Version, Approve: true}); err != nil {
		t.Fatal(err)
	}
	res, body := sam.post(path+"/decide", url.Values{"action": {"reject"}, "version": {stale}, "comment": {"时间太紧"}})
	if res.StatusCode != http.StatusConflict || strings.Count(body, `class="form-error"`) != 1 ||
		!strings.Contains(body, "您的意见未能提交") || !strings.Contains(body, "时间太紧") || strings.Contains(body, `action="`+path+`/decide"`) {
		t.Fatalf("a rejection of a plan approved meanwhile: %d\n%s", res.StatusCode, body)
	}
	if got := s.plan(p.ID); got.Status != va.StatusApproved || len(got.Decisions) != 1 {
		t.Errorf("the approved plan: %s, %+v", got.Status, got.Decisions)
	}
}
