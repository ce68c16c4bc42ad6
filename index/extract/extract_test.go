package extract

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// extract runs x on b and fails the test on an error.
func extract(t *testing.T, x *Extractor, mediaType string, b []byte) Result {
	t.Helper()
	res, err := x.Extract(t.Context(), mediaType, bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("Extract(%s): %v", mediaType, err)
	}
	t.Logf("%s: state %s, method %s, reason %q, %d pages", mediaType, res.State, res.Method, res.Reason, len(res.Pages))
	return res
}

func wantText(t *testing.T, res Result, page int, words ...string) {
	t.Helper()
	if page >= len(res.Pages) {
		t.Fatalf("%d pages, want page %d", len(res.Pages), page+1)
	}
	text := strings.Join(strings.Fields(res.Pages[page]), " ") // English wraps at any space
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("page %d lacks %q:\n%s", page+1, w, res.Pages[page])
		}
	}
}

func wantState(t *testing.T, res Result, state State, method Method) {
	t.Helper()
	if res.State != state || res.Method != method {
		t.Errorf("state %s, method %s (%q), want %s, %s", res.State, res.Method, res.Reason, state, method)
	}
}

// TestTextLayer reads testdata/bilingual.pdf, made by Chromium (see
// TestMakeTestdata): its CJK fonts are Type 3 fonts with ToUnicode maps
// that name radicals for shared glyphs (客⼾ for 客户), which the text
// layer must read right without help from poppler.
func TestTextLayer(t *testing.T) {
	x := extractor(t, Limits{})
	var progress [][2]int
	res, err := x.Extract(t.Context(), "application/pdf", bytes.NewReader(readTestdata(t, "bilingual.pdf")), func(done, total int) {
		progress = append(progress, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, res, Done, TextLayer)
	if len(res.Pages) != 2 {
		t.Fatalf("%d pages, want 2", len(res.Pages))
	}
	wantText(t, res, 0, "客户拜访记录", "Customer Visit Record", "上海长江数据中心有限公司", "LX-3021B", "节能改造", "maintenance contract")
	wantText(t, res, 1, "后续行动", "现场勘查", "site survey")
	if res.Reason != "" {
		t.Errorf("reason %q, want none", res.Reason)
	}
	if last := progress[len(progress)-1]; last != [2]int{2, 2} {
		t.Errorf("last progress %v, want [2 2]; all %v", last, progress)
	}
	for i := 1; i < len(progress); i++ {
		if progress[i][0] < progress[i-1][0] {
			t.Errorf("progress went back: %v", progress)
		}
	}
}

// TestGBKFallsBackToPdftotext: a font in GBK-EUC-H without a ToUnicode
// map, common in Chinese office PDFs, is garbage to ledongthuc/pdf (half
// of it U+FFFD); pdftotext reads it through poppler's CMaps.
func TestGBKFallsBackToPdftotext(t *testing.T) {
	x := extractor(t, Limits{})
	text := "客户拜访记录：数据中心节能改造"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	pdf := buildPDF(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/GBK-EUC-H/DescendantFonts[6 0 R]>>",
		stream{data: []byte("BT /F1 18 Tf 72 700 Td <" + hexString(gbk) + "> Tj ET")},
		"<</Type/Font/Subtype/CIDFontType0/BaseFont/STSong-Light/CIDSystemInfo<</Registry(Adobe)/Ordering(GB1)/Supplement 4>>/FontDescriptor 7 0 R/DW 1000>>",
		"<</Type/FontDescriptor/FontName/STSong-Light/Flags 6/FontBBox[-25 -254 1000 880]/ItalicAngle 0/Ascent 880/Descent -120/CapHeight 880/StemV 93>>",
	)
	res := extract(t, x, "application/pdf", pdf)
	wantState(t, res, Done, PDFToText)
	wantText(t, res, 0, text)
}

func hexString(s string) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 0, 2*len(s))
	for i := range len(s) {
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}

// TestOCR reads a PNG of a Chinese paragraph (testdata/paragraph.png),
// the same as JPEG, and a scanned PDF holding it as its only image. The
// chosen word 散热问题 is wrapped over two lines in the image.
func TestOCR(t *testing.T) {
	x := extractor(t, Limits{})
	pngBytes := readTestdata(t, "paragraph.png")
	img := decodePNG(t, pngBytes)
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, mediaType string
		content         []byte
	}{
		{"png", "image/png", pngBytes},
		{"jpeg", "image/jpeg", jpg.Bytes()},
		{"tiff", "image/tiff", grayTIFF(img, img)}, // two pages
		{"scanned pdf", "application/pdf", scannedPDF(t, img)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := extract(t, x, c.mediaType, c.content)
			wantState(t, res, Done, OCR)
			if c.name == "tiff" {
				if len(res.Pages) != 2 {
					t.Errorf("%d pages, want 2", len(res.Pages))
				}
				wantText(t, res, 1, "散热问题", "节能改造", "LX-3021B")
			}
			wantText(t, res, 0, "散热问题", "节能改造", "LX-3021B")
			if strings.Contains(res.Pages[0], "节 能") || strings.Contains(res.Pages[0], "问\n题") {
				t.Errorf("white space between Han characters left:\n%s", res.Pages[0])
			}
		})
	}
}

