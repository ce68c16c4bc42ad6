package storage

import (
	"errors"
	"strconv"
	"strings"

	"github.com/visitarchive/visitarchive"
)

// MaxKeyLen bounds a key: S3 allows 1024 bytes, and a bounded key keeps
// disk paths well under PATH_MAX.
const MaxKeyLen = 512

// ValidKey returns nil when key follows the key rules of this package, and
// an Invalid error saying why when it does not.
func ValidKey(key string) error {
	if key == "" {
		return invalid(key, "key is empty")
	}
	if len(key) > MaxKeyLen {
		return invalid(key, "key is longer than 512 bytes")
	}
	for seg := range strings.SplitSeq(key, "/") {
		if err := validSegment(key, seg); err != nil {
			return err
		}
	}
	return nil
}

// ValidPrefix returns nil when prefix may start a valid key: "" and any
// prefix whose complete segments are valid and whose last, partial segment
// uses only key characters. Backends may then use the complete segments as
// a path without further checks.
func ValidPrefix(prefix string) error {
	if len(prefix) > MaxKeyLen {
		return invalid(prefix, "prefix is longer than 512 bytes")
	}
	dir, partial := SplitPrefix(prefix)
	if dir != "" {
		if err := ValidKey(dir); err != nil {
			return err
		}
	}
	if i := strings.IndexFunc(partial, func(r rune) bool { return !keyChar(r) }); i >= 0 {
		return invalid(prefix, "prefix has a character outside [A-Za-z0-9._-/]")
	}
	return nil
}

// SplitPrefix splits prefix after its last slash: "records/R1/00" gives
// "records/R1" and "00"; "rec" gives "" and "rec".
func SplitPrefix(prefix string) (dir, partial string) {
	i := strings.LastIndexByte(prefix, '/')
	if i < 0 {
		return "", prefix
	}
	return prefix[:i], prefix[i+1:]
}

func validSegment(key, seg string) error {
	switch seg {
	case "":
		return invalid(key, "key has an empty segment")
	case ".", "..":
		return invalid(key, "key has a %q segment", seg)
	}
	for _, r := range seg {
		if !keyChar(r) {
			return invalid(key, "key has a character outside [A-Za-z0-9._-/]")
		}
	}
	return nil
}

func keyChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		r == '.' || r == '_' || r == '-'
}

// invalid builds the Invalid error; the key goes in the cause, quoted so
// that control bytes in hostile input cannot reach a log line raw.
func invalid(key, msg string, args ...any) error {
	if len(key) > 80 {
		key = key[:80]
	}
	return visitarchive.E("storage.key", visitarchive.Invalid,
		errors.New("bad key "+strconv.Quote(key)), msg, args...)
}
