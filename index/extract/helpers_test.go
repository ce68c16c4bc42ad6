package extract

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// childBinary builds internal/extractchild once per test run, without the
// race detector even when the tests run with it: the child is a separate
// program, and the race detector's shadow memory is no part of what the
// limits are measured on.
var childBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "extract-test-")
	if err != nil {
		return "", err
	}
	exe := filepath.Join(dir, "extractchild")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goTool, "build", "-o", exe, "./internal/extractchild").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build the child: %v\n%s", err, out)
	}
	return exe, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if exe, err := childBinary(); err == nil {
		os.RemoveAll(filepath.Dir(exe))
	}
	os.Exit(code)
}

// extractor returns an Extractor that starts the test child, with the
// tools required (see requireTools) and lim over DefaultLimits.
func extractor(t *testing.T, lim Limits) *Extractor {
	t.Helper()
	exe, err := childBinary()
	if err != nil {
		t.Fatal(err)
	}
	tools := requireTools(t)
	return &Extractor{Exe: exe, Limits: lim, Tools: &tools, TempDir: t.TempDir()}
}

// requireTools returns the tools, skipping the test when one is missing,
// or failing it when CI is set.
func requireTools(t *testing.T) Tools {
	t.Helper()
	tools := Available()
	if len(tools.Off) > 0 {
		msg := "extraction tools missing: " + tools.Detail()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return tools
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A stream is a PDF stream object for buildPDF.
type stream struct {
	dict string // the dictionary without its Length, e.g. "<</Filter/FlateDecode>>"
	data []byte
}

// buildPDF writes a PDF whose objects are objs, numbered from 1, with
// object 1 the catalogue. Each is a string (the object's text) or a
// stream. The cross-reference table is correct, so that a reader is
// misled only by what the objects say.
func buildPDF(objs ...any) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		switch o := o.(type) {
		case string:
			b.WriteString(o)
		case stream:
			dict := strings.TrimSuffix(strings.TrimPrefix(o.dict, "<<"), ">>")
			fmt.Fprintf(&b, "<<%s/Length %d>>\nstream\n", dict, len(o.data))
			b.Write(o.data)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// helveticaPDF is a one-page PDF showing lines in Helvetica.
func helveticaPDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 18 Tf 72 720 Td 24 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET")
	return buildPDF(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		stream{data: []byte(content.String())},
	)
}

// scannedPDF is a PDF of one page holding only the image img, in gray,
// at 200 dpi: what a scanner makes, without a text layer.
func scannedPDF(t testing.TB, img image.Image) []byte {
	t.Helper()
	b := img.Bounds()
	gray := image.NewGray(b)
	draw.Draw(gray, b, img, b.Min, draw.Src)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(gray.Pix)
	zw.Close()
	w, h := float64(b.Dx())*72/200, float64(b.Dy())*72/200
	return buildPDF(
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[0 0 %.2f %.2f]/Resources<</XObject<</Im1 4 0 R>>>>/Contents 5 0 R>>", w, h),
		stream{fmt.Sprintf("<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray/BitsPerComponent 8/Filter/FlateDecode>>", b.Dx(), b.Dy()), z.Bytes()},
		stream{data: fmt.Appendf(nil, "q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q", w, h)},
	)
}

func decodePNG(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
