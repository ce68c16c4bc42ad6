package extract

import (
	"errors"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestJudge(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("客户拜访记录数据中心")
	for _, c := range []struct {
		name, text string
		want       Quality
	}{
		{"chinese", "客户拜访记录", Good},
		{"english", "Customer visit", Good},
		{"four characters", "附件一二", Good},
		{"empty", "", Empty},
		{"white space", " \n\t\f ", Empty},
		{"page number", "- 12 -", Empty},
		{"three characters", "附件一", Empty},
		{"punctuation", "……——，。", Empty},
		// GBK bytes taken for UTF-8: each invalid byte is U+FFFD.
		{"gbk as utf-8", strings.ToValidUTF8(gbk, "\uFFFD"), Garbage},
		{"gbk bytes", string([]rune(gbkRunes(gbk))), Garbage},
		// Two-byte glyph ids read as single bytes: control characters.
		{"glyph ids", "\x00\x1c\x00\x2f\x00\x11\x00\x4a text", Garbage},
		{"private use", "\ue001\ue002\ue003 abcd", Garbage},
		// One stray replacement character in real text is kept: 1 of 21.
		{"one stray", "客户拜访记录数据中心节能改造冷却机组散热问\uFFFD", Good},
		{"one in twenty", "客户拜访记录数据中心节能改造冷却机组散\uFFFD", Garbage},
	} {
		if got := Judge(c.text); got != c.want {
			t.Errorf("%s: Judge(%q) = %v, want %v", c.name, c.text, got, c.want)
		}
	}
}

// gbkRunes is what ledongthuc/pdf makes of GBK bytes: it ranges over them
// as UTF-8, one U+FFFD a byte that is not.
func gbkRunes(b string) string {
	var s strings.Builder
	for _, r := range b {
		s.WriteRune(r)
	}
	return s.String()
}

func TestCleanHan(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"数 据 中 心", "数据中心"},
		{"数据\n中心", "数据中心"},
		{"数据 \n 中心", "数据中心"},
		{"数据。\n\n下一段", "数据。\n\n下一段"},
		{"数据\n \n\n中心", "数据\n\n中心"},
		{"客户 ， 数据 。", "客户，数据。"},
		{"（ 上海 ）", "（上海）"},
		{"Customer Visit Record", "Customer Visit Record"},
		{"LX-3021B 型号 冷却", "LX-3021B 型号冷却"},
		{"型号 LX-3021B", "型号 LX-3021B"},
		{"数据\u3000中心", "数据中心"},
		{"  数据  ", "  数据  "},
		{"The 数据\nCenter", "The 数据\nCenter"},
		{"", ""},
	} {
		if got := CleanHan(c.in); got != c.want {
			t.Errorf("CleanHan(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestUnradical(t *testing.T) {
	for in, want := range map[string]string{
		"客⼾拜访": "客户拜访",
		"⻓江":   "长江",
		"⽇期":   "日期",
		"中⼼":   "中心",
		"数据中心": "数据中心",
	} {
		if got := unradical(in); got != want {
			t.Errorf("unradical(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitText(t *testing.T) {
	s := "一二三\n四五六\n七八九"
	got := splitText(s, 10)
	if strings.Join(got, "") != s {
		t.Fatalf("pieces %q do not make %q", got, s)
	}
	for _, p := range got {
		if len(p) > 10 || !strings.HasSuffix(p, "\n") && p != got[len(got)-1] {
			t.Errorf("piece %q: longer than 10 bytes or not cut at a line end", p)
		}
	}
	got = splitText(strings.Repeat("数", 10), 10) // no line end: cut between characters
	for _, p := range got {
		if !strings.HasPrefix(p, "数") || len(p)%3 != 0 {
			t.Errorf("piece %q cut inside a character", p)
		}
	}
}

// TestToUnicode reads a ToUnicode map of the kinds writers use: single
// codes, a range counted up, a range of an array, two-byte codes.
func TestToUnicode(t *testing.T) {
	cmap := `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Test def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfchar
<0001> <5BA2>
<0002> <6237>
endbfchar
2 beginbfrange
<0010> <0012> <0041>
<0020> <0021> [<6570> <636E>]
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end`
	doc := buildPDF(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type0/BaseFont/X/Encoding/Identity-H/ToUnicode 6 0 R>>",
		stream{data: []byte("BT /F1 12 Tf 72 700 Td <000100020010001100120020002100FF> Tj ET")},
		stream{data: []byte(cmap)},
	)
	r, err := pdf.NewReader(strings.NewReader(string(doc)), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := pageText(r.Page(1))
	if want := "客户ABC数据\uFFFD"; got != want || err != nil {
		t.Errorf("pageText = %q, %v; want %q", got, err, want)
	}
}

func TestExitFailure(t *testing.T) {
	exit := errors.New("exit status 2")
	for _, c := range []struct {
		stderr string
		kind   failureKind
		detail string
	}{
		{"runtime: out of memory: cannot allocate 4194304-byte block\nfatal error: out of memory\n\ngoroutine 1 [running]:\nmain.main()\n", outOfMemory, ""},
		{"terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\n", outOfMemory, ""},
		{"Error in pixCreateNoInit: pixdata_malloc fail for data\n", outOfMemory, ""},
		{"fatal error: concurrent map writes\n\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:1\n", failed, "fatal error: concurrent map writes"},
		{"Syntax Error: Couldn't find trailer dictionary\nSyntax Error: Couldn't read xref table\n", failed, "Syntax Error: Couldn't read xref table"},
		{"Error in pixReadMem: png: no pix returned\nError during processing.\n", failed, "Error in pixReadMem: png: no pix returned"},
		{"", failed, "exit status 2"},
	} {
		f := exitFailure("x", exit, c.stderr)
		if f.kind != c.kind || c.kind == failed && f.detail != c.detail {
			t.Errorf("exitFailure(%q) = %v %q, want %v %q", c.stderr, f.kind, f.detail, c.kind, c.detail)
		}
	}
}

func TestHeadTail(t *testing.T) {
	h := &headTail{max: 4}
	h.Write([]byte("abc"))
	h.Write([]byte("defghij"))
	h.Write([]byte("kl"))
	if got, want := h.String(), "abcd\n…\nijkl"; got != want {
		t.Errorf("headTail = %q, want %q", got, want)
	}
}
