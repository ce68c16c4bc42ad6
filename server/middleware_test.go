package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

func TestRequestID(t *testing.T) {
	ts := newTestServer(t)
	generated := regexp.MustCompile(`^[0-9A-Z]{26}$`)
	long := strings.Repeat("a", 129)
	tests := []struct {
		name, sent string
		echoed     bool // the answer carries the id sent
	}{
		{"none", "", false},
		{"sane", "req-42.abc:7_X", true},
		{"uuid", "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b", true},
		{"spaces", "hello world", false},
		{"too long", long, false},
		{"quotes", `"x"`, false},
	}
	for _, tt := range tests {
		for _, path := range []string{"/api/v1/customers", "/api/v1/nowhere", "/healthz"} {
			hdr := []string{}
			if tt.sent != "" {
				hdr = []string{headerRequestID, tt.sent}
			}
			res := ts.call("GET", path, "", hdr...)
			got := res.header.Get(headerRequestID)
			switch {
			case tt.echoed && got != tt.sent:
				t.Errorf("%s %s: X-Request-Id = %q, want %q echoed", tt.name, path, got, tt.sent)
			case !tt.echoed && !generated.MatchString(got):
				t.Errorf("%s %s: X-Request-Id = %q, want a new id", tt.name, path, got)
			}
		}
	}
	// Two requests without an id get different ones.
	a := ts.call("GET", "/healthz", "").header.Get(headerRequestID)
	b := ts.call("GET", "/healthz", "").header.Get(headerRequestID)
	if a == b {
		t.Errorf("two requests share the id %q", a)
	}
}

// logLines parses the JSON log lines whose msg is msg.
func logLines(t *testing.T, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func TestAccessLog(t *testing.T) {
	ts := newTestServer(t)
	res := ts.call("POST", "/api/v1/customers", customerJSON, headerRequestID, "log-test-1").want(t, http.StatusCreated)
	ts.call("GET", "/api/v1/search?q="+url.QueryEscape("机密项目"), "", headerRequestID, "log-test-2").want(t, http.StatusOK)
	ts.call("GET", "/api/v1/customers/nobody", "", headerRequestID, "log-test-3").want(t, http.StatusNotFound)

	logs := ts.Logs.String()
	lines := logLines(t, logs, "request")
	want := map[string]struct {
		method, path string
		status       float64
	}{
		"log-test-1": {"POST", "/api/v1/customers", 201},
		"log-test-2": {"GET", "/api/v1/search", 200},
		"log-test-3": {"GET", "/api/v1/customers/nobody", 404},
	}
	found := 0
	for _, l := range lines {
		w, ok := want[l["request_id"].(string)]
		if !ok {
			continue
		}
		found++
		if l["method"] != w.method || l["path"] != w.path || l["status"] != w.status || l["duration"] == nil {
			t.Errorf("access log line %v, want %+v", l, w)
		}
	}
	if found != len(want) {
		t.Errorf("found %d access log lines of %d in\n%s", found, len(want), logs)
	}
	// Bodies, query strings and contact details stay out of the log.
	for _, secret := range []string{"Acme 贸易有限公司", "+49 30 1234567", "Hans", "机密项目", "q="} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q:\n%s", secret, logs)
		}
	}
	if res.header.Get(headerRequestID) != "log-test-1" {
		t.Errorf("request id not echoed")
	}
}

func TestRoutingErrors(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nothing", 404, "not_found"},
		{"GET", "/nothing", 404, "not_found"},
		{"GET", "/api/v1/customers/a/b", 404, "not_found"},
		{"DELETE", "/api/v1/customers/acme", 405, "method_not_allowed"},
		{"POST", "/api/v1/search", 405, "method_not_allowed"},
		{"PUT", "/api/v1/records/x/history", 405, "method_not_allowed"},
	} {
		res := ts.call(tt.method, tt.path, "")
		if res.status != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, res.status, tt.status)
			continue
		}
		checkError(t, res, tt.code, "", nil)
	}
}

// TestInternalErrors checks that a failure inside a handler is answered
// with a plain "internal error", logged once with the request id, and that
// a request over its deadline is 503.
func TestInternalErrors(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.RequestTimeout = 50 * time.Millisecond })
	ts.srv.App().Get("/test/panic", func(*fiber.Ctx) error { panic("secret detail") })
	ts.srv.App().Get("/test/fail", func(*fiber.Ctx) error { return errSecret })
	ts.srv.App().Get("/test/slow", func(c *fiber.Ctx) error {
		<-c.UserContext().Done()
		return c.UserContext().Err()
	})
	for _, tt := range []struct {
		path, id string
		status   int
		code     string
	}{
		{"/test/panic", "panic-1", 500, "internal"},
		{"/test/fail", "fail-1", 500, "internal"},
		{"/test/slow", "slow-1", 503, "unavailable"},
	} {
		res := ts.call("GET", tt.path, "", headerRequestID, tt.id).want(t, tt.status)
		e := res.apiError(t)
		if e.Code != tt.code || strings.Contains(string(res.body), "secret") {
			t.Errorf("%s: answer %s", tt.path, res.body)
		}
		if tt.status != 500 {
			continue
		}
		if e.Message != "internal error" {
			t.Errorf("%s: message %q, want internal error", tt.path, e.Message)
		}
		n := 0
		for _, l := range logLines(t, ts.Logs.String(), "request failed") {
			if l["request_id"] == tt.id {
				n++
				if !strings.Contains(l["err"].(string), "secret") {
					t.Errorf("%s: the log line lacks the cause: %v", tt.path, l)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: logged %d times, want once", tt.path, n)
		}
	}
}

var errSecret = &secretError{}

type secretError struct{}

func (*secretError) Error() string { return "secret detail of the store" }
