package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/server/web"
)

// Tests of the pages over HTTP, without a browser: what each answer says
// and what it sets. browser_test.go drives the same pages in Chromium.

// maxPageSize is the most a page may weigh without its images (issue 17).
const maxPageSize = 200 << 10

// Every page, signed in or not, carries the security headers; a page
// with personal data is never cached. None is heavy.
func TestSecurityHeaders(t *testing.T) {
	s := newSite(t)
	anon := s.newClient("zh-CN")
	alice := s.signIn("alice", "zh-CN")
	check := func(who string, c *client, path string) {
		t.Helper()
		res, body := c.get(path)
		if len(body) > maxPageSize {
			t.Errorf("%s %s: %d bytes, over %d", who, path, len(body), maxPageSize)
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s %s: CSP %q lacks %q", who, path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s %s: CSP %q allows inline code", who, path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
			"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s %s: %s = %q, want %q", who, path, h, got, want)
			}
		}
	}
	check("anonymous", anon, "/signin")
	check("anonymous", anon, "/no-such-page")
	for _, p := range []string{"/search", "/inbox", "/tokens", "/password", "/records/" + string(s.Records["approved"]), "/records/nope"} {
		check("alice", alice, p)
	}
	res, body := anon.get("/static/app.css")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "focus-visible") {
		t.Errorf("app.css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// A page needs a signed-in user: the sign-in page comes first and leads
// back to the page asked for, never elsewhere.
func TestSignInAndBack(t *testing.T) {
	s := newSite(t)
	c := s.newClient("zh-CN")
	res, _ := c.get("/search?q=%E6%95%B0%E6%8D%AE")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/signin?next="+url.QueryEscape("/search?q=%E6%95%B0%E6%8D%AE") {
		t.Fatalf("a page while signed out: %d to %q", res.StatusCode, loc)
	}
	res, body := c.signIn("alice", "wrong password", "/search")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码错误") {
		t.Errorf("a wrong password: %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `name="user" type="text" value="alice"`) {
		t.Error("the form lost the user name typed")
	}
	res, _ = c.signIn("alice", password, "/search?q=x")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/search?q=x" {
		t.Errorf("signed in: %d to %q, want /search?q=x", res.StatusCode, loc)
	}
	if c.cookie(web.SessionCookie) == "" || c.cookie(web.CSRFCookie) == "" {
		t.Error("no session cookies after signing in")
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/api/v1/records"} {
		c := s.newClient("")
		if res, _ := c.signIn("alice", password, next); res.Header.Get("Location") != "/" {
			t.Errorf("next=%q: to %q, want /", next, res.Header.Get("Location"))
		}
	}
	// The sign-in form needs its own token: a form from elsewhere fails.
	other := s.newClient("")
	res, _ = other.post("/signin", url.Values{"_csrf": {"forged"}, "user": {"alice"}, "password": {password}})
	if res.StatusCode != http.StatusForbidden || other.cookie(web.SessionCookie) != "" {
		t.Errorf("a sign-in without the form's token: %d", res.StatusCode)
	}
}

