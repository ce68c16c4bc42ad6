package web_test

import (
	"fmt"
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

// Tests of the pages of the roles beside the sales staff (admin.go):
// marketing's approved plans, management's decisions, the archivists'
// archiving and customers, the auditors' journal, access log,
// verification and exports, the administrators' accounts and
// departments.

// staff are the people these pages are for, beside those of every site
// (site_test.go): an archivist, a manager, and marketing staff with the
// grant of the sensitive fields.
var staff = []struct {
	name, dept, display string
	roles               []va.Role
	grants              []va.Grant
}{
	{"arc", "it", "档案员", []va.Role{va.RoleArchivist}, nil},
	{"boss", "it", "总经理", []va.Role{va.RoleManager}, nil},
	{"mia2", "marketing", "市场二", []va.Role{va.RoleMarketing}, []va.Grant{va.GrantSensitive}},
}

// addStaff adds staff to s, each with the password of every site's
// people, chosen by themselves.
func (s *site) addStaff() {
	s.t.Helper()
	for _, p := range staff {
		s.addPerson(p.name, p.dept, p.display, p.roles, p.grants)
	}
}

// addPerson adds a person to s with the password of every site's
// people, chosen by themselves.
func (s *site) addPerson(name, dept, display string, roles []va.Role, grants []va.Grant) {
	t := s.t
	t.Helper()
	setup := va.WithActor(t.Context(), "setup")
	u, err := s.Archive.Accounts().CreateUser(setup, va.User{Name: va.UserName(name), DisplayName: display,
		Department: va.DepartmentID(dept), Roles: roles, Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Archive.Accounts().SetPassword(va.WithActor(t.Context(), u.Name), u.Name, "a password to change"); err != nil {
		t.Fatal(err)
	}
	me := va.WithPrincipal(t.Context(), va.PrincipalOf(u))
	if _, err := s.Archive.Accounts().ChangePassword(me, "a password to change", password); err != nil {
		t.Fatal(err)
	}
}

// staffSite is a site with staff.
func staffSite(t *testing.T) *site {
	t.Helper()
	s := newSite(t)
	s.addStaff()
	return s
}

// submittedPlan is a plan alice files for customer C1 and submits:
// a major one, or an ordinary one; purpose tells it apart.
func (s *site) submittedPlan(major bool, purpose string) *va.Plan {
	s.t.Helper()
	alice := s.as("alice")
	start := time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	p, err := s.Archive.CreatePlan(alice, va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(2 * time.Hour),
		Location: "深圳", Purpose: purpose, Topics: []string{"样品测试", "交期"}, Visitors: []va.UserName{"alice"}, Major: major})
	if err == nil {
		p, err = s.Archive.SubmitPlan(alice, p.ID, p.Version)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// approvedPlan is an ordinary plan that sam approved.
func (s *site) approvedPlan(purpose string) *va.Plan {
	s.t.Helper()
	p := s.submittedPlan(false, purpose)
	p, err := s.Archive.DecidePlan(s.as("sam"), p.ID, va.PlanVerdict{Version: p.Version, Approve: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// besideField is the message a page shows beside the field whose input
// has id, or "".
func besideField(body, id string) string {
	m := regexp.MustCompile(`<div id="` + regexp.QuoteMeta(id) + `-error"><p class="field-error" role="alert">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// seeOther checks that res redirects (303) to want.
func seeOther(t *testing.T, what string, res *http.Response, body, want string) {
	t.Helper()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != want {
		t.Fatalf("%s: %d to %q, want 303 to %q\n%s", what, res.StatusCode, loc, want, body)
	}
}

// menuOf is the main menu of a page.
func menuOf(body string) string {
	_, menu, _ := strings.Cut(body, `<nav class="menu"`)
	menu, _, _ = strings.Cut(menu, "</nav>")
	return menu
}

// The menu leads each role to its pages and to no other; the pages say
// so to the others.
func TestStaffMenus(t *testing.T) {
	s := staffSite(t)
	pages := []string{"/approved-plans", "/major-plans", "/archiving", "/customers", "/audit", "/export", "/admin/users", "/admin/departments"}
	for who, want := range map[string][]string{
		"alice": {"/customers"},
		"sam":   {"/customers"},
		"mia":   {"/approved-plans", "/customers"},
		"arc":   {"/archiving", "/customers", "/export"},
		"boss":  {"/approved-plans", "/major-plans", "/customers", "/export"},
		"aud":   {"/approved-plans", "/customers", "/audit", "/export", "/admin/users", "/admin/departments"},
		"root":  {"/admin/users", "/admin/departments"},
	} {
		c := s.signIn(who, "en")
		_, body := c.get("/inbox")
		menu := menuOf(body)
		for _, p := range pages {
			shown := strings.Contains(menu, `<a href="`+p+`"`)
			if mine := strings.Contains(strings.Join(want, " ")+" ", p+" "); shown != mine {
				t.Errorf("%s: a menu link to %s %v, want %v", who, p, shown, mine)
			}
			if !shown {
				if res, _ := c.get(p); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s: %s answers %d, want 403", who, p, res.StatusCode)
				}
			}
		}
	}
}

// Whoever decides plans finds them under one entry of the menu: a
// supervisor under Plans to decide, a manager, who decides major plans
// only, under Major plans to decide, and one who is both under Plans to
// decide, which lists every plan they decide and says so.
func TestPlanDecisionMenus(t *testing.T) {
	s := staffSite(t)
	setup := va.WithActor(t.Context(), "setup")
	duo, err := s.Archive.Accounts().CreateUser(setup, va.User{Name: "duo", DisplayName: "主管兼经理", Department: "sales1",
		Roles: []va.Role{va.RoleSupervisor, va.RoleManager}, Heads: []va.DepartmentID{"sales1"}})
	if err == nil {
		_, err = s.Archive.Accounts().SetPassword(va.WithActor(t.Context(), "duo"), "duo", "a password to change")
	}
	if err == nil {
		_, err = s.Archive.Accounts().ChangePassword(va.WithPrincipal(t.Context(), va.PrincipalOf(duo)), "a password to change", password)
	}
	if err != nil {
		t.Fatal(err)
	}
	major := s.submittedPlan(true, "签订年度框架协议")
	ordinary := s.submittedPlan(false, "普通计划")
	entries := []string{"/review/plans", "/major-plans"}
	for _, tc := range []struct {
		who, entry string
		lists      []*va.Plan
		intro      string
	}{
		{"alice", "", nil, ""},
		{"mia", "", nil, ""},
		{"aud", "", nil, ""},
		{"sam", "/review/plans", []*va.Plan{ordinary}, "of the departments you head. A major plan is decided by management."},
		{"boss", "/major-plans", []*va.Plan{major}, ""},
		{"duo", "/review/plans", []*va.Plan{ordinary, major}, "of the departments you head, and the major plans of every department"},
	} {
		c := s.signIn(tc.who, "en")
		_, body := c.get("/inbox")
		menu := menuOf(body)
		for _, p := range entries {
			if shown := strings.Contains(menu, `<a href="`+p+`"`); shown != (p == tc.entry) {
				t.Errorf("%s: a menu link to %s %v, want %v", tc.who, p, shown, p == tc.entry)
			}
		}
		if tc.entry == "" {
			continue
		}
		_, body = c.get(tc.entry)
		for _, p := range []*va.Plan{major, ordinary} {
			listed := strings.Contains(body, "/"+string(p.ID)+`"`)
			if want := slices.Contains(tc.lists, p); listed != want {
				t.Errorf("%s: %s lists %q %v, want %v", tc.who, tc.entry, p.Purpose, listed, want)
			}
		}
		if !strings.Contains(body, tc.intro) {
			t.Errorf("%s: %s does not say %q", tc.who, tc.entry, tc.intro)
		}
	}
	// A manager who comes to Plans to decide all the same is told what
	// it lists.
	_, body := s.signIn("boss", "en").get("/review/plans")
	if !strings.Contains(body, "Major plans of every department") || strings.Contains(body, "departments you head") {
		t.Errorf("a manager's Plans to decide:\n%s", body)
	}
}

// Marketing sees the approved plans of every department, a page at a
// time, and those cancelled; by department.
func TestApprovedPlansPage(t *testing.T) {
	s := staffSite(t)
	const plans = 21 // more than a page
	for i := range plans {
		s.approvedPlan(fmt.Sprintf("介绍新产品 %02d", i))
	}
	cancelled := s.approvedPlan("将被取消的计划")
	if _, err := s.Archive.CancelPlan(s.as("alice"), cancelled.ID, cancelled.Version, "客户临时出差"); err != nil {
		t.Fatal(err)
	}
	s.submittedPlan(false, "尚未批准的计划")

	mia := s.signIn("mia", "zh-CN")
	_, body := mia.get("/approved-plans")
	for _, want := range []string{"已批准的计划", "共 21 份计划", customerName, "主要议题", "样品测试", "部门 sales1", "第 1 页，共 2 页"} {
		if !strings.Contains(body, want) {
			t.Errorf("the approved plans lack %q", want)
		}
	}
	if strings.Count(body, `class="card"`) != 20 || strings.Contains(body, "尚未批准的计划") || strings.Contains(body, "将被取消的计划") {
		t.Errorf("the first page holds %d plans, or one not in force:\n%s", strings.Count(body, `class="card"`), body)
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	if _, body = mia.get(strings.ReplaceAll(next[1], "&amp;", "&")); strings.Count(body, `class="card"`) != 1 {
		t.Errorf("the second page holds %d plans, want 1", strings.Count(body, `class="card"`))
	}
	_, body = mia.get("/approved-plans?status=cancelled")
	if !strings.Contains(body, "将被取消的计划") || !strings.Contains(body, "客户临时出差") || strings.Contains(body, "介绍新产品") {
		t.Errorf("the cancelled plans:\n%s", body)
	}
	_, body = mia.get("/approved-plans?department=marketing")
	if !strings.Contains(body, "尚无已批准的计划。") {
		t.Errorf("the approved plans of a department that has none:\n%s", body)
	}
	if res, _ := mia.get("/approved-plans?page=99999999999999999999"); res.StatusCode != http.StatusOK {
		t.Errorf("a page far past the end: %d", res.StatusCode)
	}
}

// Marketing and customer service read approved work without its
// sensitive fields, unless they hold the grant.
func TestSensitiveFieldsOfStaff(t *testing.T) {
	s := staffSite(t)
	alice := s.as("alice")
	cu, err := s.Archive.GetCustomer(alice, "C1")
	if err != nil {
		t.Fatal(err)
	}
	cu.Contacts = []va.Contact{{Name: "王经理", Title: "采购经理", Phone: contactPhone}}
	if _, err := s.Archive.UpdateCustomer(alice, *cu); err != nil {
		t.Fatal(err)
	}
	record := "/records/" + string(s.Records["approved"])
	for who, sees := range map[string]bool{"mia": false, "mia2": true, "arc": false, "aud": true} {
		c := s.signIn(who, "en")
		_, body := c.get("/customers/C1")
		if got := strings.Contains(body, contactPhoneHTML); got != sees {
			t.Errorf("%s sees the contact's phone on the customer page: %v, want %v", who, got, sees)
		}
		if !sees && !strings.Contains(body, "Contacts are hidden: your roles do not show them.") {
			t.Errorf("%s: the customer page does not say the contacts are hidden", who)
		}
		if who == "arc" {
			continue // an archivist sees them once the record is archived
		}
		_, body = c.get(record)
		if got := strings.Contains(body, contactPhoneHTML); got != sees {
			t.Errorf("%s sees the contact's phone on the record page: %v, want %v", who, got, sees)
		}
	}
}

// A manager decides the major plans: the list, the plan with the
// supervisor's recommendation, the errors beside the fields, a stale
// form, the adjustments.
func TestMajorPlanDecision(t *testing.T) {
	s := staffSite(t)
	major := s.submittedPlan(true, "签订年度框架协议")
	s.submittedPlan(false, "普通计划")
	escalated := s.submittedPlan(false, "主管上报的计划")
	if _, err := s.Archive.DecidePlan(s.as("sam"), escalated.ID, va.PlanVerdict{Version: escalated.Version, Approve: true,
		Major: true, Comment: "金额超过权限"}); err != nil {
		t.Fatal(err)
	}
	boss := s.signIn("boss", "zh-CN")
	_, body := boss.get("/major-plans")
	for _, want := range []string{"待审批的重大计划", "2 份计划待您审批", "签订年度框架协议", "主管上报的计划", "金额超过权限", "建议：已批准"} {
		if !strings.Contains(body, want) {
			t.Errorf("the major plans lack %q", want)
		}
	}
	if strings.Contains(body, "普通计划") {
		t.Error("an ordinary plan waits for a manager")
	}
	path := "/major-plans/" + string(major.ID)
	if _, body = boss.get(path); !strings.Contains(body, `name="decision" value="approve"`) || !strings.Contains(body, "签订年度框架协议") {
		t.Fatalf("the page of the major plan:\n%s", body)
	}
	version := strconv.Itoa(major.Version)

	// A rejection without a comment; an adjustment without one.
	res, body := boss.post(path, url.Values{"version": {version}, "decision": {"reject"}, "location": {"深圳"}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "comment") == "" {
		t.Errorf("a rejection without a comment: %d, beside the comment %q", res.StatusCode, besideField(body, "comment"))
	}
	form := url.Values{"version": {version}, "decision": {"approve"}, "visit_start": {"2026-04-10T10:00"},
		"visit_end": {"2026-04-10T12:00"}, "location": {"广州"}, "purpose": {"签订年度框架协议"}, "topics": {"样品测试\n交期"},
		"visitors": {"alice"}}
	res, body = boss.post(path, form)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "comment") == "" || !strings.Contains(body, `value="广州"`) {
		t.Errorf("an adjustment without a comment: %d, beside the comment %q", res.StatusCode, besideField(body, "comment"))
	}
	form.Set("visit_start", "不是时间")
	form.Set("comment", "改在广州见面")
	res, body = boss.post(path, form)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "visit_start") != "请输入日期和时间。" {
		t.Errorf("a time that is none: %d, beside it %q", res.StatusCode, besideField(body, "visit_start"))
	}
	form.Set("visit_start", "2026-04-10T10:00")
	form.Set("visitors", "alice, nobody!")
	res, body = boss.post(path, form)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "visitors") == "" {
		t.Errorf("a visitor who cannot be: %d, beside the visitors %q", res.StatusCode, besideField(body, "visitors"))
	}
	form.Set("visitors", "alice")

	// Someone else decides meanwhile: a stale form says so and keeps
	// the input.
	stale := form
	stale.Set("version", strconv.Itoa(major.Version-1))
	res, body = boss.post(path, stale)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "他人修改了此内容") || !strings.Contains(body, "改在广州见面") {
		t.Errorf("a stale decision: %d\n%s", res.StatusCode, body)
	}
	form.Set("version", version)
	res, body = boss.post(path, form)
	seeOther(t, "the decision", res, body, "/major-plans")
	p, err := s.Archive.GetPlan(s.as("boss"), major.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Decisions[len(p.Decisions)-1]; p.Status != va.StatusApproved || p.Location != "广州" || d.By != "boss" ||
		strings.Join(d.Adjusted, ",") != "location" || d.Comment != "改在广州见面" {
		t.Errorf("the plan decided: %s at %s, %+v", p.Status, p.Location, d)
	}
	_, body = boss.get("/major-plans")
	if !strings.Contains(body, "您的决定已记录。") || strings.Contains(body, "签订年度框架协议") {
		t.Errorf("the list after the decision:\n%s", body)
	}
	if _, body = boss.get(path); !strings.Contains(body, "此计划目前不需要审批。") {
		t.Error("a decided plan still offers a decision")
	}

	// A change of the approved major plan waits for management beside
	// the plan in force.
	change := *p
	change.Location, change.ChangeReason = "上海", "客户要求改在上海"
	if p, err = s.Archive.UpdatePlan(s.as("alice"), change); err != nil || p.Pending == nil {
		t.Fatalf("a change of the plan: %v", err)
	}
	_, body = boss.get("/major-plans")
	if !strings.Contains(body, "客户要求改在上海") || !strings.Contains(body, `href="`+path+`"`) {
		t.Errorf("the change is not listed:\n%s", body)
	}
	_, body = boss.get(path)
	for _, want := range []string{"待审批的变更", "已批准的计划（变更批准前继续有效）", "上海", "广州", `value="上海"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page of the change lacks %q", want)
		}
	}
	form = url.Values{"version": {strconv.Itoa(p.Version)}, "decision": {"approve"}}
	for k, v := range map[string]string{"visit_start": "2026-04-10T10:00", "visit_end": "2026-04-10T12:00", "location": "上海",
		"purpose": "签订年度框架协议", "topics": "样品测试\r\n交期", "visitors": "alice"} {
		form.Set(k, v)
	}
	res, body = boss.post(path, form)
	seeOther(t, "the change approved as it is", res, body, "/major-plans")
	if p, err = s.Archive.GetPlan(s.as("boss"), major.ID); err != nil || p.Location != "上海" || p.Pending != nil {
		t.Errorf("the plan after its change: %v %+v", err, p)
	}
	// The supervisor reads the plan but does not decide it.
	if _, body = s.signIn("sam", "zh-CN").get("/major-plans/" + string(escalated.ID)); strings.Contains(body, `value="approve"`) ||
		!strings.Contains(body, "您的角色无权审批此计划") {
		t.Errorf("the supervisor's view of the escalated plan:\n%s", body)
	}
}

// An archivist archives an approved record: its class and retention
// before, where its paper original is, and its reference code after.
func TestArchivingPages(t *testing.T) {
	s := staffSite(t)
	id := s.Records["approved"]
	arc := s.signIn("arc", "zh-CN")
	_, body := arc.get("/archiving")
	if !strings.Contains(body, "1 条记录待归档") || !strings.Contains(body, `href="/archiving/`+string(id)+`"`) {
		t.Fatalf("the records to archive:\n%s", body)
	}
	path := "/archiving/" + string(id)
	_, body = arc.get(path)
	for _, want := range []string{"重点客户 · 电子元器件 · 2026", "保管期限", "纸质原件存放位置", `name="version" value="`} {
		if !strings.Contains(body, want) {
			t.Errorf("the archiving page lacks %q\n%s", want, body)
		}
	}
	rec, err := s.Archive.GetRecord(s.as("arc"), id)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"version": {strconv.Itoa(rec.Version - 1)}, "paper_location.cabinet": {"A3"},
		"paper_location.shelf": {"2"}, "paper_location.box": {"17"}}
	res, body := arc.post(path, form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="A3"`) || !strings.Contains(body, `class="form-error"`) {
		t.Errorf("a stale version: %d\n%s", res.StatusCode, body)
	}
	form.Set("version", strconv.Itoa(rec.Version))
	res, body = arc.post(path, form)
	seeOther(t, "archiving", res, body, path)
	if rec, err = s.Archive.GetRecord(s.as("arc"), id); err != nil || rec.ReferenceCode == "" {
		t.Fatalf("the record archived: %v %+v", err, rec)
	}
	_, body = arc.get(path)
	for _, want := range []string{"记录已归档。", rec.ReferenceCode, "柜号 A3", "架号 2", "盒号 17", "档案员", "arc"} {
		if !strings.Contains(body, want) {
			t.Errorf("the archived record's page lacks %q", want)
		}
	}
	if strings.Contains(body, `method="post" action="/archiving/`) {
		t.Error("an archived record offers to archive it again")
	}
	if _, body = arc.get("/archiving"); !strings.Contains(body, "没有待归档的已批准记录。") {
		t.Error("the archived record still waits")
	}
	// A draft is no archivist's: they cannot read it.
	if res, _ := arc.get("/archiving/" + string(s.Records["draft"])); res.StatusCode != http.StatusNotFound {
		t.Errorf("a draft's archiving page: %d", res.StatusCode)
	}
}

// Customers: the list, a new one with its contacts and the errors
// beside the fields, a stale change.
func TestCustomerPages(t *testing.T) {
	s := staffSite(t)
	_, body := s.signIn("arc", "zh-CN").get("/customers")
	if !strings.Contains(body, "共 2 个客户") || !strings.Contains(body, customerName) || strings.Contains(body, `href="/customers/new"`) {
		t.Errorf("the archivist's list of customers:\n%s", body)
	}
	alice := s.signIn("alice", "en")
	_, body = alice.get("/customers")
	if !strings.Contains(body, `href="/customers/new"`) {
		t.Error("an employee is not offered a new customer")
	}
	form := url.Values{"contact_rows": {"2"}, "name": {""}, "customer_type": {"key"}, "business_area": {"光伏"},
		"contacts[0].name": {"陈工"}, "contacts[0].phone": {"+86 139 0000 1111"}, "contacts[0].email": {"not an address"}}
	res, body := alice.post("/customers/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "name") == "" || !strings.Contains(body, `value="陈工"`) {
		t.Errorf("a customer without a name: %d, beside the name %q\n%s", res.StatusCode, besideField(body, "name"), body)
	}
	form.Set("name", "苏州阳光能源有限公司")
	form.Set("contacts[0].email", "chen@example.com")
	res, body = alice.post("/customers/new", form)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/customers/") {
		t.Fatalf("a new customer: %d\n%s", res.StatusCode, body)
	}
	path := res.Header.Get("Location")
	_, body = alice.get(path)
	for _, want := range []string{"The customer has been saved.", `value="苏州阳光能源有限公司"`, `value="&#43;86 139 0000 1111"`, "Version 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the new customer's page lacks %q", want)
		}
	}
	form.Set("version", "1")
	form.Set("business_area", "储能")
	if res, body = alice.post(path, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a change: %d\n%s", res.StatusCode, body)
	}
	form.Set("business_area", "风电")
	res, body = alice.post(path, form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone changed this") || !strings.Contains(body, "<dd>储能</dd>") ||
		!strings.Contains(body, `value="风电"`) || !strings.Contains(body, `name="version" value="2"`) {
		t.Errorf("a stale change: %d\n%s", res.StatusCode, body)
	}
	// Marketing reads customers and changes none.
	_, body = s.signIn("mia", "en").get(path)
	if strings.Contains(body, `method="post"`+` action="`+path) || !strings.Contains(body, "储能") {
		t.Errorf("marketing's view of a customer:\n%s", body)
	}
	if res, _ := s.signIn("mia", "en").post(path, form); res.StatusCode != http.StatusForbidden {
		t.Errorf("marketing changes a customer: %d", res.StatusCode)
	}
}

// The auditors' journal: filters, their errors, pages.
func TestJournalPage(t *testing.T) {
	s := staffSite(t)
	aud := s.signIn("aud", "en")
	res, _ := aud.get("/audit")
	seeOther(t, "the audit start", res, "", "/audit/journal")
	_, body := aud.get("/audit/journal?actor=sam")
	if !strings.Contains(body, ">record.approve<") || strings.Contains(body, ">record.create<") ||
		!strings.Contains(body, `<a href="/records/`+string(s.Records["approved"])+`">records/`) {
		t.Errorf("sam's entries:\n%s", body)
	}
	_, body = aud.get("/audit/journal?action=record.submit")
	if strings.Count(body, ">record.submit<") != 1 {
		t.Errorf("the submissions: %d, want 1", strings.Count(body, ">record.submit<"))
	}
	res, body = aud.get("/audit/journal?from=2026-13-01&after=x")
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "from") == "" || besideField(body, "after") == "" {
		t.Errorf("a month that is none: %d, beside it %q, %q", res.StatusCode, besideField(body, "from"), besideField(body, "after"))
	}
	today := time.Now().In(s.Archive.Location()).Format(time.DateOnly)
	_, body = aud.get("/audit/journal?from=" + today)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
	if strings.Count(body, "<tr>") < 50 || next == nil {
		t.Fatalf("the first page of today's entries: %d rows\n%s", strings.Count(body, "<tr>"), body)
	}
	_, body = aud.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if !strings.Contains(body, "Back to the first entries") || !strings.Contains(body, "<tr>") {
		t.Errorf("the next page:\n%s", body)
	}
	if _, body = aud.get("/audit/journal?actor=nobody"); !strings.Contains(body, "No entry matches.") {
		t.Error("no word of nothing found")
	}
}

// The access log: who read what, by user, record and period.
func TestAccessLogPage(t *testing.T) {
	s := staffSite(t)
	record := string(s.Records["approved"])
	s.signIn("mia", "en").get("/records/" + record)
	aud := s.signIn("aud", "zh-CN")
	_, body := aud.get("/audit/access?user=mia")
	if !strings.Contains(body, `href="/records/`+record+`"`) || !strings.Contains(body, "record.read") {
		t.Errorf("mia's reads:\n%s", body)
	}
	if _, body = aud.get("/audit/access?user=mia&record=" + string(s.Records["draft"])); !strings.Contains(body, "没有符合条件的查阅记录。") {
		t.Errorf("mia's reads of a draft:\n%s", body)
	}
	today := time.Now().In(s.Archive.Location())
	if _, body = aud.get("/audit/access?record=" + record + "&from=" + today.Format(time.DateOnly) + "&to=" + today.Format(time.DateOnly)); !strings.Contains(body, ">mia<") {
		t.Errorf("today's reads of the record:\n%s", body)
	}
	if _, body = aud.get("/audit/access?user=mia&to=" + today.AddDate(0, 0, -1).Format(time.DateOnly)); strings.Contains(body, ">mia<") {
		t.Error("reads of today before today")
	}
	res, body := aud.get("/audit/access?to=yesterday")
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "to") != "请输入日期，如 2026-03-01。" {
		t.Errorf("a date that is none: %d, beside it %q", res.StatusCode, besideField(body, "to"))
	}
}

