package testenv

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index/extract"
)

// childBinary is index/extract's child alone, built once per test binary
// without the race detector (as package extract's tests build it), in
// childDir, which RemoveExtractChild removes.
var (
	childDir    atomic.Pointer[string]
	childBinary = sync.OnceValues(buildChild)
)

func buildChild() (string, error) {
	dir, err := os.MkdirTemp("", "testenv-extract-")
	if err != nil {
		return "", err
	}
	childDir.Store(&dir)
	exe := filepath.Join(dir, "extractchild")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goTool, "build", "-o", exe, "github.com/visitarchive/visitarchive/index/extract/internal/extractchild").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build the extraction child: %v\n%s", err, out)
	}
	return exe, nil
}

// RemoveExtractChild removes the child that Extractor built, if any; a
// TestMain calls it after the tests.
func RemoveExtractChild() {
	if dir := childDir.Load(); dir != nil {
		os.RemoveAll(*dir)
	}
}

// Extractor returns the real text extractor (index/extract) with its
// tools, under lim, spooling into a temporary directory of the test:
// never the data directory. A missing tool (pdftotext, pdftoppm,
// tesseract with chi_sim and eng) skips the test, and fails it when CI is
// set.
func Extractor(t testing.TB, lim extract.Limits) (va.TextExtractor, *extract.Extractor) {
	t.Helper()
	tools := extract.Available()
	if len(tools.Off) > 0 {
		msg := "extraction tools missing: " + tools.Detail()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	exe, err := childBinary()
	if err != nil {
		t.Fatal(err)
	}
	x := &extract.Extractor{Exe: exe, Limits: lim, Tools: &tools, TempDir: t.TempDir()}
	return extract.ForArchive(x), x
}

// ExtractTestdata reads a file of index/extract/testdata: bilingual.pdf
// (two pages with Chinese and English text layers: 上海长江数据中心有限公司,
// LX-3021B, maintenance contract) or paragraph.png (a Chinese paragraph
// for OCR: 散热问题, 节能改造, LX-3021B).
func ExtractTestdata(t testing.TB, name string) []byte {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "..", "index", "extract", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TextPDF is a PDF of one page that shows text, ASCII, in Helvetica: a
// text layer that the extraction reads without OCR.
func TextPDF(text string) []byte {
	content := "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET"
	return pdf(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content),
	)
}

// BombPDF is a PDF of one page whose content stream, about a thousandth
// of n in the file, inflates to n bytes, which the PDF's text layer reads
// as one string: a compression bomb.
func BombPDF(n int) []byte {
	const chunk = 64 << 10
	a := bytes.Repeat([]byte("A"), chunk)
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, flate.BestCompression)
	zw.Write([]byte("BT /F1 12 Tf 72 720 Td ("))
	zw.Write(a)
	zw.Flush()
	head := buf.Len()
	zw.Write(a)
	zw.Flush()
	// Each further 64 KiB of 'A' after 64 KiB of 'A' deflates to the same
	// block: repeat it.
	block := bytes.Clone(buf.Bytes()[head:])
	stream := bytes.Clone(buf.Bytes()[:head])
	for range n / chunk {
		stream = append(stream, block...)
	}
	return pdf(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		fmt.Sprintf("<</Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream", len(stream), stream),
	)
}

// pdf is a PDF of the objects objs, numbered from 1, with its cross
// reference table.
func pdf(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var xref strings.Builder
	for i, o := range objs {
		fmt.Fprintf(&xref, "%010d 00000 n \n", b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	start := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n%strailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref.String(), len(objs)+1, start)
	return b.Bytes()
}

// TextPDFPages is a PDF of one page per text of pages, each shown as
// TextPDF shows it.
func TextPDFPages(pages []string) []byte {
	n := len(pages)
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs := []string{
		"<</Type/Catalog/Pages 2 0 R>>",
		fmt.Sprintf("<</Type/Pages/Kids[%s]/Count %d>>", strings.Join(kids, " "), n),
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
	}
	for i, text := range pages {
		content := "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET"
		objs = append(objs,
			fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 3 0 R>>>>/Contents %d 0 R>>", 5+2*i),
			fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content))
	}
	return pdf(objs...)
}
