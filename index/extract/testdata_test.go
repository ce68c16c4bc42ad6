package extract

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "make testdata/bilingual.pdf and testdata/paragraph.png again with Chromium")

// TestMakeTestdata is how the files in testdata were made, from the HTML
// files beside them, with Debian's chromium and fonts-noto-cjk:
//
//	go test ./index/extract/ -run TestMakeTestdata -update
//
// bilingual.pdf is Chromium's print of bilingual.html (two pages, CJK in
// Type 3 fonts with ToUnicode maps); paragraph.png its screenshot of
// paragraph.html at twice the pixels, 1800×600.
func TestMakeTestdata(t *testing.T) {
	if !*update {
		t.Skip("run with -update to make the files again")
	}
	chromium := chromiumPath(t)
	printPDF(t, chromium, filepath.Join("testdata", "bilingual.html"), filepath.Join("testdata", "bilingual.pdf"))
	runChromium(t, chromium, "--hide-scrollbars", "--force-device-scale-factor=2", "--window-size=900,300",
		"--screenshot="+abs(t, filepath.Join("testdata", "paragraph.png")), abs(t, filepath.Join("testdata", "paragraph.html")))
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found")
		}
		t.Skip("chromium not found")
	}
	return p
}

func printPDF(t *testing.T, chromium, html, pdf string) {
	t.Helper()
	runChromium(t, chromium, "--no-pdf-header-footer", "--print-to-pdf="+abs(t, pdf), abs(t, html))
}

func runChromium(t *testing.T, chromium string, args ...string) {
	t.Helper()
	cmd := exec.Command(chromium, append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + t.TempDir()}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
