package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	va "github.com/visitarchive/visitarchive"
)

// Every page everyone uses, in both languages: what it shows, that it is
// accessible, and its screenshot.
func TestBrowserEveryonesPages(t *testing.T) {
	s := newSite(t)
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			tr := map[string]string{}
			if lang == "zh" {
				tr = map[string]string{"Search visit records": "检索拜访记录", "Inbox": "收件箱", "API tokens": "API 令牌",
					"Change password": "修改密码", "Not found": "未找到", "Sign in": "登录"}
			}
			say := func(s string) string {
				if v, ok := tr[s]; ok {
					return v
				}
				return s
			}
			b := s.browser(t, lang)
			if got := b.text("h1"); got != say("Sign in") {
				t.Errorf("the sign-in page's heading: %q", got)
			}
			b.check("signin")
			b.signIn("alice", password)
			if p := b.path(); p != "/search" {
				t.Fatalf("signed in: at %s, want /search", p)
			}
			if got := b.text("h1"); got != say("Search visit records") {
				t.Errorf("the search page's heading: %q", got)
			}
			b.check("search")

			// A Chinese word, highlighted; then a facet.
			b.do(chromedp.SetValue(chromedp.ID("q"), "数据中心"), chromedp.Submit(chromedp.ID("q")),
				chromedp.WaitVisible(chromedp.CSS(".hit mark")))
			if got := b.text(".hit mark"); got != "数据中心" {
				t.Errorf("the highlight: %q", got)
			}
			b.check("search-results")
			b.do(chromedp.Click(chromedp.CSS(".facet a")), chromedp.WaitVisible(chromedp.CSS(".filters")))

			// The record, from its hit.
			b.do(chromedp.Click(chromedp.CSS(".hit h3 a")), chromedp.WaitVisible(chromedp.CSS(".fields")))
			if !strings.HasPrefix(b.path(), "/records/") || !strings.Contains(b.text(".field-summary dd"), "数据中心") {
				t.Errorf("the record page: %s", b.path())
			}
			b.check("record")

			b.visit("/inbox")
			if got := b.text("h1"); got != say("Inbox") {
				t.Errorf("the inbox's heading: %q", got)
			}
			b.check("inbox")

			b.visit("/tokens")
			b.do(chromedp.SendKeys(chromedp.ID("name"), "月度导出"), chromedp.Submit(chromedp.ID("name")),
				chromedp.WaitVisible(chromedp.CSS(".new-token")))
			if v := get(b, chromedp.Value(chromedp.ID("new-token"))); !strings.HasPrefix(v, "vt_") {
				t.Errorf("the new token shown: %q", v)
			}
			b.check("tokens")

			b.visit("/password")
			b.check("password")

			b.visit("/records/R0NOSUCHRECORD")
			if got := b.text("h1"); got != say("Not found") {
				t.Errorf("the 404 page's heading: %q", got)
			}
			b.check("not-found")

			// A tablet: one column, nothing wider than the screen.
			b.do(chromedp.EmulateViewport(768, 1024))
			b.visit("/search?q=" + "%E6%95%B0%E6%8D%AE%E4%B8%AD%E5%BF%83")
			if w := get(b, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 768 {
				t.Errorf("the search page is %d px wide on a 768 px screen", w)
			}
			b.screenshot("search-tablet")
		})
	}
}

// The switch changes the language of every page after it, and is
// remembered.
func TestBrowserLanguageSwitch(t *testing.T) {
	s := newSite(t)
	b := s.browser(t, "zh")
	b.signIn("alice", password)
	b.visit("/inbox")
	b.do(chromedp.Click(chromedp.CSS("a.lang")), chromedp.WaitReady(chromedp.CSS("main")))
	if p, lang := b.path(), get(b, chromedp.Evaluate[string]("document.documentElement.lang")); p != "/inbox" || lang != "en" {
		t.Errorf("after the switch: %s in %q, want /inbox in en", p, lang)
	}
	b.visit("/search")
	if got := b.text("h1"); got != "Search visit records" {
		t.Errorf("the next page after the switch: %q", got)
	}
}