// Signing out ends the session: its cookie opens nothing after.
func TestSignOut(t *testing.T) {
	s := newSite(t)
	c := s.signIn("alice", "en")
	session := c.cookie(web.SessionCookie)
	res, _ := c.post("/signout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("sign out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, _, err := s.Archive.Accounts().Authenticate(t.Context(), session); !va.IsKind(err, va.Unauthenticated) {
		t.Errorf("the session after signing out: %v", err)
	}
	_, body := c.get("/signin")
	if !strings.Contains(body, "You have signed out.") {
		t.Error("no notice of the sign-out")
	}
}

// Every form that changes something carries the session's CSRF token;
// without it nothing changes.
func TestCSRF(t *testing.T) {
	s := newSite(t)
	c := s.signIn("alice", "en")
	res, body := c.post("/inbox/read", url.Values{"_csrf": {"forged"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Not allowed") {
		t.Errorf("a form with a forged token: %d\n%s", res.StatusCode, body)
	}
	if n, _ := s.Archive.Inbox().Unread(s.as("alice")); n == 0 {
		t.Error("the forged form marked the inbox read")
	}
	if res, _ := c.post("/inbox/read", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the form with the session's token: %d", res.StatusCode)
	}
	if n, _ := s.Archive.Inbox().Unread(s.as("alice")); n != 0 {
		t.Errorf("after marking all read: %d unread", n)
	}
	_, page := c.get("/tokens")
	if !strings.Contains(page, `name="_csrf" value="`+c.cookie(web.CSRFCookie)+`"`) {
		t.Error("the tokens page's forms lack the session's CSRF token")
	}
}

// A user whose password someone else set changes it before anything
// else, and is then signed in with it and sent on.
func TestForcedPasswordChange(t *testing.T) {
	s := newSite(t)
	c := s.newClient("zh-CN")
	res, _ := c.signIn("newbie", newbiePassord, "/inbox")
	if loc := res.Header.Get("Location"); loc != "/password?next=%2Finbox" {
		t.Fatalf("signed in with a password to change: to %q", loc)
	}
	for _, p := range []string{"/search", "/inbox", "/tokens"} {
		if res, _ := c.get(p); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/password") {
			t.Errorf("%s before the change: %d to %q", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	_, body := c.get("/password?next=%2Finbox")
	if !strings.Contains(body, "您的密码由管理员设置") || strings.Contains(body, `href="/search"`) {
		t.Errorf("the forced change's page:\n%s", body)
	}
	form := url.Values{"old_password": {newbiePassord}, "new_password": {"my own new password"}, "repeat": {"my own new pasword"}, "next": {"/inbox"}}
	res, body = c.post("/password", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "两次输入的新密码不一致") {
		t.Errorf("two different new passwords: %d", res.StatusCode)
	}
	form.Set("repeat", "my own new password")
	res, _ = c.post("/password", form)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/inbox" {
		t.Fatalf("the change: %d to %q", res.StatusCode, loc)
	}
	res, body = c.get("/inbox")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "您的密码已修改") {
		t.Errorf("the inbox after the change: %d", res.StatusCode)
	}
}

// A session that ended sends its user to sign in again, told why, and
// back to where they were.
func TestExpiredSession(t *testing.T) {
	s := newSite(t)
	c := s.signIn("alice", "en")
	s.Clock.Set(time.Now().Add(va.DefaultSessionTTL + time.Minute))
	res, _ := c.get("/inbox?page=1")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/signin?next=%2Finbox%3Fpage%3D1" {
		t.Fatalf("an expired session: %d to %q", res.StatusCode, loc)
	}
	_, body := c.get("/signin?next=%2Finbox%3Fpage%3D1")
	if !strings.Contains(body, "Your session has ended.") || !strings.Contains(body, `name="next" value="/inbox?page=1"`) {
		t.Errorf("the sign-in page after the session ended:\n%s", body)
	}
}

// A page that is not there, or that the user may not see, says so in
// their language, with its status; the API keeps answering JSON.
func TestErrorPages(t *testing.T) {
	s := newSite(t)
	for _, tt := range []struct {
		who, lang, path string
		status          int
		want            string
	}{
		{"alice", "zh-CN", "/records/R0NOSUCHRECORD", http.StatusNotFound, "页面不存在，或您无权查看"},
		{"alice", "en", "/records/R0NOSUCHRECORD", http.StatusNotFound, "There is no such page, or you may not see it."},
		{"alice", "en", "/no/such/page", http.StatusNotFound, "Not found"},
		{"mia", "zh-CN", "/records/" + string(s.Records["draft"]), http.StatusNotFound, "未找到"},
		{"root", "zh-CN", "/search", http.StatusForbidden, "您的角色无权执行此操作"},
	} {
		c := s.signIn(tt.who, tt.lang)
		res, body := c.get(tt.path)
		if res.StatusCode != tt.status || !strings.Contains(body, tt.want) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s (%s): %d %s, want %d with %q\n%s", tt.who, tt.path, tt.lang, res.StatusCode,
				res.Header.Get("Content-Type"), tt.status, tt.want, body)
		}
	}
	res, body := s.signIn("alice", "en").get("/api/v1/nothing")
	if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(body, `{"error"`) {
		t.Errorf("the API's 404: %d %s", res.StatusCode, body)
	}
}

