package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/server"
	"github.com/visitarchive/visitarchive/server/web"
)

// site is what every test of the pages starts from: the whole server
// (server.New, so the API and the pages as in production) over a real
// Archive (internal/testenv), listening on a loopback port, with people
// and records. Tests add what they need through the Archive (s.as).
type site struct {
	*testenv.Env
	t       *testing.T
	URL     string
	Records map[string]va.RecordID // by name: "approved", "draft"
}

// The people of every site: name, department, roles, the departments
// they head, their grants. newbie's password was set by an
// administrator: they must change it when they sign in.
var people = []struct {
	name, dept, display string
	roles               []va.Role
	heads               []va.DepartmentID
	grants              []va.Grant
}{
	{"alice", "sales1", "张丽", []va.Role{va.RoleEmployee}, nil, nil},
	{"newbie", "sales1", "新同事", []va.Role{va.RoleEmployee}, nil, nil},
	{"sam", "sales1", "王强", []va.Role{va.RoleSupervisor}, []va.DepartmentID{"sales1"}, nil},
	{"mia", "marketing", "李敏", []va.Role{va.RoleMarketing}, nil, nil},
	{"aud", "audit", "赵审", []va.Role{va.RoleAuditor}, nil, nil},
	{"root", "it", "系统管理员", []va.Role{va.RoleSysadmin}, nil, nil},
}

// password is the password of every person of a site, but newbie's.
const (
	password      = "correct horse battery"
	newbiePassord = "set by the administrator"
)

// newSite starts a site; it stops when the test ends.
func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteWith(t, server.Config{})
}