// A verification of the journal's chain runs in the background; its
// page shows its progress, then its result.
func TestVerificationPage(t *testing.T) {
	s := staffSite(t)
	aud := s.signIn("aud", "en")
	if _, body := aud.get("/audit/verify"); !strings.Contains(body, "No verification has run since this server started.") {
		t.Errorf("before the first verification:\n%s", body)
	}
	res, body := aud.post("/audit/verify", nil)
	seeOther(t, "a verification", res, body, "/audit/verify")
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body = aud.get("/audit/verify")
		if !strings.Contains(body, "data-refresh") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the verification still runs:\n%s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{"No problem found", "Started by aud", "Verify again"} {
		if !strings.Contains(body, want) {
			t.Errorf("the result lacks %q\n%s", want, body)
		}
	}
	if res, _ := s.signIn("mia", "en").post("/audit/verify", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("marketing starts a verification: %d", res.StatusCode)
	}
}

// Exports: the filter's errors beside its fields; a good one downloads
// from the API with the same session.
func TestExportPage(t *testing.T) {
	s := staffSite(t)
	aud := s.signIn("aud", "zh-CN")
	_, body := aud.get("/export")
	if !strings.Contains(body, `<select id="status" name="status"`) || !strings.Contains(body, ">部门 sales1</option>") {
		t.Errorf("the export form:\n%s", body)
	}
	res, body := aud.get("/export?download=1&from=2026-03-10&to=2026-03-01")
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "to") == "" || !strings.Contains(body, `value="2026-03-10"`) {
		t.Errorf("a period that ends before it starts: %d, beside it %q", res.StatusCode, besideField(body, "to"))
	}
	res, body = aud.get("/export?download=1&status=approved&q=")
	seeOther(t, "a good export", res, body, "/api/v1/export/records?status=approved")
	res, body = aud.get("/api/v1/export/records?status=approved")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, string(s.Records["approved"])) || strings.Contains(body, string(s.Records["draft"])) {
		t.Errorf("the export: %d\n%s", res.StatusCode, body)
	}
	events, err := s.Archive.AccessLog(s.as("aud"), va.AccessFilter{User: "aud"})
	if err != nil || len(events) == 0 || events[len(events)-1].Action != va.ActionExport {
		t.Errorf("the export is not in the access log: %v %+v", err, events)
	}
}

