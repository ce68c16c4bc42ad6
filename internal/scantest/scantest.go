// Package scantest builds scanned batches for tests: cover sheets and
// form pages drawn as a scanner sees them, page images, and PDFs of
// scanned pages and of pages with a text layer, in one batch. It draws
// what package scan's own tests draw, for the tests of the packages that
// file batches (the root, the server, the command).
package scantest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/scan"
)

// NeedPoppler fails the test in CI (CI set) when poppler's tools are
// missing, and skips it elsewhere.
func NeedPoppler(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"pdfinfo", "pdftoppm", "pdfseparate", "pdfunite"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (Debian: poppler-utils)", tool)
			}
			t.Skipf("%s is not installed (Debian: poppler-utils); the test skips, and fails when CI is set", tool)
		}
	}
}

// DPI is the resolution the pages are drawn at.
const DPI = 150

// a4 returns a white A4 page at DPI.
func a4() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, DPI*827/100, DPI*1169/100))
	copy(img.Pix, bytes.Repeat([]byte{0xff}, len(img.Pix)))
	return img
}

// mm returns a length in pixels at DPI.
func mm(l float64) int { return int(l * DPI / 25.4) }

// fill paints a rectangle of page in shade v.
func fill(page *image.Gray, r image.Rectangle, v uint8) {
	r = r.Intersect(page.Rect)
	row := bytes.Repeat([]byte{v}, r.Dx())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(page.Pix[y*page.Stride+r.Min.X:], row)
	}
}

// Cover draws the scanned cover sheet of record id: a title bar and
// the QR code 80 mm wide, where WriteCover puts it.
func Cover(t testing.TB, id va.RecordID) *image.Gray {
	t.Helper()
	page := a4()
	fill(page, image.Rect(mm(60), mm(15), mm(150), mm(25)), 0)
	data, err := scan.QRPNG(id, scan.DefaultQRSize)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	at, width := image.Pt(mm(65), mm(110)), mm(80)
	sw := qr.Bounds().Dx()
	for y := range width {
		for x := range width {
			g := color.GrayModel.Convert(qr.At(x*sw/width, y*sw/width)).(color.Gray)
			page.SetGray(at.X+x, at.Y+y, g)
		}
	}
	return page
}

// Form draws a scanned form page, different for each seed: ruled lines
// and blobs the size of characters.
func Form(seed uint64) *image.Gray {
	page := a4()
	rnd := rand.New(rand.NewPCG(seed, 7))
	for y := mm(30); y < mm(270); y += mm(12) {
		fill(page, image.Rect(mm(20), y, mm(190), y+1), 0)
		for x := mm(24); x < mm(float64(60+rnd.IntN(120))); x += mm(4) {
			fill(page, image.Rect(x, y-mm(5), x+mm(2), y-mm(5)+rnd.IntN(mm(3))+2), 0)
		}
	}
	return page
}

// JPEG encodes a page as a scanner would.
func JPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// PNG encodes a page as PNG.
func PNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Page is a page of a PDF: a scanned image (JPEG, drawn at DPI), or
// lines of text in a text layer (ASCII, in Helvetica).
type Page struct {
	JPEG []byte
	Text []string
}

// Scanned is the page of a scanned image.
func Scanned(t testing.TB, img image.Image) Page { return Page{JPEG: JPEG(t, img)} }

// Text is a page of lines of text.
func Text(lines ...string) Page { return Page{Text: lines} }

// PDF writes a PDF of pages, each A4: an image page as a scanner writes
// it (DCTDecode), a text page with its text uncompressed in its content
// stream, so that the text is in the file's bytes as it reads.
func PDF(t testing.TB, pages ...Page) []byte {
	t.Helper()
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 4+3*i)
	}
	const w, h = 595.28, 841.89
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	for i, p := range pages {
		n := 4 + 3*i
		if p.JPEG == nil {
			var content strings.Builder
			content.WriteString("BT /F1 14 Tf 72 760 Td 18 TL\n")
			for _, l := range p.Text {
				fmt.Fprintf(&content, "(%s) Tj T*\n", l)
			}
			content.WriteString("ET")
			obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", w, h, n+1), nil)
			obj(fmt.Sprintf("<< /Length %d >>", content.Len()), []byte(content.String()))
			obj("<< >>", nil) // keeps three objects a page
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.JPEG))
		if err != nil {
			t.Fatal(err)
		}
		space := "/DeviceRGB"
		if cfg.ColorModel == color.GrayModel {
			space = "/DeviceGray"
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", w, h, n+2, n+1), nil)
		content := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", w, h)
		obj(fmt.Sprintf("<< /Length %d >>", len(content)), []byte(content))
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			cfg.Width, cfg.Height, space, len(p.JPEG)), p.JPEG)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// PageCount returns the pages of the PDF data, as pdfinfo counts them.
func PageCount(t testing.TB, data []byte) int {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.pdf")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	f.Close()
	out, err := exec.Command("pdfinfo", f.Name()).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "Pages:"); ok {
			var n int
			fmt.Sscan(strings.TrimSpace(rest), &n)
			return n
		}
	}
	t.Fatal("pdfinfo: no page count")
	return 0
}

// PageText returns the text of page n of the PDF data, as pdftotext reads it.
func PageText(t testing.TB, data []byte, n int) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.pdf")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	f.Close()
	p := fmt.Sprint(n)
	out, err := exec.Command("pdftotext", "-f", p, "-l", p, f.Name(), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