// newSiteWith starts a site whose server is built from cfg, with the
// site's Archive and logger.
func newSiteWith(t *testing.T, cfg server.Config) *site {
	t.Helper()
	e := testenv.Start(t)
	cfg.Archive, cfg.Logger = e.Archive, slog.New(slog.NewJSONHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := server.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	s := &site{Env: e, t: t, URL: "http://" + ln.Addr().String(), Records: map[string]va.RecordID{}}
	s.addPeople()
	s.addRecords()
	return s
}

// as is a context acting for user name, for setting up data through the
// Archive as that person.
func (s *site) as(name string) context.Context {
	s.t.Helper()
	u, err := s.Archive.Accounts().GetUser(va.WithActor(s.t.Context(), "setup"), va.UserName(name))
	if err != nil {
		s.t.Fatal(err)
	}
	return va.WithPrincipal(s.t.Context(), va.PrincipalOf(u))
}

func (s *site) addPeople() {
	t := s.t
	setup := va.WithActor(t.Context(), "setup")
	for _, d := range []string{"sales1", "marketing", "audit", "it"} {
		if _, err := s.Archive.Accounts().CreateDepartment(setup, va.Department{ID: va.DepartmentID(d), Name: "部门 " + d}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range people {
		u, err := s.Archive.Accounts().CreateUser(setup, va.User{Name: va.UserName(p.name), DisplayName: p.display,
			Department: va.DepartmentID(p.dept), Roles: p.roles, Heads: p.heads, Grants: p.grants})
		if err != nil {
			t.Fatal(err)
		}
		if p.name == "newbie" {
			if _, err := s.Archive.Accounts().SetPassword(setup, u.Name, newbiePassord); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// Set in their own name and changed by them: no change asked for.
		if _, err := s.Archive.Accounts().SetPassword(va.WithActor(t.Context(), u.Name), u.Name, "a password to change"); err != nil {
			t.Fatal(err)
		}
		me := va.WithPrincipal(t.Context(), va.PrincipalOf(u))
		if _, err := s.Archive.Accounts().ChangePassword(me, "a password to change", password); err != nil {
			t.Fatal(err)
		}
	}
}

// The customer and the summary of the approved record, which searches
// find by 数据中心.
const (
	customerName     = "深圳华强电子有限公司"
	approvedSummary  = "客户对数据中心电池组很感兴趣，希望下月采购 LX-3021B。"
	contactPhone     = "+86 138 0013 8000"
	contactPhoneHTML = "&#43;86 138 0013 8000" // as a page writes it
	draftCount       = 24                      // drafts of another customer: more than a page of hits
)

// addRecords files a record of a key customer that alice files and sam
// approves (so marketing reads it, without its contact details), and
// draftCount drafts of a regular customer.
func (s *site) addRecords() {
	t := s.t
	alice := s.as("alice")
	for _, c := range []va.Customer{
		{ID: "C1", Name: customerName, Type: "key", BusinessArea: "电子元器件", Country: "CN"},
		{ID: "C2", Name: "杭州远景贸易有限公司", Type: "regular", BusinessArea: "纺织品", Country: "CN"},
	} {
		if _, err := s.Archive.CreateCustomer(alice, c); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	r, err := s.Archive.CreateRecord(alice, va.Record{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(2 * time.Hour),
		Location: "深圳", Visitors: []va.UserName{"alice"}, Department: "sales1", ContactName: "王经理",
		ContactPhone: contactPhone, Topic: "LX-3021B 样品测试", Summary: approvedSummary,
		CustomerSituation: "年产值十亿元的电子制造商", Needs: "机房备用电源", CompetitorInfo: "竞争对手报价低 5%",
		CooperationIntent: "high", FollowUp: "下周发报价", OnsiteNotes: "参观了客户工厂",
		DecisionChain: []va.DecisionMaker{{Name: "李总", Role: "CEO", Attitude: "support", Notes: "关心交期"}}})
	if err == nil {
		r, err = s.Archive.SubmitRecord(alice, r.ID, r.Version)
	}
	if err == nil {
		r, err = s.Archive.ApproveRecord(s.as("sam"), r.ID, r.Version, "内容完整")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Records["approved"] = r.ID
	for i := range draftCount {
		start := time.Date(2026, 2, 1+i, 2, 0, 0, 0, time.UTC)
		r, err := s.Archive.CreateRecord(alice, va.Record{CustomerID: "C2", VisitStart: start, VisitEnd: start.Add(time.Hour),
			Visitors: []va.UserName{"alice"}, Department: "sales1", Topic: "售后服务网点", Summary: "询问售后服务网点的分布",
			CooperationIntent: "medium"})
		if err != nil {
			t.Fatal(err)
		}
		s.Records["draft"] = r.ID
	}
	if err := s.Archive.SyncIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// client is a person's browser without a browser: HTTP with a cookie jar,
// redirects not followed, so that a test sees each answer.
type client struct {
	t    *testing.T
	s    *site
	http *http.Client
	lang string // Accept-Language
}

// newClient is a browser nobody has signed in to, speaking lang.
func (s *site) newClient(lang string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, s: s, lang: lang, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn is a browser that name signed in to with the sign-in form.
func (s *site) signIn(name, lang string) *client {
	s.t.Helper()
	c := s.newClient(lang)
	pw := password
	if name == "newbie" {
		pw = newbiePassord
	}
	res, _ := c.signIn(name, pw, "/")
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign-in of %s: %d", name, res.StatusCode)
	}
	return c
}

var formToken = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn sends the sign-in form as a person does: the form first, for its
// token.
func (c *client) signIn(name, pw, next string) (*http.Response, string) {
	c.t.Helper()
	_, page := c.get("/signin")
	m := formToken.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("the sign-in page has no token:\n%s", page)
	}
	return c.post("/signin", url.Values{"_csrf": {m[1]}, "user": {name}, "password": {pw}, "next": {next}})
}

// get fetches path and returns the answer and its body.
func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.s.URL+path, nil)
	return c.do(req)
}

// post sends a form to path. Unless form has a _csrf, the session's token
// is added, as the pages' forms carry it.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("_csrf") {
		form.Set("_csrf", c.cookie(web.CSRFCookie))
	}
	req, _ := http.NewRequest(http.MethodPost, c.s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8") // as a browser asks for a page
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res, string(b)
}

// cookie is the value of the browser's cookie name, or "".
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.s.URL)
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}
