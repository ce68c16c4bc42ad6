package scan

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
	"path/filepath"
	"slices"
	"sync"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/visitarchive/visitarchive"
)

// needTools fails the test in CI (CI set) when a tool is missing, and
// skips it elsewhere.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (Debian: poppler-utils, chromium)", tool)
			}
			t.Skipf("%s is not installed (Debian: poppler-utils, chromium); the test skips, and fails when CI is set", tool)
		}
	}
}

var poppler = []string{"pdfinfo", "pdftoppm", "pdfseparate", "pdfunite"}

// a4 returns a white A4 page at dpi.
func a4(dpi int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, dpi*827/100, dpi*1169/100))
	copy(img.Pix, bytes.Repeat([]byte{0xff}, len(img.Pix)))
	return img
}

// mm returns a length in pixels at dpi.
func mm(l float64, dpi int) int { return int(l * float64(dpi) / 25.4) }

// fill paints a rectangle of page in shade v.
func fill(page *image.Gray, r image.Rectangle, v uint8) {
	r = r.Intersect(page.Rect)
	row := bytes.Repeat([]byte{v}, r.Dx())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(page.Pix[y*page.Stride+r.Min.X:], row)
	}
}

// drawQR draws the PNG of a QR code (QRPNG) onto page, width pixels
// wide with its top left corner at at, scaling by nearest neighbour.
func drawQR(t *testing.T, page *image.Gray, pngData []byte, at image.Point, width int) {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	g := toGray(src)
	sw := g.Rect.Dx()
	for y := range width {
		for x := range width {
			page.SetGray(at.X+x, at.Y+y, color.Gray{g.Pix[(y*sw/width)*g.Stride+x*sw/width]})
		}
	}
}

// pages keeps the pages that the tests draw, which take long under the
// race detector: each kind, seed and resolution is drawn once.
var pages struct {
	sync.Mutex
	m map[string]*image.Gray
}

// drawn returns a copy of the page of key, drawing it the first time.
func drawn(key string, draw func() *image.Gray) *image.Gray {
	pages.Lock()
	defer pages.Unlock()
	if pages.m == nil {
		pages.m = map[string]*image.Gray{}
	}
	page, ok := pages.m[key]
	if !ok {
		page = draw()
		pages.m[key] = page
	}
	return &image.Gray{Pix: slices.Clone(page.Pix), Stride: page.Stride, Rect: page.Rect}
}

// scannedCover draws a scanned cover sheet of id at dpi: a title bar, some
// lines of "text" and the QR code 80 mm wide, as WriteCover lays it out.
func scannedCover(t *testing.T, id visitarchive.RecordID, dpi int) *image.Gray {
	t.Helper()
	return drawn(fmt.Sprint("cover ", id, dpi), func() *image.Gray { return drawCover(t, id, dpi) })
}

func drawCover(t *testing.T, id visitarchive.RecordID, dpi int) *image.Gray {
	page := a4(dpi)
	fill(page, image.Rect(mm(60, dpi), mm(15, dpi), mm(150, dpi), mm(25, dpi)), 0)
	textLines(page, dpi, rand.New(rand.NewPCG(1, 2)), 35, 95)
	qr, err := QRPNG(id, DefaultQRSize)
	if err != nil {
		t.Fatal(err)
	}
	drawQR(t, page, qr, image.Pt(mm(65, dpi), mm(110, dpi)), mm(80, dpi))
	return page
}

// scannedForm draws a scanned form page: a table of ruled lines with
// "text" in it and boxes to tick, different for each seed.
func scannedForm(dpi int, seed uint64) *image.Gray {
	return drawn(fmt.Sprint("form ", seed, dpi), func() *image.Gray { return drawForm(dpi, seed) })
}

func drawForm(dpi int, seed uint64) *image.Gray {
	page := a4(dpi)
	rnd := rand.New(rand.NewPCG(seed, 7))
	left, right := mm(20, dpi), mm(190, dpi)
	for y := mm(30, dpi); y < mm(270, dpi); y += mm(12, dpi) {
		fill(page, image.Rect(left, y, right, y+max(dpi/100, 1)), 0)
	}
	fill(page, image.Rect(mm(60, dpi), mm(30, dpi), mm(60, dpi)+max(dpi/100, 1), mm(270, dpi)), 0)
	textLines(page, dpi, rnd, 32, 268)
	for i := range 6 { // boxes to tick, some ticked
		x, y := mm(150, dpi), mm(float64(40+i*24), dpi)
		s := mm(4, dpi)
		fill(page, image.Rect(x, y, x+s, y+s), 0)
		fill(page, image.Rect(x+2, y+2, x+s-2, y+s-2), 0xff)
		if rnd.IntN(2) == 0 {
			fill(page, image.Rect(x+s/3, y+s/3, x+2*s/3, y+2*s/3), 0)
		}
	}
	return page
}

// textLines fills the lines from top to bottom (in mm) with blobs the
// size of characters, as text looks to a QR reader.
func textLines(page *image.Gray, dpi int, rnd *rand.Rand, top, bottom float64) {
	ch := mm(3.5, dpi)
	for y := top; y < bottom; y += 12 {
		x := mm(24, dpi) + rnd.IntN(ch)
		end := mm(24, dpi) + mm(float64(60+rnd.IntN(100)), dpi)
		for x < end {
			w := ch/2 + rnd.IntN(ch/2+1)
			py := mm(y+3, dpi)
			for range 4 {
				sx, sy := x+rnd.IntN(w), py+rnd.IntN(ch)
				fill(page, image.Rect(sx, sy, sx+rnd.IntN(w/2+1)+1, sy+max(dpi/150, 1)+rnd.IntN(ch/3+1)), 0)
			}
			x += w + ch/4
		}
	}
}

// jpegOf encodes a page as a scanner would.
func jpegOf(t *testing.T, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfPage is a page of a scanned PDF: one JPEG image filling it.
type pdfPage struct {
	jpeg []byte
	dpi  int
}

// scannedPDF writes a PDF whose pages are the JPEG images of pages, each
// the size it was scanned at, as a scanner writes them (DCTDecode).
func scannedPDF(t *testing.T, pages ...pdfPage) []byte {
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
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	for i, p := range pages {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.jpeg))
		if err != nil {
			t.Fatal(err)
		}
		space := "/DeviceRGB"
		if cfg.ColorModel == color.GrayModel {
			space = "/DeviceGray"
		}
		w, h := float64(cfg.Width)*72/float64(p.dpi), float64(cfg.Height)*72/float64(p.dpi)
		n := 3 + 3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", w, h, n+2, n+1), nil)
		content := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", w, h)
		obj(fmt.Sprintf("<< /Length %d >>", len(content)), []byte(content))
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			cfg.Width, cfg.Height, space, len(p.jpeg)), p.jpeg)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// printPDF prints an HTML page to PDF with headless Chromium
// (VISITARCHIVE_CHROMIUM, or chromium on the PATH).
func printPDF(t *testing.T, html []byte) []byte {
	t.Helper()
	bin := os.Getenv("VISITARCHIVE_CHROMIUM")
	if bin == "" {
		needTools(t, "chromium")
		bin = "chromium"
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "page.html"), filepath.Join(dir, "page.pdf")
	if err := os.WriteFile(in, html, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, "file://"+in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// foreignQR returns the PNG of a QR code of text, such as a form may
// carry: a web address, a payment code.
func foreignQR(t *testing.T, text string, size int) []byte {
	t.Helper()
	png, err := qrcode.Encode(text, qrcode.Medium, size)
	if err != nil {
		t.Fatal(err)
	}
	return png
}