// A user whose password someone else set changes it first; a session
// that ends sends its user to sign in and back; a page their roles do
// not reach says so.
func TestBrowserHonestState(t *testing.T) {
	s := newSite(t)
	b := s.browser(t, "zh")
	b.signIn("newbie", newbiePassord)
	if p := b.path(); !strings.HasPrefix(p, "/password") {
		t.Fatalf("newbie signed in: at %s, want the password form", p)
	}
	b.check("password-forced")
	b.do(chromedp.SendKeys(chromedp.ID("old_password"), newbiePassord),
		chromedp.SendKeys(chromedp.ID("new_password"), "newbie's own password"),
		chromedp.SendKeys(chromedp.ID("repeat"), "newbie's own password"),
		chromedp.Submit(chromedp.ID("repeat")), chromedp.Sleep(50*time.Millisecond), chromedp.WaitReady(chromedp.CSS("main")))
	if p := b.path(); p != "/search" {
		t.Errorf("after the change: at %s, want /search", p)
	}

	s.Clock.Set(time.Now().Add(va.DefaultSessionTTL + time.Minute))
	b.visit("/inbox?page=1")
	if p := b.path(); p != "/signin?next=%2Finbox%3Fpage%3D1" {
		t.Fatalf("an expired session: at %s", p)
	}
	b.check("signin-expired")
	s.Clock.Set(time.Now())
	b.signIn("newbie", "newbie's own password")
	if p := b.path(); p != "/inbox?page=1" {
		t.Errorf("signed in again: at %s, want /inbox?page=1", p)
	}

	root := s.browser(t, "zh")
	root.signIn("root", password)
	root.visit("/search")
	if got := root.text("h1"); got != "无权访问" {
		t.Errorf("a sysadmin's search: %q", got)
	}
	root.check("forbidden")
}

// The pages of the roles beside the sales staff, in both languages:
// what they show, that they are accessible, and their screenshots. The
// archivist archives by keyboard and sees the reference code; the
// auditor runs a verification and sees its result.
func TestBrowserStaffPages(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			s := staffSite(t)
			s.approvedPlan("介绍新产品")
			major := s.submittedPlan(true, "签订年度框架协议")
			say := func(zh, en string) string {
				if lang == "zh" {
					return zh
				}
				return en
			}

			mia := s.browser(t, lang)
			mia.signIn("mia", password)
			mia.visit("/approved-plans")
			if got := mia.text("h1"); got != say("已批准的计划", "Approved plans") {
				t.Errorf("the approved plans' heading: %q", got)
			}
			mia.check("approved-plans")

			boss := s.browser(t, lang)
			boss.signIn("boss", password)
			boss.visit("/major-plans")
			boss.check("major-plans")
			boss.visit("/major-plans/" + string(major.ID))
			boss.do(chromedp.Click(chromedp.CSS(`button[value="reject"]`)), chromedp.WaitVisible(chromedp.CSS("#comment-error .field-error")))
			boss.check("major-plan")

			arc := s.browser(t, lang)
			arc.signIn("arc", password)
			arc.visit("/archiving")
			arc.check("archiving")
			arc.do(chromedp.Click(chromedp.CSS("table a")), chromedp.WaitVisible(chromedp.ID("paper_location-cabinet")))
			arc.check("archive-record")
			arc.do(chromedp.SendKeys(chromedp.ID("paper_location-cabinet"), "A3"), chromedp.SendKeys(chromedp.ID("paper_location-shelf"), "2"),
				chromedp.SendKeys(chromedp.ID("paper_location-box"), "17\r"), chromedp.WaitVisible(chromedp.CSS(".refcode")))
			rec, err := s.Archive.GetRecord(s.as("arc"), s.Records["approved"])
			if err != nil || rec.ReferenceCode == "" || arc.text(".refcode") != rec.ReferenceCode {
				t.Errorf("the reference code shown: %q, the record's %q (%v)", arc.text(".refcode"), rec.ReferenceCode, err)
			}
			arc.check("archived")
			arc.visit("/customers")
			arc.check("customers")
			arc.visit("/customers/C1")
			arc.check("customer")

			alice := s.browser(t, lang)
			alice.signIn("alice", password)
			alice.visit("/customers/new")
			alice.check("customer-new")

			aud := s.browser(t, lang)
			aud.signIn("aud", password)
			aud.visit("/audit/journal?actor=sam")
			aud.check("audit-journal")
			aud.visit("/audit/access?user=arc")
			aud.check("audit-access")
			aud.visit("/audit/verify")
			aud.do(chromedp.Click(chromedp.CSS(`form[action="/audit/verify"] button`)), chromedp.WaitVisible(chromedp.CSS(".ok-result")))
			aud.check("audit-verify")
			aud.visit("/export")
			aud.check("export")

			root := s.browser(t, lang)
			root.signIn("root", password)
			if p := root.path(); p != "/admin/users" {
				t.Errorf("a sysadmin signed in: at %s, want /admin/users", p)
			}
			root.check("users")
			root.visit("/admin/users/alice")
			root.check("user")
			root.visit("/admin/users/new")
			root.check("user-new")
			root.visit("/admin/departments")
			root.check("departments")
			root.visit("/admin/departments/sales1")
			root.check("department")

			// A tablet: one column, nothing wider than the screen.
			root.do(chromedp.EmulateViewport(768, 1024))
			for _, p := range []string{"/admin/users", "/admin/users/alice"} {
				root.visit(p)
				if w := get(root, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 768 {
					t.Errorf("%s is %d px wide on a 768 px screen", p, w)
				}
			}
			root.screenshot("users-tablet")
		})
	}
}