// The menu shows what the user's roles allow, as the policy says.
func TestMenuByRole(t *testing.T) {
	s := newSite(t)
	for who, want := range map[string]bool{"alice": true, "mia": true, "aud": true, "root": false} {
		_, body := s.signIn(who, "en").get("/inbox")
		if got := strings.Contains(body, `<a href="/search"`); got != want {
			t.Errorf("%s: a search link %v, want %v", who, got, want)
		}
	}
	// A sysadmin holds no content role: their work starts with the
	// accounts.
	res, _ := s.signIn("root", "en").get("/")
	if res.Header.Get("Location") != "/admin/users" {
		t.Errorf("a sysadmin's start page: %q, want /admin/users", res.Header.Get("Location"))
	}
}

// The language: Chinese by default, the browser's English, and the
// switch, which wins and is remembered.
func TestLanguage(t *testing.T) {
	s := newSite(t)
	c := s.newClient("")
	if _, body := c.get("/signin"); !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, "登录") {
		t.Error("no Chinese by default")
	}
	c = s.newClient("en-GB,en;q=0.9")
	if _, body := c.get("/signin"); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "User name") {
		t.Error("no English for an English browser")
	}
	res, _ := c.get("/lang?to=zh&next=%2Fsignin%3Fnext%3D%252Finbox")
	if loc := res.Header.Get("Location"); loc != "/signin?next=%2Finbox" || c.cookie(web.LangCookie) != "zh" {
		t.Errorf("the switch: to %q, cookie %q", loc, c.cookie(web.LangCookie))
	}
	if _, body := c.get("/signin"); !strings.Contains(body, "用户名") {
		t.Error("the switch is not remembered")
	}
	if res, _ := c.get("/lang?to=en&next=%2F%2Fevil.example"); res.Header.Get("Location") != "/" {
		t.Errorf("the switch to another host: %q", res.Header.Get("Location"))
	}
}

