package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestErrorLanguage: an error answers in the language the user chose
// (va_lang), else the one Accept-Language prefers, else Chinese; the
// answer says which (Content-Language) and that it depends on
// Accept-Language (Vary).
func TestErrorLanguage(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		accept, cookie string
		want           string
	}{
		{"-", "", "zh"},
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
