package visitarchive

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// CheckJSONText refuses JSON text b that encoding/json would change
// silently while decoding it: bytes that are not UTF-8 (BadRequest: "the
// <what> is not valid UTF-8") and \u escapes of half a UTF-16 surrogate
// pair (Invalid, naming the field that holds one), both of which it turns
// into U+FFFD. A U+FFFD that b holds itself, or escapes as \ufffd, is
// text and passes. b that is not well-formed JSON passes too: the decoder
// that follows reports it with its position. Every edge that decodes
// JSON from outside (request bodies, import lines) calls it first.
func CheckJSONText(op string, what Word, b []byte) error {
	if !utf8.Valid(b) {
		return E(op, BadRequest, nil, "the %s is not valid UTF-8", what)
	}
	if !bytes.Contains(b, []byte(`\u`)) {
		return nil
	}
	field, found := loneSurrogate(b)
	if !found {
		return nil
	}
	e := E(op, Invalid, nil, "the %s holds a lone surrogate escape", what)
	e.Fields = []FieldError{FieldErrorf(field, `holds a \u escape of half a UTF-16 surrogate pair (\ud800 to \udfff), which is not a character`)}
	return e
}

// jsonLevel is one open object or array on the way to a value.
type jsonLevel struct {
	object  bool
	key     string // the member being read, in an object
	wantKey bool   // an object's next token is a member name (or its end)
	index   int    // the element being read, in an array
}

// loneSurrogate walks the tokens of b and returns the path of the first
// string (value or member name) whose raw text escapes a lone surrogate.
func loneSurrogate(b []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var path []jsonLevel
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // the end, or malformed: the decoder reports that
		}
		// The raw text since the last token holds this token and
		// punctuation only, so a string token is the only string in it.
		raw := b[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		s, isString := tok.(string)
		if n := len(path); n > 0 && path[n-1].wantKey && isString {
			path[n-1].key, path[n-1].wantKey = s, false
			if hasLoneSurrogate(raw) {
				return jsonPath(path), true
			}
			continue
		}
		if isString && hasLoneSurrogate(raw) {
			return jsonPath(path), true
		}
		path = nextLevel(path, tok)
	}
}

// nextLevel moves path past tok, a value or the end of a container.
func nextLevel(path []jsonLevel, tok json.Token) []jsonLevel {
	switch tok {
	case json.Delim('{'):
		return append(path, jsonLevel{object: true, wantKey: true})
	case json.Delim('['):
		return append(path, jsonLevel{})
	case json.Delim('}'), json.Delim(']'):
		path = path[:len(path)-1]
	}
	if n := len(path); n > 0 { // a value of the parent is done
		path[n-1].wantKey = path[n-1].object
		if !path[n-1].object {
			path[n-1].index++
		}
	}
	return path
}

// jsonPath names the value being read, as field errors do:
// decision_chain[1].notes.
func jsonPath(path []jsonLevel) string {
	var b strings.Builder
	for _, l := range path {
		switch {
		case !l.object:
			b.WriteString("[" + itoa(l.index) + "]")
		case b.Len() > 0:
			b.WriteString("." + l.key)
		default:
			b.WriteString(l.key)
		}
	}
	return b.String()
}

// hasLoneSurrogate reports whether the raw JSON text raw escapes half a
// surrogate pair without the other half right after it.
func hasLoneSurrogate(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++ // the escaped character: skipped, so that \\ud800 is no escape
		if i >= len(raw) || raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1:])
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			if len(raw) < i+7 || raw[i+1] != '\\' || raw[i+2] != 'u' {
				return true
			}
			if low := hex4(raw[i+3:]); low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 6
		}
	}
	return false
}

// hex4 reads four hex digits; -1 when they are not.
func hex4(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	n := 0
	for _, c := range b[:4] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return -1
		}
		n = n<<4 | int(d)
	}
	return n
}
