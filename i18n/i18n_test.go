package i18n

import "testing"

func TestNegotiate(t *testing.T) {
	for _, tt := range []struct {
		choice, accept string
		want           Lang
	}{
		{"", "", Chinese},
		{"en", "zh-CN,zh;q=0.9", English},
		{"zh", "en-US,en;q=0.9", Chinese},
		{"fr", "en-US,en;q=0.9", English},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", Chinese},
		{"", "en-GB,en;q=0.9", English},
		{"", "de-DE", Chinese},
		{"", "zh-TW", Chinese},
		{"", "not a header;;", Chinese},
	} {
		if got := Negotiate(tt.choice, tt.accept); got != tt.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", tt.choice, tt.accept, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	if got := Text(Chinese, "English"); got != "English" {
		t.Errorf("Text(zh, English) = %q", got)
	}
	if got := Text(Chinese, "Chinese"); got != "中文" {
		t.Errorf("Text(zh, Chinese) = %q", got)
	}
	if got := Text(Chinese, "no such key"); got != "no such key" {
		t.Errorf("a missing key = %q, want the key", got)
	}
	if got := Sprintf(English, "%d records", 3); got != "3 records" {
		t.Errorf("Sprintf = %q", got)
	}
}
