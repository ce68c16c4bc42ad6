package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAvailable runs Available on a PATH of fake tools.
func TestAvailable(t *testing.T) {
	fake := func(t *testing.T, tools map[string]string) {
		dir := t.TempDir()
		for name, script := range tools {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv("PATH", dir)
	}
	langs := func(l ...string) string {
		return "echo 'List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (3):'; echo " + strings.Join(l, "; echo ")
	}
	for _, c := range []struct {
		name  string
		tools map[string]string
		ocr   bool
		off   []string
	}{
		{"nothing", nil, false, []string{
			"the PDF text fallback is off: pdftotext not found (Debian: apt-get install poppler-utils)",
			"OCR of PDF pages is off: pdftoppm not found (Debian: apt-get install poppler-utils)",
			"OCR is off: tesseract not found (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)",
		}},
		{"no chi_sim", map[string]string{"pdftotext": "", "pdftoppm": "", "tesseract": langs("eng", "osd")}, false, []string{
			"OCR is off: tesseract has no chi_sim language data (Debian: apt-get install tesseract-ocr-chi-sim)",
		}},
		{"everything", map[string]string{"pdftotext": "", "pdftoppm": "", "tesseract": langs("chi_sim", "eng", "osd")}, true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake(t, c.tools)
			tools := Available()
			if tools.OCR() != c.ocr || strings.Join(tools.Off, "\n") != strings.Join(c.off, "\n") {
				t.Errorf("OCR %v, off %q; want %v, %q", tools.OCR(), tools.Off, c.ocr, c.off)
			}
			if tools.Detail() != strings.Join(c.off, "; ") {
				t.Errorf("Detail() = %q", tools.Detail())
			}
		})
	}
}
