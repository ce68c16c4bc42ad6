package extract

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// ocrLanguages are the Tesseract languages OCR reads with.
const ocrLanguages = "chi_sim+eng"

// Tools are the external programs extraction uses, each the path of the
// program, or "" when it is missing (and then Off says why).
type Tools struct {
	PDFToText string // poppler's pdftotext: the fallback for a text layer that is garbage
	PDFToPPM  string // poppler's pdftoppm: renders PDF pages for OCR
	Tesseract string // tesseract with the chi_sim and eng languages
	Off       []string
}

// OCR reports whether images can be read.
func (t Tools) OCR() bool { return t.Tesseract != "" }

// PDFOCR reports whether the pages of a PDF can be read by OCR.
func (t Tools) PDFOCR() bool { return t.Tesseract != "" && t.PDFToPPM != "" }

// Detail says, in one line for /readyz, what is off and why; "" when
// everything is there.
func (t Tools) Detail() string { return strings.Join(t.Off, "; ") }

// Available looks the tools up on PATH and asks tesseract for its
// languages. The messages in Off are for an operator, such as "OCR is off:
// tesseract not found (Debian: apt-get install tesseract-ocr
// tesseract-ocr-chi-sim)".
func Available() Tools {
	var t Tools
	if p, err := exec.LookPath("pdftotext"); err == nil {
		t.PDFToText = p
	} else {
		t.Off = append(t.Off, "the PDF text fallback is off: pdftotext not found (Debian: apt-get install poppler-utils)")
	}
	if p, err := exec.LookPath("pdftoppm"); err == nil {
		t.PDFToPPM = p
	} else {
		t.Off = append(t.Off, "OCR of PDF pages is off: pdftoppm not found (Debian: apt-get install poppler-utils)")
	}
	p, err := exec.LookPath("tesseract")
	if err != nil {
		t.Off = append(t.Off, "OCR is off: tesseract not found (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
		return t
	}
	langs, err := tesseractLanguages(p)
	if err != nil {
		t.Off = append(t.Off, "OCR is off: tesseract --list-langs failed: "+err.Error())
		return t
	}
	for _, l := range strings.Split(ocrLanguages, "+") {
		if !slices.Contains(langs, l) {
			t.Off = append(t.Off, "OCR is off: tesseract has no "+l+" language data (Debian: apt-get install tesseract-ocr-"+strings.ReplaceAll(l, "_", "-")+")")
			return t
		}
	}
	t.Tesseract = p
	return t
}

// tesseractLanguages lists the languages tesseract has data for.
func tesseractLanguages(path string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--list-langs").CombinedOutput()
	if err != nil {
		return nil, err
	}
	var langs []string
	for _, line := range strings.Split(string(out), "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.Contains(l, " ") {
			langs = append(langs, l)
		}
	}
	return langs, nil
}
