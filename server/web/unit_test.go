package web

import (
	"regexp"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// After signing in, a user goes only to a page of this server.
func TestLocalPath(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		{"/search?q=数据中心&page=2", "/search?q=数据中心&page=2"},
		{"/records/R1", "/records/R1"},
		{"", "/"},
		{"search", "/"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"/\t/evil.example", "/"},
		{"/search\r\nSet-Cookie: x=1", "/"},
		{"/api/v1/records", "/"},
		{"/signin?next=%2Finbox", "/signin?next=%2Finbox"},
	} {
		if got := localPath(tt.next); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// A fragment keeps its marks and nothing else: whatever the index sent,
// the page shows text.
func TestMarked(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"客户对<mark>数据中心</mark>很感兴趣", "客户对<mark>数据中心</mark>很感兴趣"},
		{"a &lt;b&gt; &amp; <mark>c</mark>", "a &lt;b&gt; &amp; <mark>c</mark>"},
		{"<script>alert(1)</script><mark>x</mark>", "&lt;script&gt;alert(1)&lt;/script&gt;<mark>x</mark>"},
		{"<mark><img src=x onerror=alert(1)></mark>", "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>"},
		{"<mark>open", "<mark>open</mark>"},
		{"stray</mark> end", "stray end"},
		{`"quoted" 'single'`, "&#34;quoted&#34; &#39;single&#39;"},
	} {
		if got := string(marked(tt.in)); got != tt.want {
			t.Errorf("marked(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Dates are in the company's zone and the reader's language.
func TestFormatTime(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC) // 07:30 the next day in Shanghai
	for _, tt := range []struct {
		l        i18n.Lang
		withTime bool
		want     string
	}{
		{i18n.Chinese, true, "2026年3月2日 07:30"},
		{i18n.Chinese, false, "2026年3月2日"},
		{i18n.English, true, "2 Mar 2026, 07:30"},
		{i18n.English, false, "2 Mar 2026"},
	} {
		if got := formatTime(tt.l, shanghai, at, tt.withTime); got != tt.want {
			t.Errorf("formatTime(%s, %v) = %q, want %q", tt.l, tt.withTime, got, tt.want)
		}
	}
	if got := formatTime(i18n.Chinese, shanghai, time.Time{}, true); got != "" {
		t.Errorf("the zero time = %q", got)
	}
}

// The Content-Security-Policy allows no inline code: no template may
// hold a script or style of its own, or an event handler attribute.
func TestNoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)
	eachTemplate(t, func(path, src string) {
		for _, m := range inline.FindAllString(src, -1) {
			t.Errorf("%s: inline code %q: the CSP blocks it; use static/app.js or app.css", path, m)
		}
	})
}

// A message beside a field names a customer type by its label, in the
// user's language, not by the code the API's clients know; the error
// itself keeps its message.
func TestFieldErrorsSayCustomerTypes(t *testing.T) {
	err := visitarchive.E("record.submit", visitarchive.Invalid, nil, "the record has 2 invalid field(s)")
	err.Fields = []visitarchive.FieldError{
		visitarchive.FieldErrorf("summary", typeRequired, "key"),
		visitarchive.FieldErrorf("topic", "is required"),
	}
	for _, tt := range []struct {
		lang           i18n.Lang
		summary, topic string
	}{
		{i18n.Chinese, "客户类型为“重点客户”时必填", "为必填项"},
		{i18n.English, "is required when the customer type is “Key customer”", "is required"},
	} {
		got := fieldErrors(tt.lang, err)
		if got["summary"] != tt.summary || got["topic"] != tt.topic {
			t.Errorf("in %s: %q", tt.lang, got)
		}
	}
	if got := visitarchive.ErrorFields(err)[0].Message; got != "is required on the form for key customers" {
		t.Errorf("the error's own message: %q", got)
	}
}

// A fragment found in a file is labelled with the file's name and page.
func TestFileFragmentLabel(t *testing.T) {
	r := &Request{Lang: i18n.Chinese}
	got := fragments(r, map[string][]string{visitarchive.FragmentFiles: {"<mark>电池</mark>组"}},
		&visitarchive.HitAttachment{ID: "A1", Name: "xxx.pdf", Page: 1})
	if len(got) != 1 || got[0].Label != "文件 xxx.pdf 第 1 页" {
		t.Errorf("the fragment of a file: %+v", got)
	}
	if got := fileLabel(&Request{Lang: i18n.English}, &visitarchive.HitAttachment{Name: "a.png"}); got != "File a.png" {
		t.Errorf("a file without pages: %q", got)
	}
}
