package visitarchive

import (
	"crypto/rand"
	"encoding/binary"
	"regexp"
	"strings"
	"time"
)

// Distinct identifier types, so that signatures say what they take.
type (
	RecordID   string // a visit record, such as "R01JD3X9K2M4N6P8Q0S2T4V6W8"
	CustomerID string // a customer; chosen by the client or generated
	PlanID     string // a visit plan
	UserName   string // a login name
)

// idPattern is what an ID may look like: it becomes part of an object key,
// so it is kept to characters that are safe in every store and URL.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidID reports whether s may be used as an identifier.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// userNamePattern is what a user name may look like: the characters of
// an ID and '.', for logins such as first.last. A user name is a segment
// of object keys (users/, tokens/, inbox/), so a '.' neither starts nor
// ends one and never follows another: no name is "." or "..", a hidden
// file (".x"), one that systems which drop a final dot confuse with
// another ("x."), or holds "..", which path checks take for a way up.
var userNamePattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.[A-Za-z0-9_-])*$`)

// ValidUserName reports whether s may be a user name: at most 64
// letters, digits, '.', '-' and '_', starting with a letter or digit, a
// '.' only between two other characters. Every valid ID is one.
func ValidUserName(s string) bool { return len(s) <= 64 && userNamePattern.MatchString(s) }

// Crockford's base32: sortable, no I, L, O or U.
const idAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns prefix followed by 26 characters: 48 bits of milliseconds
// since the epoch then 80 random bits, so IDs sort by creation time.
func NewID(prefix string, now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("visitarchive: no randomness: " + err.Error())
	}
	var sb strings.Builder
	sb.WriteString(prefix)
	// 128 bits as 26 base32 digits (the first carries 3 bits).
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	for i := 25; i >= 0; i-- {
		shift := uint(i * 5)
		var v uint64
		switch {
		case shift >= 64:
			v = hi >> (shift - 64)
		case shift > 59:
			v = lo>>shift | hi<<(64-shift)
		default:
			v = lo >> shift
		}
		sb.WriteByte(idAlphabet[v&31])
	}
	return sb.String()
}
