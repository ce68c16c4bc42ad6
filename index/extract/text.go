package extract

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// minChars is how many letters or digits a page's text needs before it
// counts as text at all. Fewer is what a scanned page with a stamped page
// number ("- 12 -") or a scanner's header holds; such a page goes on to the
// next step, which costs only time when the page was indeed that short.
const minChars = 4

// garbageShare is the share of bad characters among a page's non-space
// characters from which its text counts as garbage. Text decoded without
// its font's map is at least a third bad (GBK-EUC-H bytes read as UTF-8
// are half U+FFFD; two-byte glyph ids read as single bytes are mostly
// control characters); real text has none or a stray one.
const garbageShare = 0.05

// Quality is what Judge finds in a page's text.
type Quality int

// The qualities of a page's text, from worst to best.
const (
	Empty   Quality = iota // fewer than minChars letters or digits
	Garbage                // at least garbageShare bad characters
	Good
)

// Judge decides whether text, one page of a PDF's text layer or of
// pdftotext's output, is worth keeping. A bad character is U+FFFD, a
// control character other than tab, line feed, carriage return and form
// feed, or a private-use character: what a glyph without a Unicode mapping
// turns into. Text is Garbage when at least 5% of its characters that are
// not white space are bad, Empty when it holds fewer than 4 letters or
// digits, and Good otherwise.
func Judge(text string) Quality {
	var n, bad, chars int
	for _, r := range text {
		switch {
		case isBad(r):
			bad++
		case unicode.IsSpace(r):
			continue
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			chars++
		}
		n++
	}
	switch {
	case bad > 0 && float64(bad) >= garbageShare*float64(n):
		return Garbage
	case chars < minChars:
		return Empty
	}
	return Good
}

func isBad(r rune) bool {
	switch r {
	case '\t', '\n', '\r', '\f':
		return false
	case utf8.RuneError:
		return true
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Co, r)
}

// scrub replaces the bad characters of text that Judge let pass with
// spaces, so that a stray one neither reaches the index nor joins two
// words.
func scrub(text string) string {
	if !strings.ContainsFunc(text, isBad) {
		return text
	}
	return strings.Map(func(r rune) rune {
		if isBad(r) {
			return ' '
		}
		return r
	}, text)
}

// CleanHan removes the white space that OCR and line wrapping put between
// two Chinese characters, which would otherwise break the bigrams the
// index searches for: "数 据 中 心" becomes "数据中心", and so does "数据\n中心"
// (a line wrapped inside a word). A Chinese character here is a Han
// ideograph or CJK punctuation (、。，（）：…, U+3000–U+303F and the
// full-width punctuation of U+FF00–U+FFEF). White space holding two or
// more line breaks, a paragraph break, stays as one blank line, and white
// space next to any other character stays as it is, so English keeps its
// spaces and "LX-3021B 型号" its space.
func CleanHan(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	var prev rune // the last character written that was not white space
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			b.WriteString(text[i : i+size])
			prev = r
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsSpace(r) {
				break
			}
			j += size
		}
		space := text[i:j]
		next, _ := utf8.DecodeRuneInString(text[j:])
		switch {
		case j == len(text) || !isWide(prev) || !isWide(next):
			b.WriteString(space)
		case strings.Count(space, "\n") >= 2:
			b.WriteString("\n\n")
		}
		i = j
	}
	return b.String()
}

// isWide reports whether r is a Han ideograph or CJK punctuation.
func isWide(r rune) bool {
	switch {
	case unicode.Is(unicode.Han, r):
		return true
	case r >= 0x3000 && r <= 0x303F:
		return r != 0x3000 // the ideographic space is white space
	case r >= 0xFF00 && r <= 0xFFEF:
		return unicode.IsPunct(r)
	}
	return false
}

// decodePlain turns the bytes of a text/plain file into UTF-8. A charset
// parameter naming GB18030, GBK or GB2312 is followed; otherwise a byte
// order mark chooses UTF-8, UTF-16 or UTF-32, valid UTF-8 is taken as it
// is, and text that is not UTF-8 but decodes as GB18030 without error and
// holds Han characters is taken as GB18030 (what Chinese Windows writes).
// Anything else is UTF-8 with each invalid byte replaced by U+FFFD.
func decodePlain(b []byte, charset string) string {
	switch strings.ToLower(charset) {
	case "gb18030", "gbk", "gb2312", "cp936", "x-gbk":
		if s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return strings.ToValidUTF8(string(b[3:]), "\uFFFD")
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		if s, err := utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		if s, err := xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM).NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	if s, ok := gb18030(b); ok {
		return s
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// gb18030 decodes b as GB18030 when that gives text with Han characters
// and no replacement or control characters. Every byte sequence decodes
// as GB18030 in some way, so the Han characters are what make it likely.
func gb18030(b []byte) (string, bool) {
	s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil {
		return "", false
	}
	han := 0
	for _, r := range string(s) {
		if isBad(r) {
			return "", false
		}
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	return string(s), han > 0
}