// grayTIFF encodes imgs as the pages of an uncompressed 8-bit gray
// baseline TIFF (the standard library has no TIFF encoder).
func grayTIFF(imgs ...image.Image) []byte {
	var buf bytes.Buffer
	le := func(v uint32, n int) {
		for i := range n {
			buf.WriteByte(byte(v >> (8 * i)))
		}
	}
	buf.WriteString("II*\x00")
	le(8, 4) // the first IFD follows the header
	const entries = 9
	for i, img := range imgs {
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		ifd := uint32(buf.Len())
		data := ifd + 2 + 12*entries + 4
		next := uint32(0)
		if i < len(imgs)-1 {
			next = data + uint32(w*h)
		}
		le(entries, 2)
		for _, e := range [entries][3]uint32{ // tag, type (3 short, 4 long), value
			{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1},
			{273, 4, data}, {277, 3, 1}, {278, 4, uint32(h)}, {279, 4, uint32(w * h)},
		} {
			le(e[0], 2)
			le(e[1], 2)
			le(1, 4)
			le(e[2], 4)
		}
		le(next, 4)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				buf.WriteByte(byte((299*r + 587*g + 114*bl) / 1000 >> 8))
			}
		}
	}
	return buf.Bytes()
}

// TestNotAnImage: tesseract reads any input that is not an image as a
// list of image files to read. A text file sent as a PNG, naming an image
// on this machine, must not have that image read.
func TestNotAnImage(t *testing.T) {
	x := extractor(t, Limits{})
	for _, c := range []struct {
		name, mediaType string
		content         []byte
		reason          string
	}{
		{"a list of files", "image/png", []byte(abs(t, filepath.Join("testdata", "paragraph.png")) + "\n"), "text not extracted: the file is not a PNG, JPEG or TIFF image"},
		{"truncated", "image/png", readTestdata(t, "paragraph.png")[:5000], "text not extracted: OCR failed: Error in pixReadMem: png: no pix returned"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := extract(t, x, c.mediaType, c.content)
			if res.State != Failed || res.Reason != c.reason {
				t.Errorf("%s %q, want failed: %q", res.State, res.Reason, c.reason)
			}
		})
	}
}

// TestPlainText covers the encodings of text files.
func TestPlainText(t *testing.T) {
	x := &Extractor{Tools: &Tools{}}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("客户拜访记录 LX-3021B")
	for _, c := range []struct {
		name, mediaType, content, want string
	}{
		{"utf-8", "text/plain", "客户拜访 visit", "客户拜访 visit"},
		{"bom", "text/plain", "\xEF\xBB\xBF数据中心", "数据中心"},
		{"gb18030 detected", "text/plain", gb, "客户拜访记录 LX-3021B"},
		{"gb18030 declared", "text/plain; charset=GBK", gb, "客户拜访记录 LX-3021B"},
		{"utf-16", "text/plain", "\xFF\xFE\x70\x65\x6E\x63", "数据"},
		{"invalid", "text/plain", "ok \xff\xfe\xfd end", "ok \uFFFD end"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := extract(t, x, c.mediaType, []byte(c.content))
			wantState(t, res, Done, Plain)
			if len(res.Pages) != 1 || res.Pages[0] != c.want {
				t.Errorf("pages %q, want [%q]", res.Pages, c.want)
			}
		})
	}
}

