package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRunnerLimits(t *testing.T) {
	t.Parallel()
	r := newRunner(200*time.Millisecond, 1<<30)
	start := time.Now()
	_, err := r.run(t.Context(), 100, "sh", "-c", "sleep 10")
	var te *toolError
	if !errors.As(err, &te) || te.Timeout == 0 || time.Since(start) > 5*time.Second {
		t.Errorf("a tool that hangs: %v after %v, want a timeout after 200ms", err, time.Since(start))
	}
	out, err := r.run(t.Context(), 1000, "yes")
	if !errors.As(err, &te) || len(out) != 0 {
		t.Errorf("a tool that writes without end: %v, want an error", err)
	}
	if _, err := r.run(t.Context(), 100, "sh", "-c", "echo oops >&2; exit 3"); !errors.As(err, &te) || te.Stderr != "oops\n" {
		t.Errorf("a tool that fails: %v, want its error and what it said", err)
	}
	if _, err := r.run(t.Context(), 100, "no-such-tool-anywhere"); !errors.Is(err, errMissingTool) {
		t.Errorf("a missing tool: %v, want errMissingTool", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.run(ctx, 100, "sh", "-c", "true"); !errors.Is(err, context.Canceled) {
		t.Errorf("an ended context: %v, want context.Canceled", err)
	}
}

// TestRunnerMemory: with prlimit(1), a tool that would allocate more than
// its limit fails (pdftoppm says "Out of memory" and writes no image).
func TestRunnerMemory(t *testing.T) {
	needTools(t, "prlimit", "pdftoppm")
	path := filepath.Join(t.TempDir(), "page.pdf")
	if err := os.WriteFile(path, scannedPDF(t, pdfPage{jpegOf(t, scannedForm(50, 1), 75), 50}), 0o600); err != nil {
		t.Fatal(err)
	}
	// A4 at 1500 dpi is 217 MB of gray pixels.
	src := &pdfSource{path: path, dpi: 1500, run: newRunner(time.Minute, 128<<20)}
	if img, err := src.page(t.Context(), 1, false); err == nil {
		t.Errorf("pdftoppm rendered %v within 128 MB of address space", img.Rect)
	}
	src.dpi = 50
	if _, err := src.page(t.Context(), 1, false); err != nil {
		t.Errorf("at 50 dpi: %v", err)
	}
}

func TestParsePGM(t *testing.T) {
	img, err := parsePGM([]byte("P5\n# pdftoppm\n3 2\n15\n\x00\x0f\x05\x0f\x0f\x00"))
	if err != nil {
		t.Fatal(err)
	}
	if img.Rect.Dx() != 3 || img.Rect.Dy() != 2 || img.Pix[1] != 255 || img.Pix[2] != 85 {
		t.Errorf("got %v %v", img.Rect, img.Pix)
	}
	for _, bad := range []string{"", "P6\n1 1\n255\n\x00\x00\x00", "P5\n2 2\n255\n\x00", "P5\n0 1\n255\n", "P5\n99999999999999999 1\n255\n", "P5 1 1 256 \x00\x00"} {
		if _, err := parsePGM([]byte(bad)); err == nil {
			t.Errorf("parsePGM(%q): no error", bad)
		}
	}
}
