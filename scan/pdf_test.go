package scan

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

const (
	rec1    visitarchive.RecordID = "R01JD3X9K2M4N6P8Q0S2T4V6W8"
	rec2    visitarchive.RecordID = "R01JD3XAAAAAAAAAAAAAAAAAAA"
	unknown visitarchive.RecordID = "R01JD3XZZZZZZZZZZZZZZZZZZZ"
)

// existing answers Options.Exists for rec1 and rec2, counting the calls.
type existing struct{ calls []visitarchive.RecordID }

func (e *existing) exists(_ context.Context, id visitarchive.RecordID) (bool, error) {
	e.calls = append(e.calls, id)
	return id == rec1 || id == rec2, nil
}

// batchPages are the pages of the test batch, scanned at dpi: a stray
// form page, rec1's cover and two pages, the cover of a record that does
// not exist and a page, rec2's cover and a page (with a QR code of
// another kind on it).
func batchPages(t *testing.T, dpi int) []pdfPage {
	t.Helper()
	other := scannedForm(dpi, 8)
	drawQR(t, other, foreignQR(t, "https://example.com/visit-form?v=3", 256), image.Pt(mm(150, dpi), mm(240, dpi)), mm(30, dpi))
	pages := []pdfPage{
		{jpegOf(t, scannedForm(dpi, 1), 75), dpi},
		{jpegOf(t, scannedCover(t, rec1, dpi), 75), dpi},
		{jpegOf(t, scannedForm(dpi, 3), 75), dpi},
		{jpegOf(t, scannedForm(dpi, 4), 75), dpi},
		{jpegOf(t, scannedCover(t, unknown, dpi), 75), dpi},
		{jpegOf(t, scannedForm(dpi, 6), 75), dpi},
		{jpegOf(t, scannedCover(t, rec2, dpi), 75), dpi},
		{jpegOf(t, other, 75), dpi},
	}
	return pages
}

func TestSplitPDFBatch(t *testing.T) {
	t.Parallel()
	needTools(t, poppler...)
	pages := batchPages(t, 150)
	tmp := t.TempDir()
	var ex existing
	var progress []int
	start := time.Now()
	b, err := SplitPDF(t.Context(), bytes.NewReader(scannedPDF(t, pages...)), Options{
		Exists:   ex.exists,
		Progress: func(done, total int) { progress = append(progress, done*100+total) },
		TempDir:  tmp,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pages split in %v", b.Pages, time.Since(start))
	type want struct {
		record visitarchive.RecordID
		cover  int
		pages  []int
		reason string
	}
	wants := []want{
		{"", 0, []int{1}, "pages before the first cover sheet"},
		{rec1, 2, []int{3, 4}, ""},
		{unknown, 5, []int{6}, "cover sheet names record " + string(unknown) + ", which does not exist"},
		{rec2, 7, []int{8}, ""},
	}
	if b.Pages != 8 || len(b.Parts) != len(wants) {
		t.Fatalf("got %d pages, %d parts %+v; want 8 pages, %d parts", b.Pages, len(b.Parts), b.Parts, len(wants))
	}
	for i, w := range wants {
		p := b.Parts[i]
		if p.Record != w.record || p.Cover != w.cover || !slices.Equal(p.Pages, w.pages) || p.Reason.String() != w.reason || p.Inbox() != (w.reason != "") {
			t.Errorf("part %d: got %s cover %d pages %v reason %q; want %s cover %d pages %v reason %q",
				i, p.Record, p.Cover, p.Pages, p.Reason, w.record, w.cover, w.pages, w.reason)
		}
		pdf, err := os.ReadFile(p.PDF)
		if err != nil {
			t.Fatal(err)
		}
		// Each part holds its own pages' scans, byte for byte, and no other.
		for n, page := range pages {
			if got, want := bytes.Contains(pdf, page.jpeg), slices.Contains(w.pages, n+1); got != want {
				t.Errorf("part %d: holds page %d: %v, want %v", i, n+1, got, want)
			}
		}
		if got := pdfPages(t, p.PDF); got != len(w.pages) {
			t.Errorf("part %d: %d pages in its PDF, want %d", i, got, len(w.pages))
		}
	}
	if want := []visitarchive.RecordID{rec1, unknown, rec2}; !slices.Equal(ex.calls, want) {
		t.Errorf("Exists was asked about %v, want %v", ex.calls, want)
	}
	if len(progress) != 8 || progress[7] != 808 {
		t.Errorf("progress %v, want 8 calls ending at 8 of 8", progress)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Fatalf("%d entries in the temporary folder, want the one private folder", len(entries))
	}
	if fi, _ := entries[0].Info(); fi.Mode().Perm() != 0o700 {
		t.Errorf("private folder mode %v, want 0700", fi.Mode().Perm())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left behind after Close: %v", entries)
	}
}

// pdfPages returns the page count of a PDF file, by pdfinfo.
func pdfPages(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", path, err)
	}
	m := pagesLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count", path)
	}
	n := 0
	for _, c := range m[1] {
		n = n*10 + int(c-'0')
	}
	return n
}

