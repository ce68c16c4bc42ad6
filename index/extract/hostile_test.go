package extract

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The hostile PDFs: each must end as a Result with a reason a person can
// read, within the limits, while this process stays small.

// hostile runs pdf through x and checks that the parent's heap did not
// grow with it and that the run ended within the limits.
func hostile(t *testing.T, x *Extractor, pdf []byte) Result {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	res := extract(t, x, "application/pdf", pdf)
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("took %v; parent heap %d → %d MB", took.Round(time.Millisecond), before.HeapInuse>>20, after.HeapInuse>>20)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 64<<20 {
		t.Errorf("the parent's heap grew by %d MB", grew>>20)
	}
	// The text layer and pdftotext, each within the time limit, and
	// the time to start and wait for them.
	if limit := 2*x.limits().Timeout + 2*waitDelay; took > limit {
		t.Errorf("took %v, more than %v", took, limit)
	}
	return res
}

func wantReason(t *testing.T, res Result, state State, parts ...string) {
	t.Helper()
	if res.State != state {
		t.Errorf("state %s (%q), want %s", res.State, res.Reason, state)
	}
	for _, p := range parts {
		if !strings.Contains(res.Reason, p) {
			t.Errorf("reason %q lacks %q", res.Reason, p)
		}
	}
}

func TestCorruptPDF(t *testing.T) {
	x := extractor(t, Limits{Timeout: 10 * time.Second})
	noise := make([]byte, 20000)
	rng := rand.NewChaCha8([32]byte{1})
	rng.Read(noise)
	good := readTestdata(t, "bilingual.pdf")
	for _, c := range []struct {
		name string
		pdf  []byte
	}{
		{"noise", append([]byte("%PDF-1.7\n"), noise...)},
		{"empty", nil},
		{"header only", []byte("%PDF-1.4\n%%EOF\n")},
		// Chromium writes its page contents first: the first 5% of the
		// file holds no whole page.
		{"truncated", good[:len(good)/20]},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := hostile(t, x, c.pdf)
			wantReason(t, res, Failed, "text not extracted: ", "the PDF's text layer failed: ", "pdftotext failed: ")
		})
	}
}

// TestRootBeyondSize: pdfunite writes a trailer whose /Root is beyond its
// /Size. ledongthuc/pdf then finds no page tree and no pages; that must
// not pass for an empty PDF.
func TestRootBeyondSize(t *testing.T) {
	x := extractor(t, Limits{})
	pdf := bytes.Replace(helveticaPDF("Root beyond Size"), []byte("/Size 6/Root"), []byte("/Size 1/Root"), 1)
	res := extract(t, x, "application/pdf", pdf)
	wantState(t, res, Done, PDFToText)
	wantText(t, res, 0, "Root beyond Size")
}

// TestSelfReferencingPageTree: a page tree whose Pages node lists itself
// as a kid sends ledongthuc/pdf round the loop for ever. The child is
// killed at the time limit; poppler sees the loop and reads the page that
// the tree also holds.
func TestSelfReferencingPageTree(t *testing.T) {
	x := extractor(t, Limits{Timeout: 3 * time.Second})
	pdf := buildPDF(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		stream{data: []byte("BT /F1 18 Tf 72 720 Td (The page in the loop) Tj ET")},
	)
	res := hostile(t, x, pdf)
	wantReason(t, res, Done, "the PDF's text layer did not finish within 3 s")
	wantText(t, res, 0, "The page in the loop")
}

