package extract

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var speedRounds = flag.Int("speed", 0, "measure extraction speed beside the bare tools over this many rounds (see doc.go, Speed)")

// A speedCase is one file, extracted by Extract and by the bare tool.
type speedCase struct {
	name      string
	mediaType string
	path      string
	pages     int
	method    Method
	bare      []string // a shell command; $1 is the file, $2 a scratch path
	ours, raw []time.Duration
}

// TestSpeed measures pages per second of Extract and of the bare tools
// on the same files, alternating between them in every round so that
// both meet the same load on a shared machine, and logs the medians:
//
//	go test ./index/extract/ -run TestSpeed -v -speed 10
func TestSpeed(t *testing.T) {
	if *speedRounds == 0 {
		t.Skip("run with -speed N to measure")
	}
	x := extractor(t, Limits{})
	dir := t.TempDir()
	long := longPDF(t, dir, 50)
	png := filepath.Join("testdata", "paragraph.png")
	scan := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(scan, scannedPDF(t, decodePNG(t, readTestdata(t, "paragraph.png"))), 0o600); err != nil {
		t.Fatal(err)
	}
	tess := "OMP_THREAD_LIMIT=1 tesseract"
	cases := []*speedCase{
		{name: "text layer, 2 pages", mediaType: "application/pdf", path: filepath.Join("testdata", "bilingual.pdf"), pages: 2, method: TextLayer,
			bare: []string{`pdftotext -enc UTF-8 "$1" /dev/null`}},
		{name: "text layer, 100 pages", mediaType: "application/pdf", path: long, pages: 100, method: TextLayer,
			bare: []string{`pdftotext -enc UTF-8 "$1" /dev/null`}},
		{name: "OCR, PNG", mediaType: "image/png", path: png, pages: 1, method: OCR,
			bare: []string{tess + ` "$1" stdout -l chi_sim+eng`}},
		{name: "OCR, PNG (tesseract's own threads)", mediaType: "image/png", path: png, pages: 1, method: OCR,
			bare: []string{`tesseract "$1" stdout -l chi_sim+eng`}},
		{name: "OCR, scanned PDF", mediaType: "application/pdf", path: scan, pages: 1, method: OCR,
			bare: []string{`pdftoppm -r 300 -png -singlefile "$1" "$2"`, tess + ` "$2.png" stdout -l chi_sim+eng --dpi 300`}},
	}
	for range *speedRounds {
		for _, c := range cases {
			c.ours = append(c.ours, timeExtract(t, x, c))
			c.raw = append(c.raw, timeShell(t, c.bare, c.path, filepath.Join(dir, "page")))
		}
	}
	var report strings.Builder
	fmt.Fprintf(&report, "median of %d rounds, pages/s (seconds a file)\n", *speedRounds)
	fmt.Fprintf(&report, "%-36s %22s %22s\n", "file", "Extract", "bare tool")
	for _, c := range cases {
		fmt.Fprintf(&report, "%-36s %22s %22s\n", c.name, rate(c.pages, c.ours), rate(c.pages, c.raw))
	}
	t.Log("\n" + report.String())
}

func rate(pages int, d []time.Duration) string {
	m := slices.Clone(d)
	slices.Sort(m)
	med := m[len(m)/2]
	return fmt.Sprintf("%.2f (%.3f s)", float64(pages)/med.Seconds(), med.Seconds())
}

func timeExtract(t *testing.T, x *Extractor, c *speedCase) time.Duration {
	t.Helper()
	content, err := os.ReadFile(c.path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := x.Extract(t.Context(), c.mediaType, bytes.NewReader(content), nil)
	d := time.Since(start)
	if err != nil || res.State != Done || res.Method != c.method || len(res.Pages) != c.pages {
		t.Fatalf("%s: %s by %s, %d pages (%q), %v; want %s by %s, %d pages", c.name, res.State, res.Method, len(res.Pages), res.Reason, err, Done, c.method, c.pages)
	}
	return d
}

func timeShell(t *testing.T, script []string, file, scratch string) time.Duration {
	t.Helper()
	start := time.Now()
	for _, s := range script {
		if out, err := exec.Command("sh", "-c", s, "sh", file, scratch).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", s, err, out)
		}
	}
	return time.Since(start)
}

// longPDF prints testdata/bilingual.html n times over, each on 2 pages,
// with Chromium: a text-layer PDF of 2n pages.
func longPDF(t *testing.T, dir string, n int) string {
	t.Helper()
	chromium := chromiumPath(t)
	html := string(readTestdata(t, "bilingual.html"))
	head, rest, _ := strings.Cut(html, "<body>")
	body, tail, _ := strings.Cut(rest, "</body>")
	page := `<div class="page">` + strings.TrimSpace(body) + `</div>`
	src := filepath.Join(dir, "long.html")
	if err := os.WriteFile(src, []byte(head+"<body>"+strings.Repeat(page, n)+"</body>"+tail), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "long.pdf")
	printPDF(t, chromium, src, out)
	return out
}