// An administrator's accounts: a new one with a generated password, the
// refusals of separation of duties beside the fields, a stale change,
// disabling, a new password.
func TestUserPages(t *testing.T) {
	s := staffSite(t)
	root := s.signIn("root", "en")
	_, body := root.get("/admin/users")
	if !strings.Contains(body, "9 accounts") || !strings.Contains(body, `href="/admin/users/alice"`) || !strings.Contains(body, "张丽") {
		t.Errorf("the accounts:\n%s", body)
	}
	form := url.Values{"name": {"li.wei"}, "display_name": {"李伟"}, "department": {"sales1"}, "roles": {"employee", "sysadmin"},
		"password_mode": {"generate"}}
	res, body := root.post("/admin/users/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "roles") == "" || !strings.Contains(body, `value="li.wei"`) {
		t.Errorf("a sysadmin who sells: %d, beside the roles %q", res.StatusCode, besideField(body, "roles"))
	}
	form["roles"] = []string{"employee"}
	form.Set("password_mode", "set")
	form.Set("password", "short")
	res, body = root.post("/admin/users/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "password") == "" {
		t.Errorf("a short password: %d, beside it %q", res.StatusCode, besideField(body, "password"))
	}
	form.Set("password_mode", "generate")
	res, body = root.post("/admin/users/new", form)
	pw := regexp.MustCompile(`id="new-password" type="text" readonly value="([^"]+)"`).FindStringSubmatch(body)
	if res.StatusCode != http.StatusCreated || pw == nil {
		t.Fatalf("a new account: %d\n%s", res.StatusCode, body)
	}
	liwei := s.newClient("en")
	if res, _ := liwei.signIn("li.wei", pw[1], "/"); !strings.HasPrefix(res.Header.Get("Location"), "/password") {
		t.Errorf("the new account signs in: to %q, want the password form", res.Header.Get("Location"))
	}

	// Grants for marketing; then a stale form.
	mia, err := s.Archive.Accounts().GetUser(s.as("root"), "mia")
	if err != nil {
		t.Fatal(err)
	}
	change := url.Values{"version": {strconv.Itoa(mia.Version)}, "display_name": {"李敏"}, "department": {"marketing"},
		"roles": {"marketing"}, "grants": {"sensitive"}}
	res, body = root.post("/admin/users/mia", change)
	seeOther(t, "a grant", res, body, "/admin/users")
	if mia, err = s.Archive.Accounts().GetUser(s.as("root"), "mia"); err != nil || len(mia.Grants) != 1 {
		t.Errorf("mia's grants: %v %v", err, mia.Grants)
	}
	change.Del("grants")
	res, body = root.post("/admin/users/mia", change)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone changed this") ||
		!strings.Contains(body, "Sensitive fields: contact details and decision chains</dd>") {
		t.Errorf("a stale change: %d\n%s", res.StatusCode, body)
	}

	// Their own roles and disabling themselves are another's to do.
	me, _ := s.Archive.Accounts().GetUser(s.as("root"), "root")
	res, body = root.post("/admin/users/root", url.Values{"version": {strconv.Itoa(me.Version)}, "department": {"it"},
		"roles": {"sysadmin", "auditor"}, "display_name": {"系统管理员"}})
	if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="form-error"`) &&
		besideField(body, "roles") == "" {
		t.Errorf("changing one's own roles: %d\n%s", res.StatusCode, body)
	}
	res, body = root.post("/admin/users/root/disabled", url.Values{"version": {strconv.Itoa(me.Version)}, "disabled": {"true"}})
	if res.StatusCode != http.StatusConflict || strings.Contains(body, "Someone changed this") || !strings.Contains(body, `class="form-error"`) {
		t.Errorf("disabling oneself: %d\n%s", res.StatusCode, body)
	}

	// Disabling ends the sessions; a new password set by the
	// administrator must be changed.
	alice := s.signIn("alice", "en")
	u, _ := s.Archive.Accounts().GetUser(s.as("root"), "alice")
	res, body = root.post("/admin/users/alice/disabled", url.Values{"version": {strconv.Itoa(u.Version)}, "disabled": {"true"}})
	seeOther(t, "disabling", res, body, "/admin/users")
	if res, _ := alice.get("/search"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("a disabled user's session: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = root.post("/admin/users/newbie/password", url.Values{"password_mode": {"set"}, "password": {"a brand new password"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "The password you typed is set.") {
		t.Errorf("a new password: %d\n%s", res.StatusCode, body)
	}
	if res, _ := s.newClient("en").signIn("newbie", "a brand new password", "/"); !strings.HasPrefix(res.Header.Get("Location"), "/password") {
		t.Errorf("newbie with the new password: to %q", res.Header.Get("Location"))
	}

	// An auditor reads the accounts and changes none.
	aud := s.signIn("aud", "en")
	if _, body = aud.get("/admin/users"); strings.Contains(body, `href="/admin/users/alice"`) || strings.Contains(body, `href="/admin/users/new"`) ||
		!strings.Contains(body, "alice") {
		t.Errorf("the auditor's accounts:\n%s", body)
	}
	if res, _ := aud.get("/admin/users/alice"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor's form of an account: %d", res.StatusCode)
	}
}

// Departments: the list, a new one with the errors beside its fields,
// a new name, a stale one.
func TestDepartmentPages(t *testing.T) {
	s := staffSite(t)
	root := s.signIn("root", "zh-CN")
	_, body := root.get("/admin/departments")
	if !strings.Contains(body, "共 4 个部门") || !strings.Contains(body, "部门 sales1") || !strings.Contains(body, "创建部门") {
		t.Errorf("the departments:\n%s", body)
	}
	res, body := root.post("/admin/departments", url.Values{"id": {"bad id!"}, "name": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "id") == "" || besideField(body, "name") == "" ||
		!strings.Contains(body, `value="bad id!"`) {
		t.Errorf("a bad department: %d, beside the id %q, the name %q", res.StatusCode, besideField(body, "id"), besideField(body, "name"))
	}
	res, body = root.post("/admin/departments", url.Values{"id": {"sales2"}, "name": {"销售二部"}})
	seeOther(t, "a new department", res, body, "/admin/departments")
	if _, body = root.get("/admin/departments"); !strings.Contains(body, "部门已保存。") || !strings.Contains(body, "销售二部") {
		t.Error("the new department is not listed")
	}
	res, body = root.post("/admin/departments/sales2", url.Values{"version": {"1"}, "name": {"销售二部（华南）"}})
	seeOther(t, "a new name", res, body, "/admin/departments")
	res, body = root.post("/admin/departments/sales2", url.Values{"version": {"1"}, "name": {"华南销售部"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "<dd>销售二部（华南）</dd>") || !strings.Contains(body, `value="华南销售部"`) {
		t.Errorf("a stale name: %d\n%s", res.StatusCode, body)
	}
	aud := s.signIn("aud", "zh-CN")
	if _, body = aud.get("/admin/departments"); strings.Contains(body, "创建部门") || strings.Contains(body, `href="/admin/departments/sales1"`) {
		t.Errorf("the auditor's departments:\n%s", body)
	}
	if res, _ := aud.get("/admin/departments/sales1"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor's form of a department: %d", res.StatusCode)
	}
}
