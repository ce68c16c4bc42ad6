package keyring

import (
	"regexp"
	"testing"
)

func TestBlind(t *testing.T) {
	_, kr := newKeyFile(t)
	h := kr.Blind("phone", "+8613800138000")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("Blind = %q, want 64 hex digits", h)
	}
	if again := kr.Blind("phone", "+8613800138000"); again != h {
		t.Errorf("Blind is not deterministic: %s, then %s", h, again)
	}
	if other := kr.Blind("mobile", "+8613800138000"); other == h {
		t.Error("Blind of one value in two fields is the same")
	}
	if other := kr.Blind("phone", "+8613800138001"); other == h {
		t.Error("Blind of two values is the same")
	}
	_, kr2 := newKeyFile(t)
	if other := kr2.Blind("phone", "+8613800138000"); other == h {
		t.Error("Blind under two key files is the same")
	}
}

func TestBlindNormalizes(t *testing.T) {
	_, kr := newKeyFile(t)
	tests := []struct {
		field, a, b string
		same        bool
	}{
		{"phone", "+86 138-0013-8000", "+8613800138000", true},
		{"phone", " (+86) 138 0013 8000 ", "+8613800138000", true},
		{"phone", "+86 138.0013.8000", "+8613800138000", true},
		{"phone", "＋８６ １３８００１３８０００", "+8613800138000", true}, // full width
		{"contact_phone", "138-0013-8000", "13800138000", true},
		{"Phone", "138 0013 8000", "13800138000", true},
		{"phone", "+8613800138000", "8613800138000", false}, // the '+' counts
		{"phone", "86+13800138000", "8613800138000", true},  // not leading: dropped
		{"email", "  Li.Wei@Example.COM ", "li.wei@example.com", true},
		{"customer_email", "LI@EXAMPLE.COM", "li@example.com", true},
		{"name", "  Li Wei ", "Li Wei", true},
		{"name", "Li Wei", "li wei", false}, // only e-mails fold case
		{"name", "Li Wei", "LiWei", false},  // only phones drop spaces
		{"email", "li+tag@example.com", "litag@example.com", false},
	}
	for _, tt := range tests {
		a, b := kr.Blind(tt.field, tt.a), kr.Blind(tt.field, tt.b)
		if (a == b) != tt.same {
			t.Errorf("Blind(%q, %q) == Blind(%q, %q) is %v, want %v", tt.field, tt.a, tt.field, tt.b, a == b, tt.same)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ field, value, want string }{
		{"phone", "+86 138-0013-8000", "+8613800138000"},
		{"phone", "(+86) 138", "+86138"},
		{"phone", "++86", "+86"},
		{"phone", "n/a", ""},
		{"email", " A@B.C\n", "a@b.c"},
		{"note", "\tKeep Case ", "Keep Case"},
	}
	for _, tt := range tests {
		if got := normalize(tt.field, tt.value); got != tt.want {
			t.Errorf("normalize(%q, %q) = %q, want %q", tt.field, tt.value, got, tt.want)
		}
	}
}
