package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive/index/extract"
)

func TestExtractChildIsHidden(t *testing.T) {
	var out bytes.Buffer
	usage(&out)
	if strings.Contains(out.String(), extract.ChildCommand) {
		t.Errorf("the usage lists %s:\n%s", extract.ChildCommand, out.String())
	}
}

// TestExtractChild reads a PDF's text layer through `visitarchive
// extract-child`, as the server will: this test binary is the visitarchive
// binary when VISITARCHIVE_TEST_MAIN is set (see TestMain).
func TestExtractChild(t *testing.T) {
	t.Setenv("VISITARCHIVE_TEST_MAIN", "1")
	x := &extract.Extractor{Exe: os.Args[0], Args: []string{extract.ChildCommand}, Tools: &extract.Tools{}, TempDir: t.TempDir()}
	res, err := x.Extract(t.Context(), "application/pdf", bytes.NewReader(onePagePDF("Visit record LX-3021B")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != extract.Done || res.Method != extract.TextLayer || len(res.Pages) != 1 || res.Pages[0] != "Visit record LX-3021B" {
		t.Errorf("%+v, want the page's text from the text layer", res)
	}
}

// onePagePDF is a PDF of one page showing text in Helvetica.
func onePagePDF(text string) []byte {
	content := "BT /F1 18 Tf 72 720 Td (" + text + ") Tj ET"
	objs := []string{
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content),
	}
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
