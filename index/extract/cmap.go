package extract

import (
	"strings"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
)

// maxCMapEntries bounds the mappings read from one ToUnicode map. A font
// has at most 65,536 glyphs; a map with more entries is hostile.
const maxCMapEntries = 1 << 17

// toUnicode is a font's ToUnicode map: character codes, one to four bytes
// long, to the text they stand for. The PDF reference makes it the
// authority for text extraction; ledongthuc/pdf reads it only for fonts
// without an Encoding, so that a Type 3 font with an Encoding of glyph
// names and a ToUnicode map (every CJK font Chromium embeds) came out as
// shifted Latin letters.
type toUnicode struct {
	space  [4][]codeRange // codespace ranges by code length - 1
	chars  map[string]string
	ranges []cmapRange
}

type codeRange struct{ lo, hi string }

type cmapRange struct {
	lo, hi string
	dst    pdf.Value // a string: the text of lo, counted up; or an array of one string per code
}

// readToUnicode parses the ToUnicode stream of a font, or returns nil when
// the font has none or the stream is not a map.
func readToUnicode(font pdf.Value) (m *toUnicode) {
	strm := font.Key("ToUnicode")
	if strm.Kind() != pdf.Stream {
		return nil
	}
	defer func() {
		if recover() != nil {
			m = nil
		}
	}()
	m = &toUnicode{chars: make(map[string]string)}
	n := 0
	entries := 0
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		switch op {
		case "findresource":
			// "/CIDInit /ProcSet findresource begin": leave a dictionary
			// for begin, a scratch one that nothing else reads.
			stk.Pop()
			stk.Pop()
			stk.Push(scratchDict())
		case "defineresource":
			stk.Pop()
			v := stk.Pop()
			stk.Pop()
			stk.Push(v)
		case "begincodespacerange", "beginbfchar", "beginbfrange":
			n = int(stk.Pop().Int64())
			entries += n
			if n < 0 || entries > maxCMapEntries {
				panic("cmap too large")
			}
		case "endcodespacerange":
			for range n {
				hi, lo := stk.Pop().RawString(), stk.Pop().RawString()
				if len(lo) >= 1 && len(lo) <= 4 && len(lo) == len(hi) {
					m.space[len(lo)-1] = append(m.space[len(lo)-1], codeRange{lo, hi})
				}
			}
		case "endbfchar":
			for range n {
				dst, src := stk.Pop(), stk.Pop().RawString()
				m.chars[src] = utf16String(dst.RawString())
			}
		case "endbfrange":
			for range n {
				dst, hi, lo := stk.Pop(), stk.Pop().RawString(), stk.Pop().RawString()
				if len(lo) == len(hi) && len(lo) > 0 {
					m.ranges = append(m.ranges, cmapRange{lo, hi, dst})
				}
			}
		}
	})
	if len(m.chars) == 0 && len(m.ranges) == 0 {
		return nil
	}
	return m
}

// Decode returns the text of the character codes in raw. A code that the
// map does not know becomes U+FFFD, which Judge counts against the page.
func (m *toUnicode) Decode(raw string) string {
	var b strings.Builder
	for len(raw) > 0 {
		n := m.codeLen(raw)
		code := raw[:n]
		raw = raw[n:]
		b.WriteString(m.lookup(code))
	}
	return b.String()
}

// codeLen is the length of the code at the start of raw: the one whose
// codespace range holds it, or, in a map without codespace ranges, the
// shortest length that has a mapping.
func (m *toUnicode) codeLen(raw string) int {
	haveSpace := false
	for n := 1; n <= 4 && n <= len(raw); n++ {
		for _, r := range m.space[n-1] {
			haveSpace = true
			if inRange(raw[:n], r.lo, r.hi) {
				return n
			}
		}
	}
	if !haveSpace {
		for n := 1; n <= 4 && n <= len(raw); n++ {
			if m.lookup(raw[:n]) != "\uFFFD" {
				return n
			}
		}
	}
	return 1
}

// inRange reports whether every byte of code lies between the bytes of lo
// and hi, which is how codespace ranges are defined.
func inRange(code, lo, hi string) bool {
	for i := range len(code) {
		if code[i] < lo[i] || code[i] > hi[i] {
			return false
		}
	}
	return true
}

func (m *toUnicode) lookup(code string) string {
	if s, ok := m.chars[code]; ok {
		return s
	}
	for _, r := range m.ranges {
		if len(r.lo) != len(code) || code < r.lo || code > r.hi {
			continue
		}
		off := codeValue(code) - codeValue(r.lo)
		switch r.dst.Kind() {
		case pdf.String:
			u := utf16.Decode(utf16Units(r.dst.RawString()))
			if len(u) == 0 {
				return "\uFFFD"
			}
			u[len(u)-1] += rune(off)
			return string(u)
		case pdf.Array:
			if off < r.dst.Len() {
				return utf16String(r.dst.Index(off).RawString())
			}
		}
		return "\uFFFD"
	}
	return "\uFFFD"
}

// scratchPDF is the smallest PDF that ledongthuc/pdf opens: its trailer
// is a dictionary, which pdf.Interpret's begin needs and which this
// package cannot make otherwise.
const scratchPDF = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<</Size 2/Root 1 0 R>>\nstartxref\n29\n%%EOF\n"

// scratchDict returns a new empty dictionary.
func scratchDict() pdf.Value {
	r, err := pdf.NewReader(strings.NewReader(scratchPDF), int64(len(scratchPDF)))
	if err != nil {
		panic("extract: the scratch PDF does not open: " + err.Error())
	}
	return r.Trailer()
}

func codeValue(code string) int {
	v := 0
	for i := range len(code) {
		v = v<<8 | int(code[i])
	}
	return v
}

func utf16Units(s string) []uint16 {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return u
}

func utf16String(s string) string {
	return string(utf16.Decode(utf16Units(s)))
}
