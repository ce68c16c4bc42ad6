package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// cst is the company's time zone of the test servers (Asia/Shanghai, the
// default), as an offset: +08:00 all year since 1991.
var cst = time.FixedZone("CST", 8*3600)

// testServer is a Server over a real Archive (see internal/testenv).
type testServer struct {
	*testenv.Env
	t      *testing.T
	srv    *Server
	tokens map[string]string // API token by user name
}

// newTestServer builds a testServer; cfg, if given, adjusts the Config
// before the Server is built.
func newTestServer(t *testing.T, adjust ...func(*Config)) *testServer {
	t.Helper()
	return newTestServerWith(t, nil, adjust...)
}

// newTestServerWith is newTestServer with archive, if not nil, adjusting
// the Archive's Config before the Archive is built (a clock, the session
// lifetime).
func newTestServerWith(t *testing.T, archive func(*visitarchive.Config), adjust ...func(*Config)) *testServer {
	t.Helper()
	return newTestServerOver(t, nil, archive, adjust...)
}

// newTestServerOver is newTestServerWith over the store that openStore
// opens (nil: the disk store of testenv).
func newTestServerOver(t *testing.T, openStore func(*testing.T) visitarchive.Store, archive func(*visitarchive.Config), adjust ...func(*Config)) *testServer {
	t.Helper()
	e := testenv.New(t)
	e.OpenStore, e.Adjust = openStore, archive
	e.Open(t, true)
	cfg := Config{Archive: e.Archive, Logger: slog.New(slog.NewJSONHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, f := range adjust {
		f(&cfg)
	}
	ts := &testServer{Env: e, t: t, srv: New(cfg), tokens: map[string]string{}}
	ts.addPeople()
	return ts
}

// The people of every test server: name, department, roles, heads.
var people = []struct {
	name, dept string
	roles      []visitarchive.Role
	heads      []visitarchive.DepartmentID
	grants     []visitarchive.Grant
}{
	{"alice", "sales1", []visitarchive.Role{visitarchive.RoleEmployee}, nil, nil},
	{"carol", "sales1", []visitarchive.Role{visitarchive.RoleEmployee}, nil, nil},
	{"bob", "sales2", []visitarchive.Role{visitarchive.RoleEmployee}, nil, nil},
	{"sam", "sales1", []visitarchive.Role{visitarchive.RoleSupervisor}, []visitarchive.DepartmentID{"sales1"}, nil},
	{"sue", "sales2", []visitarchive.Role{visitarchive.RoleSupervisor}, []visitarchive.DepartmentID{"sales2"}, nil},
	{"mia", "marketing", []visitarchive.Role{visitarchive.RoleMarketing}, nil, nil},
	{"meg", "marketing", []visitarchive.Role{visitarchive.RoleMarketing}, nil, []visitarchive.Grant{visitarchive.GrantSensitive}},
	{"sid", "service", []visitarchive.Role{visitarchive.RoleService}, nil, nil},
	{"ann", "admin", []visitarchive.Role{visitarchive.RoleArchivist}, nil, nil},
	{"aud", "audit", []visitarchive.Role{visitarchive.RoleAuditor}, nil, nil},
	{"max", "board", []visitarchive.Role{visitarchive.RoleManager}, nil, nil},
	{"root", "it", []visitarchive.Role{visitarchive.RoleSysadmin}, nil, nil},
}

// testPassword is the password of every test user.
const testPassword = "correct horse battery"

// addPeople creates the departments and people, and an API token for each.
func (ts *testServer) addPeople() {
	t := ts.t
	ctx := visitarchive.WithActor(t.Context(), "setup")
	for _, d := range []string{"sales1", "sales2", "marketing", "service", "admin", "audit", "board", "it"} {
		if _, err := ts.Archive.Accounts().CreateDepartment(ctx, visitarchive.Department{ID: visitarchive.DepartmentID(d), Name: "Dept " + d}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range people {
		u, err := ts.Archive.Accounts().CreateUser(ctx, visitarchive.User{Name: visitarchive.UserName(p.name), Department: visitarchive.DepartmentID(p.dept),
			Roles: p.roles, Heads: p.heads, Grants: p.grants})
		if err != nil {
			t.Fatal(err)
		}
		ts.signUp(u)
	}
}

// signUp gives user u the password testPassword and an API token.
func (ts *testServer) signUp(u *visitarchive.User) {
	t := ts.t
	t.Helper()
	// A password someone else set must be changed: the person does.
	// (Set in their name, it leaves no notice in their inbox.)
	me := visitarchive.WithPrincipal(t.Context(), visitarchive.PrincipalOf(u))
	if _, err := ts.Archive.Accounts().SetPassword(visitarchive.WithActor(t.Context(), u.Name), u.Name, "a password to change"); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Archive.Accounts().ChangePassword(me, "a password to change", testPassword); err != nil {
		t.Fatal(err)
	}
	chosen := *u
	chosen.MustChangePassword = false
	token, _, err := ts.Archive.Accounts().CreateToken(visitarchive.WithPrincipal(t.Context(), visitarchive.PrincipalOf(&chosen)), "tests", 0)
	if err != nil {
		t.Fatal(err)
	}
	ts.tokens[string(u.Name)] = token
}

// listen serves ts on a free loopback port until the test ends and returns
// its base URL. app.Test cannot show what a client sees when Fiber rejects
// a request while reading it (an oversize body), nor a graceful shutdown.
func (ts *testServer) listen() string {
	ts.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(ln) }()
	ts.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ts.srv.Shutdown(ctx)
		<-done
	})
	return "http://" + ln.Addr().String()
}

// send makes a real HTTP request to base+path with the default headers of
// call.
func (ts *testServer) send(base, method, path string, body io.Reader, hdr ...string) *result {
	ts.t.Helper()
	req, err := http.NewRequestWithContext(ts.t.Context(), method, base+path, body)
	if err != nil {
		ts.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.tokens["alice"])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return &result{status: res.StatusCode, header: res.Header, body: b, closed: res.Close}
}

// result is an answer of the test server.
type result struct {
	status int
	header http.Header
	body   []byte
	closed bool // the answer said Connection: close
}

// call sends a request as alice (an employee of sales1). hdr holds header
// name/value pairs. Unless they say otherwise, a request carries alice's
// API token, Accept-Language: en (the tests read the messages in
// English; those of lang_test.go in Chinese), and Content-Type:
// application/json when it has a body; a value of "-" removes the header.
func (ts *testServer) call(method, path, body string, hdr ...string) *result {
	ts.t.Helper()
	return ts.callAs("alice", method, path, body, hdr...)
}

// callAs is call as another of the people.
func (ts *testServer) callAs(who, method, path, body string, hdr ...string) *result {
	ts.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+ts.tokens[who])
	req.Header.Set("Accept-Language", "en")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "-" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := ts.srv.App().Test(req, 60_000)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return &result{status: res.StatusCode, header: res.Header, body: b, closed: res.Close}
}