// The search page: words, highlights, facets with counts that filter,
// pages, and errors beside the fields.
func TestSearchPage(t *testing.T) {
	s := newSite(t)
	alice := s.signIn("alice", "zh-CN")
	_, body := alice.get("/search?q=" + url.QueryEscape("数据中心"))
	for _, want := range []string{"找到 1 条记录", "<mark>数据中心</mark>", customerName, "重点客户 <span class=\"count\">1</span>",
		"部门 sales1 <span class=\"count\">1</span>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the search for 数据中心 lacks %q", want)
		}
	}
	_, body = alice.get("/search")
	if !strings.Contains(body, "找到 25 条记录") || !strings.Contains(body, `rel="next"`) || !strings.Contains(body, "第 1 页，共 2 页") {
		t.Errorf("every record, newest first, a page at a time:\n%s", body)
	}
	facet := regexp.MustCompile(`<a href="([^"]+)">草稿 <span class="count">24</span>`).FindStringSubmatch(body)
	if facet == nil {
		t.Fatal("no facet link of drafts")
	}
	_, body = alice.get(strings.ReplaceAll(facet[1], "&amp;", "&"))
	if !strings.Contains(body, "找到 24 条记录") || !strings.Contains(body, `class="active"`) || !strings.Contains(body, "当前筛选条件") {
		t.Errorf("the drafts facet clicked:\n%s", body)
	}
	_, body = alice.get("/search?page=2")
	if strings.Count(body, `class="hit"`) != 5 {
		t.Errorf("page 2 holds %d hits, want 5", strings.Count(body, `class="hit"`))
	}
	res, body := alice.get("/search?from=2026-03-10&to=2026-03-01")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="to" name="to" type="date" value="2026-03-01" aria-invalid="true"`) {
		t.Errorf("a range that ends before it starts: %d\n%s", res.StatusCode, body)
	}
	// Marketing reads approved records only.
	_, body = s.signIn("mia", "zh-CN").get("/search")
	if !strings.Contains(body, "找到 1 条记录") {
		t.Errorf("marketing's search:\n%s", body)
	}
}

// The record page shows the unified form under the policy's terms, its
// reviews and history; sensitive fields only to whom the policy shows
// them.
func TestRecordPage(t *testing.T) {
	s := newSite(t)
	path := "/records/" + string(s.Records["approved"])
	_, body := s.signIn("alice", "zh-CN").get(path)
	for _, want := range []string{"拜访对象", "拜访时间", "2026年3月2日 09:00", "拜访人员", "拜访主题", "沟通内容摘要", "客户基本情况",
		"需求痛点", "客户意见和建议", "市场动态、竞争对手信息", "合作意向", "跟进计划", "现场情况", "决策链",
		contactPhoneHTML, "李总", "已批准", "内容完整", "修改历史", "部门 sales1"} {
		if !strings.Contains(body, want) {
			t.Errorf("alice's record page lacks %q\n%s", want, body)
		}
	}
	_, body = s.signIn("mia", "en").get(path)
	if strings.Contains(body, contactPhoneHTML) || strings.Contains(body, "李总") || !strings.Contains(body, "Hidden: your roles do not show this field.") {
		t.Errorf("marketing sees what the policy hides:\n%s", body)
	}
}

// Tokens: made and shown once, listed, revoked.
func TestTokensPage(t *testing.T) {
	s := newSite(t)
	c := s.signIn("alice", "en")
	res, body := c.post("/tokens", url.Values{"name": {"   "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("a token without a name: %d", res.StatusCode)
	}
	res, body = c.post("/tokens", url.Values{"name": {"nightly export"}, "expires_in_days": {"30"}})
	token := regexp.MustCompile(`value="(vt_[^"]+)"`).FindStringSubmatch(body)
	if res.StatusCode != http.StatusCreated || token == nil {
		t.Fatalf("a new token: %d\n%s", res.StatusCode, body)
	}
	if p, _, err := s.Archive.Accounts().Authenticate(t.Context(), token[1]); err != nil || p.Name != "alice" {
		t.Errorf("the token shown: %v", err)
	}
	_, body = c.get("/tokens")
	if strings.Contains(body, token[1]) || !strings.Contains(body, "nightly export") {
		t.Error("the token is shown again, or not listed")
	}
	action := regexp.MustCompile(`action="(/tokens/[^"]+/revoke)"`).FindStringSubmatch(body)
	if action == nil {
		t.Fatal("no revoke form")
	}
	if res, _ := c.post(action[1], nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("revoke: %d", res.StatusCode)
	}
	if _, _, err := s.Archive.Accounts().Authenticate(t.Context(), token[1]); !va.IsKind(err, va.Unauthenticated) {
		t.Errorf("the revoked token: %v", err)
	}
}

// The inbox: the unread count in the header, a page of notifications,
// marking one read.
func TestInboxPage(t *testing.T) {
	s := newSite(t)
	c := s.signIn("sam", "en") // alice's record was submitted to sam
	_, body := c.get("/inbox")
	if !strings.Contains(body, `<span class="badge" aria-label="1 unread">1</span>`) || !strings.Contains(body, "Record to review") {
		t.Fatalf("sam's inbox:\n%s", body)
	}
	if !strings.Contains(body, `href="/records/`+string(s.Records["approved"])+`"`) {
		t.Error("the notification does not link to its record")
	}
	action := regexp.MustCompile(`action="(/inbox/[^"]+/read)"`).FindStringSubmatch(body)
	if action == nil {
		t.Fatal("no mark-read form")
	}
	c.post(action[1], url.Values{"next": {"/inbox"}})
	_, body = c.get("/inbox")
	if strings.Contains(body, `class="badge"`) || strings.Contains(body, `class="unread"`) {
		t.Error("still unread after marking it read")
	}
}