// tornCover is rec1's cover sheet with the middle of its QR code torn
// away: the finder patterns are there, more than the error correction
// can restore is not.
func tornCover(t *testing.T, dpi int) *image.Gray {
	page := scannedCover(t, rec1, dpi)
	module := float64(mm(80, dpi)) / 49
	x0, y0 := mm(65, dpi), mm(110, dpi)
	fill(page, image.Rect(x0+int(4*module), y0+int(16*module), x0+int(45*module), y0+int(34*module)), 0xff)
	return page
}

// TestSplitPDFTornCover: the pages after a cover sheet whose code cannot
// be read go to the inbox, never to the record before it.
func TestSplitPDFTornCover(t *testing.T) {
	t.Parallel()
	needTools(t, poppler...)
	pdf := scannedPDF(t,
		pdfPage{jpegOf(t, scannedCover(t, rec2, 150), 75), 150},
		pdfPage{jpegOf(t, scannedForm(150, 1), 75), 150},
		pdfPage{jpegOf(t, tornCover(t, 150), 75), 150},
		pdfPage{jpegOf(t, scannedForm(150, 2), 75), 150},
	)
	b, err := SplitPDF(t.Context(), bytes.NewReader(pdf), Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := "page 3 has a QR code that could not be read; it and the pages after it up to the next cover sheet were not filed"
	if len(b.Parts) != 2 || b.Parts[0].Record != rec2 || !slices.Equal(b.Parts[0].Pages, []int{2}) ||
		b.Parts[1].Record != "" || !slices.Equal(b.Parts[1].Pages, []int{3, 4}) || b.Parts[1].Reason.String() != want {
		t.Errorf("got %+v; want rec2 with page 2, then pages 3 and 4 to the inbox", b.Parts)
	}
}

// TestSplitPDFBroken: files that are no readable PDF, or too large, are
// refused with a clear error and leave nothing behind.
func TestSplitPDFBroken(t *testing.T) {
	t.Parallel()
	needTools(t, poppler...)
	batch := scannedPDF(t, pdfPage{jpegOf(t, scannedForm(100, 1), 75), 100})
	million := bytes.Replace(batch, []byte("/Count 1 >>"), []byte("/Count 1000000 >>"), 1)
	pngFile, _ := QRPNG(rec1, 128)
	for _, tc := range []struct {
		name string
		data []byte
		opt  Options
		kind visitarchive.Kind
		msg  string
	}{
		{"empty", nil, Options{}, visitarchive.Invalid, "the scan is not a PDF that can be read"},
		{"garbage", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("\x00garbage obj <<"), 5000)...), Options{}, visitarchive.Invalid, "the scan is not a PDF that can be read"},
		{"truncated", batchPDF(t)[:len(batchPDF(t))/2], Options{}, visitarchive.Invalid, "the scan is not a PDF that can be read"},
		{"an image", pngFile, Options{}, visitarchive.Invalid, "the scan is not a PDF that can be read"},
		// Poppler itself refuses a page count beyond the objects in the file.
		{"a million pages", million, Options{}, visitarchive.Invalid, "the scan is not a PDF that can be read"},
		{"over MaxPages", batchPDF(t), Options{MaxPages: 4}, visitarchive.TooLarge, "the scan has 8 pages; at most 4 are split at once"},
		{"over MaxBytes", append(batch, make([]byte, 1<<20)...), Options{MaxBytes: 1 << 20}, visitarchive.TooLarge, "the scan is larger than 1 MB"},
		{"tool timeout", batch, Options{ToolTimeout: time.Nanosecond}, visitarchive.Invalid, "reading the scan took longer than 1ns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			tc.opt.TempDir = tmp
			b, err := SplitPDF(t.Context(), bytes.NewReader(tc.data), tc.opt)
			if err == nil {
				b.Close()
				t.Fatalf("split into %+v, want an error", b.Parts)
			}
			if got := visitarchive.ErrorKind(err); got != tc.kind || visitarchive.ErrorMessage(err) != tc.msg {
				t.Errorf("got %v %q (%v), want %v %q", got, visitarchive.ErrorMessage(err), err, tc.kind, tc.msg)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
}

var batchOnce struct {
	sync.Once
	pdf []byte
}

// batchPDF returns the PDF of batchPages at 100 dpi, made once.
func batchPDF(t *testing.T) []byte {
	batchOnce.Do(func() { batchOnce.pdf = scannedPDF(t, batchPages(t, 100)...) })
	return batchOnce.pdf
}

// TestSplitPDFCancel: a split whose context ends stops, says so, and
// leaves nothing behind.
func TestSplitPDFCancel(t *testing.T) {
	needTools(t, poppler...)
	tmp := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	calls := 0
	_, err := SplitPDF(ctx, bytes.NewReader(batchPDF(t)), Options{TempDir: tmp, Workers: 1,
		Progress: func(done, total int) { calls++; cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("%d pages read after the cancel, want 1 before it", calls)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