// decode unmarshals the body into v.
func (r *result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// apiError returns the error of an error answer.
func (r *result) apiError(t *testing.T) errorDetail {
	t.Helper()
	var b errorBody
	r.decode(t, &b)
	if b.Error.Code == "" {
		t.Fatalf("not an error answer: %s", r.body)
	}
	return b.Error
}

// want fails the test unless the status is want.
func (r *result) want(t *testing.T, want int) *result {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body %s", r.status, want, r.body)
	}
	return r
}

// fieldNames lists the fields of an Invalid answer.
func fieldNames(d errorDetail) []string {
	var names []string
	for _, f := range d.Fields {
		names = append(names, f.Field)
	}
	return names
}

// mustJSON marshals v for a request body.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Fixtures.

const customerJSON = `{"id":"acme","name":"Acme 贸易有限公司","customer_type":"key","business_area":"machinery","country":"DE","contacts":[{"name":"Hans","phone":"+49 30 1234567"}]}`

func recordJSON(customer, topic, start string) string {
	return `{"customer_id":"` + customer + `","visit_start":"` + start + `","visit_end":"` +
		strings.Replace(start, "T09:", "T11:", 1) + `","location":"Hamburg","visitors":["alice"],` +
		`"department":"sales1","contact_name":"Hans","contact_phone":"+49 30 1234567","topic":"` + topic +
		`","summary":"讨论了 LX-3021B 数据中心 方案","cooperation_intent":"high"}`
}

// createCustomer creates the acme fixture, or another customer from js.
func (ts *testServer) createCustomer(js string) *visitarchive.Customer {
	ts.t.Helper()
	var c visitarchive.Customer
	ts.call("POST", "/api/v1/customers", js).want(ts.t, http.StatusCreated).decode(ts.t, &c)
	return &c
}

func (ts *testServer) createRecord(js string) *visitarchive.Record {
	ts.t.Helper()
	var r visitarchive.Record
	ts.call("POST", "/api/v1/records", js).want(ts.t, http.StatusCreated).decode(ts.t, &r)
	return &r
}

// customerCount returns how many customers the Archive has.
func (ts *testServer) customerCount() int {
	ts.t.Helper()
	_, n, err := ts.Archive.ListCustomers(visitarchive.WithActor(ts.t.Context(), "test"), 1, 1)
	if err != nil {
		ts.t.Fatal(err)
	}
	return n
}

// recordCount returns how many records the Archive lists.
func (ts *testServer) recordCount() uint64 {
	ts.t.Helper()
	q := visitarchive.SearchQuery{Sort: visitarchive.SortVisitStartDesc}
	if err := q.Normalize(); err != nil {
		ts.t.Fatal(err)
	}
	p, err := ts.Archive.ListRecords(visitarchive.WithActor(ts.t.Context(), "test"), q)
	if err != nil {
		ts.t.Fatal(err)
	}
	return p.Total
}
