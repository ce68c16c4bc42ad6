package visitarchive_test

import (
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// The password rule counts characters, not bytes, from 12 up, and bytes
// to 1024 at most.
func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"elevenchars", false},
		{"twelve chars", true},
		{"十二个字的中文密码也可以", true}, // characters, not bytes
		{"十一个字的中文密码不行", false},
		{strings.Repeat("x", 1024), true},
		{strings.Repeat("x", 1025), false},
	}
	for _, tt := range tests {
		err := va.CheckPassword(tt.pw)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%d bytes) = %v, want ok %v", len(tt.pw), err, tt.ok)
		}
		if err != nil && (!va.IsKind(err, va.Invalid) || len(va.ErrorFields(err)) != 1 ||
			va.ErrorFields(err)[0].Field != "password") {
			t.Errorf("CheckPassword: %v is not an Invalid error naming the password field", err)
		}
	}
}
