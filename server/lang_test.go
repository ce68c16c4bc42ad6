package server

import (
	"maps"
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestErrorLanguage: an error answers in the language the user chose
// (va_lang), else the one Accept-Language prefers, else Chinese, and
// English to a client that says nothing (a script); the answer says which (Content-Language) and that it depends on
// Accept-Language (Vary).
func TestErrorLanguage(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		accept, cookie string
		want           string
	}{
		{"-", "", "en"},
		{"-", langCookie + "=zh", "zh"},
		{"en-US,en;q=0.9", "", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "", "zh"},
		{"fr-FR", "", "zh"},
		{"zh-CN", langCookie + "=en", "en"},
		{"en", langCookie + "=zh", "zh"},
		{"en", langCookie + "=tlh", "en"},
	} {
		hdr := []string{"Accept-Language", tt.accept}
		if tt.cookie != "" {
			hdr = append(hdr, "Cookie", tt.cookie)
		}
		res := ts.call("GET", "/api/v1/records/R-none", "", hdr...).wantError(t, http.StatusNotFound, "not_found")
		if got := res.header.Get("Content-Language"); got != tt.want {
			t.Errorf("Accept-Language %q, cookie %q: Content-Language %q, want %q", tt.accept, tt.cookie, got, tt.want)
		}
		if !strings.Contains(res.header.Get("Vary"), "Accept-Language") {
			t.Errorf("Accept-Language %q: Vary %q lacks Accept-Language", tt.accept, res.header.Get("Vary"))
		}
	}
}

// TestErrorsInChinese: a client that asks for Chinese is answered in
// Chinese, message and fields; the code stays English. Words that a
// message names (the kind of object, the part of the request) are
// Chinese too, a sentence inside a sentence is, and ids, field names and
// states stay as they are.
func TestErrorsInChinese(t *testing.T) {
	ts, record, _ := draftsServer(t)
	ts.srv.App().Get("/test/panic", func(*fiber.Ctx) error { panic("secret detail") })
	zh := []string{"Accept-Language", "zh-CN,zh;q=0.9"}
	for _, tt := range []struct {
		who, method, path, body string
		status                  int
		code, message           string
		fields                  map[string]string
	}{
		{"alice", "GET", "/api/v1/records/R-none", "", http.StatusNotFound, "not_found", "记录 R-none 不存在", nil},
		{"bob", "GET", record, "", http.StatusNotFound, "not_found", "记录 " + path.Base(record) + " 不存在", nil},
		{"", "GET", "/api/v1/records", "", http.StatusUnauthorized, "unauthenticated",
			"请先登录（POST /api/v1/auth/login），或以 Authorization: Bearer <token> 发送 API 令牌", nil},
		{"alice", "GET", "/api/v1/nothing-here", "", http.StatusNotFound, "not_found", "请求的资源不存在", nil},
		{"alice", "GET", "/test/panic", "", http.StatusInternalServerError, "internal", "服务器内部错误", nil},
		{"alice", "GET", "/api/v1/records?colour=red", "", http.StatusBadRequest, "bad_request", "未知的查询参数：colour", nil},
		{"alice", "GET", "/api/v1/records?page=x&status=lost", "", http.StatusUnprocessableEntity, "invalid",
			"查询条件中有 2 个值不符合要求", map[string]string{
				"page":   "必须是整数",
				"status": "必须是以下之一：draft, submitted, returned, approved, archived",
			}},
		{"alice", "POST", "/api/v1/customers", `{"id":"c2","name":"","customer_type":"key"}`, http.StatusUnprocessableEntity, "invalid",
			"客户有 1 个字段不符合要求", map[string]string{"name": "为必填项"}},
		{"alice", "PATCH", record, `{"status":"approved","version":1}`, http.StatusUnprocessableEntity, "invalid",
			"编辑不能修改由服务器设置的字段：status 由工作流修改：POST " + record + "/submit、/return、/approve 和 /archive",
			map[string]string{"status": "由工作流修改：POST " + record + "/submit、/return、/approve 和 /archive"}},
		{"mia", "POST", "/api/v1/customers", `{"id":"c3","name":"x","customer_type":"key"}`, http.StatusForbidden, "forbidden",
			"您的角色无权对此客户执行“新建”操作", nil},
	} {
		hdr := zh
		if tt.who == "" {
			hdr = append(hdr, "Authorization", "-")
		}
		res := ts.callAs(tt.who, tt.method, tt.path, tt.body, hdr...).wantError(t, tt.status, tt.code)
		e := res.apiError(t)
		if e.Message != tt.message {
			t.Errorf("%s %s: message %q, want %q", tt.method, tt.path, e.Message, tt.message)
		}
		fields := map[string]string{}
		for _, f := range e.Fields {
			fields[f.Field] = f.Message
		}
		if len(fields) > 0 || len(tt.fields) > 0 {
			if !maps.Equal(fields, tt.fields) {
				t.Errorf("%s %s: fields %v, want %v", tt.method, tt.path, fields, tt.fields)
			}
		}
	}
	// The user's choice wins over the browser's.
	e := ts.call("GET", "/api/v1/records/R-none", "", "Accept-Language", "zh-CN", "Cookie", langCookie+"=en").apiError(t)
	if e.Message != "record R-none not found" {
		t.Errorf("va_lang=en: message %q", e.Message)
	}
}
