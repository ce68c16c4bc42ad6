package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

func TestCustomerCreateGetList(t *testing.T) {
	ts := newTestServer(t)
	res := ts.call("POST", "/api/v1/customers", customerJSON).want(t, http.StatusCreated)
	if got, want := res.header.Get("Location"), "/api/v1/customers/acme"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got, want := res.header.Get("ETag"), `"1"`; got != want {
		t.Errorf("ETag = %q, want %q", got, want)
	}
	var c visitarchive.Customer
	res.decode(t, &c)
	if c.ID != "acme" || c.Version != 1 || c.CreatedBy != "alice" || c.Name != "Acme 贸易有限公司" {
		t.Errorf("created %+v", c)
	}

	res = ts.call("GET", "/api/v1/customers/acme", "").want(t, http.StatusOK)
	if got, want := res.header.Get("ETag"), `"1"`; got != want {
		t.Errorf("GET ETag = %q, want %q", got, want)
	}

	gen := ts.createCustomer(`{"name":"Beta","customer_type":"prospect"}`)
	if gen.ID == "" || gen.Version != 1 {
		t.Errorf("generated customer %+v", gen)
	}

	var list customerList
	ts.call("GET", "/api/v1/customers?page=1&size=1", "").want(t, http.StatusOK).decode(t, &list)
	if list.Total != 2 || len(list.Customers) != 1 {
		t.Errorf("list = %d of %d, want 1 of 2", len(list.Customers), list.Total)
	}
	ts.call("GET", "/api/v1/customers?page=3", "").want(t, http.StatusOK).decode(t, &list)
	if list.Total != 2 || list.Customers == nil || len(list.Customers) != 0 {
		t.Errorf("page 3 = %+v, want an empty list of 2", list)
	}
}

// TestCreateRejects sends bodies that must fail and checks that each gets
// its status and code, and that nothing was stored.
func TestCreateRejects(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	valid := `{"name":"Gamma","customer_type":"key"}`
	tests := []struct {
		name     string
		body     string
		hdr      []string
		status   int
		code     string
		inMsg    string   // the message must contain this
		fields   []string // for 422: the fields named
		path     string   // default /api/v1/customers
		customer bool     // the check counts customers, not records
	}{
		{name: "no content type", body: valid, hdr: []string{"Content-Type", "-"}, status: 415, code: "unsupported_media_type"},
		{name: "text/plain", body: valid, hdr: []string{"Content-Type", "text/plain"}, status: 415, code: "unsupported_media_type"},
		{name: "form", body: "name=x", hdr: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type"},
		{name: "latin1", body: valid, hdr: []string{"Content-Type", "application/json; charset=latin1"}, status: 415, code: "unsupported_media_type", inMsg: "UTF-8"},
		{name: "empty body", body: "", hdr: []string{"Content-Type", "application/json"}, status: 400, code: "bad_request", inMsg: "empty"},
		{name: "malformed", body: `{"name":"x",}`, status: 400, code: "bad_request", inMsg: "line 1, column 13"},
		{name: "malformed line 3", body: "{\n \"name\": \"x\",\n \"customer_type\" \"key\"}", status: 400, code: "bad_request", inMsg: "line 3"},
		{name: "truncated", body: `{"name":"x"`, status: 400, code: "bad_request", inMsg: "before the JSON is complete"},
		{name: "trailing data", body: valid + ` {}`, status: 400, code: "bad_request", inMsg: "after the JSON object"},
		{name: "trailing garbage", body: valid + `x`, status: 400, code: "bad_request", inMsg: "after the JSON object"},
		{name: "array", body: `[` + valid + `]`, status: 400, code: "bad_request", inMsg: "must be a JSON object"},
		{name: "null", body: `null`, status: 400, code: "bad_request", inMsg: "must be a JSON object"},
		{name: "unknown field", body: `{"name":"x","customer_type":"key","fax":"1"}`, status: 400, code: "bad_request", inMsg: "fax"},
		{name: "unknown nested field", body: `{"name":"x","customer_type":"key","contacts":[{"name":"a","fax":"1"}]}`, status: 400, code: "bad_request", inMsg: "contacts[0].fax"},
		{name: "field in other case", body: `{"Name":"x","customer_type":"key"}`, status: 400, code: "bad_request", inMsg: "Name"},
		{name: "wrong type", body: `{"name":5,"customer_type":"key"}`, status: 422, code: "invalid", fields: []string{"name"}},
		{name: "wrong nested type", body: `{"name":"x","customer_type":"key","contacts":[{"name":["a"]}]}`, status: 422, code: "invalid", fields: []string{"contacts[0].name"}},
		{name: "missing name", body: `{"customer_type":"key"}`, status: 422, code: "invalid", fields: []string{"name"}},
		{name: "bad type and email", body: `{"name":"x","customer_type":"Key!","contacts":[{"name":"a","email":"nope"}]}`, status: 422, code: "invalid", fields: []string{"customer_type", "contacts[0].email"}},
		{name: "bad id", body: `{"id":"a/b","name":"x","customer_type":"key"}`, status: 422, code: "invalid", fields: []string{"id"}},
		{name: "existing id", body: customerJSON, status: 409, code: "conflict"},
		{name: "no actor", body: valid, hdr: []string{"Authorization", "-"}, status: 401, code: "unauthenticated", inMsg: "sign in"},
		{name: "bad actor", body: valid, hdr: []string{"Authorization", "Bearer vt_nope_nope"}, status: 401, code: "unauthenticated", inMsg: "API token"},
		{name: "query parameter", body: valid, path: "/api/v1/customers?dry_run=1", status: 400, code: "bad_request", inMsg: "dry_run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.customerCount()
			path := tt.path
			if path == "" {
				path = "/api/v1/customers"
			}
			res := ts.call("POST", path, tt.body, tt.hdr...).want(t, tt.status)
			checkError(t, res, tt.code, tt.inMsg, tt.fields)
			if got := ts.customerCount(); got != before {
				t.Errorf("customers = %d after the request, want %d", got, before)
			}
		})
	}
}