// TestMillionPages: a page tree that claims a million pages and holds
// one gives one page; one that holds a million (ten kids of ten kids…,
// all the same page, in 1 KB) gives MaxPages and says so.
func TestMillionPages(t *testing.T) {
	x := extractor(t, Limits{MaxPages: 20, Timeout: 20 * time.Second})
	t.Run("claimed", func(t *testing.T) {
		pdf := buildPDF(
			"<</Type/Catalog/Pages 2 0 R>>",
			"<</Type/Pages/Kids[3 0 R]/Count 1000000>>",
			"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
			"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
			stream{data: []byte("BT /F1 18 Tf 72 720 Td (The only page) Tj ET")},
		)
		res := hostile(t, x, pdf)
		wantState(t, res, Done, TextLayer)
		if len(res.Pages) != 1 {
			t.Errorf("%d pages, want 1", len(res.Pages))
		}
		wantText(t, res, 0, "The only page")
	})
	t.Run("held", func(t *testing.T) {
		// Objects 6 to 11 are Pages nodes of 10 kids each: 6 holds ten
		// times 7, …, 11 ten times the page 3: 10^6 pages.
		objs := []any{
			"<</Type/Catalog/Pages 2 0 R>>",
			"<</Type/Pages/Kids[6 0 R]/Count 1000000>>",
			"<</Type/Page/Parent 11 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
			"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
			stream{data: []byte("BT /F1 18 Tf 72 720 Td (One of a million) Tj ET")},
		}
		for level := range 6 {
			kid := 7 + level
			if level == 5 {
				kid = 3
			}
			count := 1
			for range 6 - level {
				count *= 10
			}
			kids := strings.Repeat(fmt.Sprintf("%d 0 R ", kid), 10)
			objs = append(objs, fmt.Sprintf("<</Type/Pages/Kids[%s]/Count %d>>", kids, count))
		}
		res := hostile(t, x, buildPDF(objs...))
		wantState(t, res, Done, TextLayer)
		if len(res.Pages) != 20 {
			t.Errorf("%d pages, want 20", len(res.Pages))
		}
		wantText(t, res, 19, "One of a million")
		wantReason(t, res, Done, "only the first 20 of 1000000 pages were read")
	})
}

// TestCompressionBomb: a page whose 2.6 MB content stream inflates to a
// 2 GiB string. ledongthuc/pdf reads the string whole; the child's
// address-space limit stops it within a second or two, and pdftotext
// runs out of the same limit. The time limit is long so that a loaded
// machine does not make it the one that stops them.
func TestCompressionBomb(t *testing.T) {
	x := extractor(t, Limits{Timeout: 20 * time.Second, MemoryBytes: 128 << 20})
	content := bomb(t, "BT /F1 12 Tf 72 720 Td (", 2<<30)
	pdf := buildPDF(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		stream{"<</Filter/FlateDecode>>", content},
	)
	t.Logf("the bomb: %d KB of PDF", len(pdf)>>10)
	res := hostile(t, x, pdf)
	wantReason(t, res, Failed, "text not extracted: the PDF's text layer needed more than 128 MiB of memory; pdftotext needed more than 128 MiB of memory")
}

// bomb returns a zlib stream of prefix and then n bytes of 'A', about a
// thousandth of n in size: the deflate block of 64 KiB of 'A' that follows
// 64 KiB of 'A' is the same every time, so it is made once and repeated.
func bomb(t *testing.T, prefix string, n int) []byte {
	t.Helper()
	const chunk = 64 << 10
	a := bytes.Repeat([]byte("A"), chunk)
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, flate.BestCompression)
	zw.Write([]byte(prefix))
	zw.Write(a)
	zw.Flush()
	head := buf.Len()
	zw.Write(a)
	zw.Flush()
	block := bytes.Clone(buf.Bytes()[head:])
	zw.Write(a)
	zw.Flush()
	if !bytes.Equal(buf.Bytes()[head+len(block):], block) {
		t.Fatal("the deflate blocks differ; the bomb cannot be built by repetition")
	}
	out := bytes.Clone(buf.Bytes()[:head])
	for range n / chunk {
		out = append(out, block...)
	}
	// Check the start: it inflates to the prefix and then 'A's.
	zr, err := zlib.NewReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	start := make([]byte, len(prefix)+3*chunk)
	if _, err := io.ReadFull(zr, start); err != nil || !bytes.Equal(start, append([]byte(prefix), bytes.Repeat([]byte("A"), 3*chunk)...)) {
		t.Fatalf("the bomb does not inflate as planned: %v", err)
	}
	return out
}
