package keyring

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Blind returns the HMAC-SHA256, in hex, of field, a zero byte and the
// normalized value, under the blind key. The field is part of the input so
// that the same value in two fields does not reveal itself by matching
// hashes. Field names are constants of the code, without zero bytes, which
// keeps the input unambiguous.
func (k *Keyring) Blind(field, value string) string {
	m := hmac.New(sha256.New, k.blind)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(normalize(field, value)))
	return hex.EncodeToString(m.Sum(nil))
}

// normalize makes the spellings of one value that people type equal, so
// that an exact lookup finds them: e-mail addresses are case-insensitive
// in practice, and phone numbers come with spaces, dashes and brackets.
func normalize(field, value string) string {
	f := strings.ToLower(field)
	switch {
	case strings.Contains(f, "email"):
		return strings.ToLower(strings.TrimSpace(value))
	case strings.Contains(f, "phone"):
		return normalizePhone(value)
	}
	return strings.TrimSpace(value)
}

// normalizePhone keeps the digits and a '+' that comes before them. CJK
// input methods type full-width digits and plus signs; they count as the
// ASCII ones.
func normalizePhone(value string) string {
	var b strings.Builder
	for _, r := range value {
		switch {
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r == '＋':
			r = '+'
		}
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
