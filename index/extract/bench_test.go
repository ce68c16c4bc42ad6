package extract

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// The speed of extraction beside the bare tools on the same files, in
// pages per second (see doc.go, Speed):
//
//	go test -run '^$' -bench . -benchtime 20x ./index/extract/

// benchPDF writes testdata/bilingual.pdf (2 pages) joined n times with
// pdfunite, a text-layer PDF of 2n pages.
func benchPDF(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	args := make([]string, 0, n+1)
	for range n {
		args = append(args, filepath.Join("testdata", "bilingual.pdf"))
	}
	out := filepath.Join(dir, "bench.pdf")
	if msg, err := exec.Command("pdfunite", append(args, out)...).CombinedOutput(); err != nil {
		b.Skipf("pdfunite: %v %s", err, msg)
	}
	return out
}

func benchExtractor(b *testing.B) *Extractor {
	b.Helper()
	exe, err := childBinary()
	if err != nil {
		b.Fatal(err)
	}
	tools := Available()
	if !tools.PDFOCR() || tools.PDFToText == "" {
		b.Skip("extraction tools missing: " + tools.Detail())
	}
	return &Extractor{Exe: exe, Tools: &tools, TempDir: b.TempDir()}
}

func extractFile(b *testing.B, x *Extractor, mediaType, path string, want Method, pages int) {
	b.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := x.Extract(b.Context(), mediaType, bytes.NewReader(content), nil)
		if err != nil || res.State != Done || res.Method != want || len(res.Pages) != pages {
			b.Fatalf("%+v, %v; want %s by %s, %d pages", res.State, err, Done, want, pages)
		}
	}
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
}

func runTool(b *testing.B, pages int, env []string, argv ...string) {
	b.Helper()
	for b.Loop() {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", argv[0], err, out)
		}
	}
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
}

func BenchmarkTextLayer(b *testing.B) {
	for _, n := range []int{1, 50} {
		b.Run(strconv.Itoa(2*n)+"pages", func(b *testing.B) {
			path := benchPDF(b, n)
			b.Run("extract", func(b *testing.B) {
				extractFile(b, benchExtractor(b), "application/pdf", path, TextLayer, 2*n)
			})
			b.Run("pdftotext", func(b *testing.B) {
				runTool(b, 2*n, nil, "pdftotext", "-enc", "UTF-8", path, os.DevNull)
			})
		})
	}
}

func BenchmarkOCR(b *testing.B) {
	png := filepath.Join("testdata", "paragraph.png")
	b.Run("png/extract", func(b *testing.B) {
		extractFile(b, benchExtractor(b), "image/png", png, OCR, 1)
	})
	b.Run("png/tesseract", func(b *testing.B) {
		runTool(b, 1, nil, "tesseract", png, "stdout", "-l", ocrLanguages)
	})
	b.Run("png/tesseract-1-thread", func(b *testing.B) {
		runTool(b, 1, tesseractEnv, "tesseract", png, "stdout", "-l", ocrLanguages)
	})
	// A scanned page: the bare tools are pdftoppm and then tesseract on
	// its image, as Extract runs them.
	scan := filepath.Join(b.TempDir(), "scan.pdf")
	content, err := os.ReadFile(png)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(scan, scannedPDF(b, decodePNG(b, content)), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Run("scanned-pdf/extract", func(b *testing.B) {
		extractFile(b, benchExtractor(b), "application/pdf", scan, OCR, 1)
	})
	b.Run("scanned-pdf/pdftoppm+tesseract", func(b *testing.B) {
		img := filepath.Join(b.TempDir(), "page")
		runTool(b, 1, nil, "sh", "-c", `pdftoppm -r 300 -png -singlefile "$1" "$2" && tesseract "$2.png" stdout -l `+ocrLanguages+` --dpi 300`, "sh", scan, img)
	})
}