// TestTextCap: a file keeps at most maxText of text, and says so.
func TestTextCap(t *testing.T) {
	x := &Extractor{Tools: &Tools{}}
	line := strings.Repeat("数据中心", 20) + "\n"
	content := strings.Repeat(line, maxText/len(line)+1000)
	res := extract(t, x, "text/plain", []byte(content))
	n := 0
	for _, p := range res.Pages {
		if len(p) > maxPageText {
			t.Errorf("a page of %d bytes", len(p))
		}
		n += len(p)
	}
	if n > maxText || n < maxText-len(line) {
		t.Errorf("%d bytes of text kept, want just under %d", n, maxText)
	}
	if want := "only the first 32 MiB of text were kept"; res.State != Done || res.Reason != want {
		t.Errorf("%s %q, want done: %q", res.State, res.Reason, want)
	}
}

func TestOpaqueTypes(t *testing.T) {
	x := &Extractor{Tools: &Tools{}}
	for _, mt := range []string{
		"application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/zip",
	} {
		res := extract(t, x, mt, []byte("PK\x03\x04"))
		if res.State != Unavailable || res.Reason != ReasonNoType {
			t.Errorf("%s: %+v, want unavailable: %s", mt, res, ReasonNoType)
		}
	}
}

// TestWithoutTesseract: images and scanned pages are Unavailable, with
// the reason OCR unavailable; a PDF with text is still read.
func TestWithoutTesseract(t *testing.T) {
	x := extractor(t, Limits{})
	tools := *x.Tools
	tools.Tesseract = ""
	x.Tools = &tools
	img := decodePNG(t, readTestdata(t, "paragraph.png"))
	for _, c := range []struct {
		mediaType string
		content   []byte
	}{
		{"image/png", readTestdata(t, "paragraph.png")},
		{"application/pdf", scannedPDF(t, img)},
	} {
		res := extract(t, x, c.mediaType, c.content)
		if res.State != Unavailable || res.Reason != ReasonNoOCR {
			t.Errorf("%s: %+v, want unavailable: %s", c.mediaType, res, ReasonNoOCR)
		}
	}
	res := extract(t, x, "application/pdf", readTestdata(t, "bilingual.pdf"))
	wantState(t, res, Done, TextLayer)
}

func TestTooLarge(t *testing.T) {
	x := extractor(t, Limits{MaxBytes: 1000})
	for _, mt := range []string{"application/pdf", "image/png", "text/plain"} {
		content := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("x"), 993)...)
		res := extract(t, x, mt, content)
		if want := "text not extracted: the file is larger than 1000 bytes"; res.State != Failed || res.Reason != want {
			t.Errorf("%s: %+v, want failed: %s", mt, res, want)
		}
	}
}

// TestNothingLeftOnDisk: the spooled PDF has no name while it is read,
// and the temporary directory is empty during and after extraction.
func TestNothingLeftOnDisk(t *testing.T) {
	x := extractor(t, Limits{})
	empty := func(when string) {
		entries, err := os.ReadDir(x.TempDir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) > 0 {
			t.Errorf("%s: %s holds %v", when, x.TempDir, entries)
		}
	}
	_, err := x.Extract(t.Context(), "application/pdf", bytes.NewReader(readTestdata(t, "bilingual.pdf")), func(int, int) {
		empty("during extraction")
	})
	if err != nil {
		t.Fatal(err)
	}
	empty("after extraction")
}

func TestCancel(t *testing.T) {
	x := extractor(t, Limits{})
	ctx, cancel := context.WithCancel(t.Context())
	img := decodePNG(t, readTestdata(t, "paragraph.png"))
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := x.Extract(ctx, "application/pdf", bytes.NewReader(scannedPDF(t, img)), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("returned after %v", d)
	}
}
