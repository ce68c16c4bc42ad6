package scan

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/visitarchive/visitarchive"
)

// SplitPDF splits a scanned batch, one PDF of cover sheets and form
// pages, at its cover sheets (see Part). It copies the PDF into a
// private folder (0700, under opt.TempDir), renders each page to a gray
// image in memory with pdftoppm and looks for a cover sheet's QR code,
// then cuts each part into a PDF of its own with pdfseparate and
// pdfunite, in that folder. The caller reads the parts' PDFs and then
// calls Batch.Close, which removes the folder; on an error nothing is
// left behind.
//
// Errors: a file that poppler cannot read, or with more than three
// pages that cannot be rendered, is Invalid (one to three such pages
// each start a part for the inbox, see Part); one over opt.MaxBytes or
// opt.MaxPages is TooLarge; poppler-utils not installed is Unavailable;
// when ctx ends, its error; an error of opt.Exists, wrapped.
func SplitPDF(ctx context.Context, pdf io.Reader, opt Options) (_ *Batch, err error) {
	opt = opt.withDefaults()
	for _, tool := range []string{"pdfinfo", "pdftoppm", "pdfseparate", "pdfunite"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, toolFailure(fmt.Errorf("%s: %w", tool, errMissingTool))
		}
	}
	dir, err := os.MkdirTemp(opt.TempDir, "visitarchive-scan-")
	if err != nil {
		return nil, fmt.Errorf("scan: private folder: %w", err)
	}
	b := &Batch{dir: dir}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	s := &pdfSource{path: filepath.Join(dir, pdfCopy), dpi: opt.DPI,
		run: newRunner(opt.ToolTimeout, max(opt.ToolMemory, 0))}
	if err := copyLimited(s.path, pdf, opt.MaxBytes); err != nil {
		return nil, err
	}
	if b.Pages, err = s.pageCount(ctx, opt.MaxPages); err != nil {
		return nil, err
	}
	results, err := scanPages(ctx, s, b.Pages, 3, opt)
	if err != nil {
		return nil, toolFailure(err)
	}
	if b.Parts, err = assemble(ctx, results, opt.Exists); err != nil {
		return nil, err
	}
	for i := range b.Parts {
		if err := s.cut(ctx, dir, i+1, &b.Parts[i]); err != nil {
			return nil, toolFailure(err)
		}
	}
	return b, nil
}

// pdfCopy is the name of SplitPDF's copy of the batch in its private
// folder.
const pdfCopy = "scan.pdf"

// copyLimited writes r to a new file at path, at most max bytes.
func copyLimited(path string, r io.Reader, max int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return fmt.Errorf("scan: copy the scan: %w", err)
	case n > max:
		return visitarchive.E(op, visitarchive.TooLarge, nil, "the scan is larger than %d MB", max>>20)
	}
	return nil
}

// pdfSource gives the pages of a PDF, rendered by pdftoppm.
type pdfSource struct {
	path string
	dpi  int
	run  *runner
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)\s*$`)

// pageCount asks pdfinfo for the number of pages, which must be from 1
// to max.
func (s *pdfSource) pageCount(ctx context.Context, max int) (int, error) {
	out, err := s.run.run(ctx, 1<<16, "pdfinfo", s.path)
	if err != nil {
		return 0, toolFailure(err)
	}
	m := pagesLine.FindSubmatch(out)
	if m == nil {
		return 0, visitarchive.E(op, visitarchive.Invalid, errors.New("pdfinfo: no page count"), "the scan is not a PDF that can be read")
	}
	n, err := strconv.Atoi(string(m[1]))
	switch {
	case err != nil || n > max:
		return 0, visitarchive.E(op, visitarchive.TooLarge, err, "the scan has %s pages; at most %d are split at once", string(m[1]), max)
	case n == 0:
		return 0, visitarchive.E(op, visitarchive.Invalid, nil, "the scan has no pages")
	}
	return n, nil
}

// page renders page n into a square of 11.7 inches at the resolution
// (twice that if fine), which an A4 or Letter page fills at that
// resolution and no page exceeds.
func (s *pdfSource) page(ctx context.Context, n int, fine bool) (*image.Gray, error) {
	side := int(math.Round(11.7 * float64(s.dpi)))
	if fine {
		side *= 2
	}
	p := strconv.Itoa(n)
	out, err := s.run.run(ctx, side*side+64, "pdftoppm", "-gray", "-scale-to", strconv.Itoa(side), "-f", p, "-l", p, s.path)
	if err != nil {
		return nil, err
	}
	img, err := parsePGM(out)
	if err != nil {
		return nil, &toolError{Tool: "pdftoppm", Err: err}
	}
	// Out of memory, pdftoppm writes an image of one pixel and exits 0.
	if got := max(img.Rect.Dx(), img.Rect.Dy()); got < side*9/10 {
		return nil, &toolError{Tool: "pdftoppm", Err: fmt.Errorf("rendered %d×%d pixels, not %d", img.Rect.Dx(), img.Rect.Dy(), side)}
	}
	return img, nil
}

// cut writes the pages of part k to their own PDF in dir.
func (s *pdfSource) cut(ctx context.Context, dir string, k int, part *Part) error {
	if len(part.Pages) == 0 {
		return nil
	}
	first, last := part.Pages[0], part.Pages[len(part.Pages)-1]
	if last-first+1 != len(part.Pages) {
		return fmt.Errorf("scan: part %d: pages %v are not in a row", k, part.Pages)
	}
	pattern := filepath.Join(dir, fmt.Sprintf("part%d-page%%d.pdf", k))
	if _, err := s.run.run(ctx, 1<<16, "pdfseparate", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), s.path, pattern); err != nil {
		return err
	}
	pages := make([]string, len(part.Pages))
	for i, n := range part.Pages {
		pages[i] = fmt.Sprintf(pattern, n)
	}
	out := filepath.Join(dir, fmt.Sprintf("part%d.pdf", k))
	if len(pages) == 1 {
		if err := os.Rename(pages[0], out); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	} else {
		if _, err := s.run.run(ctx, 1<<16, "pdfunite", append(pages, out)...); err != nil {
			return err
		}
		for _, p := range pages {
			os.Remove(p)
		}
	}
	part.PDF = out
	return nil
}

// toolFailure turns the failure of a tool into the error of the split.
func toolFailure(err error) error {
	var te *toolError
	var ve *visitarchive.Error
	switch {
	case errors.As(err, &ve):
		return err
	case errors.Is(err, errMissingTool):
		return visitarchive.E(op, visitarchive.Unavailable, err, "poppler-utils (pdfinfo, pdftoppm, pdfseparate, pdfunite) is not installed")
	case errors.As(err, &te) && te.Timeout > 0:
		return visitarchive.E(op, visitarchive.Invalid, err, "reading the scan took longer than %v", te.Timeout)
	case errors.As(err, &te):
		return visitarchive.E(op, visitarchive.Invalid, err, "the scan is not a PDF that can be read")
	}
	return err
}