// checkError checks an error answer's code, message and fields.
func checkError(t *testing.T, res *result, code, inMsg string, fields []string) {
	t.Helper()
	e := res.apiError(t)
	if e.Code != code {
		t.Errorf("code = %q, want %q (%s)", e.Code, code, res.body)
	}
	if !strings.Contains(e.Message, inMsg) {
		t.Errorf("message %q does not contain %q", e.Message, inMsg)
	}
	for _, f := range fields {
		if !slices.Contains(fieldNames(e), f) {
			t.Errorf("fields %v do not name %q", fieldNames(e), f)
		}
	}
	if res.header.Get(headerRequestID) == "" {
		t.Error("error answer without X-Request-Id")
	}
}

// TestBodyLimit checks that a body over the limit gets our 413 and stores
// nothing. It needs a real listener: Fiber rejects such a request while
// reading it, which app.Test reports as an error. The default limit is
// probed with the headers alone: a server that rejects a body it has not
// read closes the connection, and a client still writing megabytes then
// sees a reset instead of the answer.
func TestBodyLimit(t *testing.T) {
	t.Run("configured", func(t *testing.T) {
		ts := newTestServer(t, func(c *Config) { c.BodyLimit = 1024 })
		base := ts.listen()
		pad := strings.Repeat("x", 1025-len(`{"name":"","customer_type":"key"}`))
		body := `{"name":"` + pad + `","customer_type":"key"}`
		res := ts.send(base, "POST", "/api/v1/customers", strings.NewReader(body)).want(t, http.StatusRequestEntityTooLarge)
		checkError(t, res, "too_large", "limit", nil)
		if n := ts.customerCount(); n != 0 {
			t.Errorf("customers = %d, want 0", n)
		}
		// At the limit is fine (JSON may carry white space).
		valid := `{"name":"x","customer_type":"key"}`
		body = valid[:len(valid)-1] + strings.Repeat(" ", 1024-len(valid)) + "}"
		ts.send(base, "POST", "/api/v1/customers", strings.NewReader(body)).want(t, http.StatusCreated)
	})
	t.Run("default 4 MiB", func(t *testing.T) {
		ts := newTestServer(t)
		base := ts.listen()
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/customers HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer "+ts.tokens["alice"]+"\r\n"+
			"Content-Type: application/json\r\nAccept-Language: en\r\nContent-Length: %d\r\n\r\n", DefaultBodyLimit+1)
		hres, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer hres.Body.Close()
		b, _ := io.ReadAll(hres.Body)
		res := (&result{status: hres.StatusCode, header: hres.Header, body: b}).want(t, http.StatusRequestEntityTooLarge)
		checkError(t, res, "too_large", "limit", nil)
	})
}

func TestCustomerListParams(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		query  string
		status int
		field  string
	}{
		{"page=0", 422, "page"},
		{"page=x", 422, "page"},
		{"size=101", 422, "size"},
		{"size=-1", 422, "size"},
		{"sort=name", 400, ""},
		{"page=1&page=2", 400, ""},
	} {
		res := ts.call("GET", "/api/v1/customers?"+tt.query, "")
		if res.status != tt.status {
			t.Errorf("%s: status = %d, want %d (%s)", tt.query, res.status, tt.status, res.body)
			continue
		}
		if tt.field != "" {
			checkError(t, res, "invalid", "", []string{tt.field})
		}
	}
}
