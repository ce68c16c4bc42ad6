package scan

import (
	"context"
	"fmt"
	"image"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/visitarchive/visitarchive"
)

// Options are the limits and hooks of SplitPDF and SplitImages. The zero
// value works: every limit has a default.
type Options struct {
	// Exists reports whether a record exists. It is called once for
	// each record that a cover sheet names; an error ends the split.
	// Nil: every record is taken to exist, and the caller checks each
	// part's Record itself (and sets its Reason for one that does not).
	Exists func(ctx context.Context, id visitarchive.RecordID) (bool, error)
	// Progress, when set, is called after each page is read, with the
	// pages read so far and the pages of the batch. It is called from
	// one goroutine at a time, with done rising.
	Progress func(done, total int)

	MaxPages int // pages in a batch; more is TooLarge. Default 1000.
	// MaxBytes bounds the size of a PDF (more is TooLarge) and of one
	// page image (more is a page that could not be read). Default 1 GiB.
	MaxBytes int64
	// MaxPixels bounds one page image of SplitImages; a larger one
	// is a page that could not be read. Default 40 million (A4 at 600
	// dpi is 35 million): decoding takes up to 4 bytes a pixel.
	MaxPixels int
	// DPI is the resolution at which SplitPDF renders a page to look
	// for a QR code: an A4 page fits into a square of 11.7 × DPI pixels
	// (larger pages are scaled down into it, so no page renders
	// larger). A page with a code that cannot be read is rendered again
	// at twice that. Default 150.
	DPI int
	// ToolTimeout bounds each run of a poppler tool: one page's
	// rendering, the page count, the cutting of one part. Default 60 s.
	ToolTimeout time.Duration
	// ToolMemory bounds the address space of each run of a tool, where
	// prlimit(1) is installed. Default 2 GiB; negative: no limit.
	ToolMemory int64
	// Workers is how many pages are read at once. Default 2.
	Workers int
	// TempDir is where SplitPDF makes its private folder (mode 0700,
	// removed by Batch.Close). Default os.TempDir(). Never a folder of
	// the archive's data: the files there are scanned forms in clear.
	TempDir string
}

func (o Options) withDefaults() Options {
	o.MaxPages = orDefault(o.MaxPages, 1000)
	o.MaxBytes = orDefault(o.MaxBytes, 1<<30)
	o.MaxPixels = orDefault(o.MaxPixels, 40_000_000)
	o.DPI = orDefault(o.DPI, 150)
	o.ToolTimeout = orDefault(o.ToolTimeout, time.Minute)
	o.ToolMemory = orDefault(o.ToolMemory, 2<<30)
	o.Workers = orDefault(o.Workers, 2)
	return o
}

// orDefault returns v, or def when v is zero.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Batch is a scanned batch split into parts. Close it when done with the
// parts' files.
type Batch struct {
	Pages int    // the pages of the batch
	Parts []Part // in page order; every page is in one part or is a cover sheet
	dir   string // the private folder of SplitPDF's files
}

// Close removes the private folder that holds the parts' PDFs. It may
// be called more than once, and on a nil Batch.
func (b *Batch) Close() error {
	if b == nil || b.dir == "" {
		return nil
	}
	dir := b.dir
	b.dir = ""
	return os.RemoveAll(dir)
}

// Part is a run of pages of a batch: the pages after a cover sheet up to
// the next one, or pages that belong to no record.
type Part struct {
	// Record is the record that the part's cover sheet names; "" for
	// the pages before the first cover sheet and for a part that starts
	// at a page that could not be read.
	Record visitarchive.RecordID
	// Cover is the page number (from 1) of the cover sheet; 0 if none.
	Cover int
	// Pages are the part's page numbers, from 1, in order. The cover
	// sheet is not one of them: the part is the form pages only. A part
	// may have no pages (a cover sheet followed by another one, or last
	// in the batch): it has nothing to file and its Reason says so.
	Pages []int
	// Reason says why the part goes to the scan inbox rather than to
	// Record: "pages before the first cover sheet", "cover sheet names
	// record X, which does not exist", or a page that could not be
	// read. It is empty (Format "") for a part to file to Record.
	Reason visitarchive.Message
	// PDF (SplitPDF) is the path of the part's own PDF, in the batch's
	// private folder until Close; "" for a part without pages.
	PDF string
	// Images (SplitImages) are the part's page images: the caller's own
	// files, in order.
	Images []string
}

// Inbox reports whether the part goes to the scan inbox (with its
// Reason) rather than being filed to its Record.
func (p Part) Inbox() bool { return p.Reason.Format != "" }

// pageResult is what reading one page found.
type pageResult struct {
	scan   pageScan
	failed error // the page could not be read at all
}

// pageSource gives the pages of a batch as gray images. fine asks for
// a sharper image (SplitPDF renders at twice the resolution).
type pageSource interface {
	page(ctx context.Context, n int, fine bool) (*image.Gray, error)
}

// scanPages reads the pages 1…total of src with opt.Workers at once. A
// page that fails is noted in its result, unless ctx ended; more than
// maxFailed such pages end the scan (a PDF whose every page times out
// must not hold a worker for hours).
func scanPages(ctx context.Context, src pageSource, total, maxFailed int, opt Options) ([]pageResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]pageResult, total+1)
	next := make(chan int)
	var mu sync.Mutex
	done, failed := 0, []int(nil)
	var wg sync.WaitGroup
	for range min(opt.Workers, total) {
		wg.Go(func() {
			for n := range next {
				r := readPage(ctx, src, n)
				if ctx.Err() != nil {
					continue
				}
				mu.Lock()
				results[n] = r
				done++
				if r.failed != nil {
					failed = append(failed, n)
					if maxFailed >= 0 && len(failed) > maxFailed {
						cancel(tooManyFailed(failed, r.failed))
					}
				}
				if opt.Progress != nil && ctx.Err() == nil {
					opt.Progress(done, total)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for n := 1; n <= total; n++ {
		select {
		case next <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}

func readPage(ctx context.Context, src pageSource, n int) (r pageResult) {
	defer func() {
		// The image decoders and the QR reader parse what a scanner, or
		// whoever uploaded the batch, wrote: a page that panics one of
		// them is a page that could not be read, not a crash.
		if p := recover(); p != nil {
			r = pageResult{failed: fmt.Errorf("scan: page %d: panic: %v", n, p)}
		}
	}()
	img, err := src.page(ctx, n, false)
	if err != nil {
		return pageResult{failed: err}
	}
	s := scanGray(img)
	if s.Unreadable {
		if fine, err := src.page(ctx, n, true); err == nil && fine != nil {
			if s2 := scanGray(fine); s2.Record != "" {
				s = s2
			}
		}
	}
	return pageResult{scan: s}
}

func tooManyFailed(pages []int, last error) error {
	slices.Sort(pages)
	s := make([]string, len(pages))
	for i, n := range pages {
		s[i] = fmt.Sprint(n)
	}
	return visitarchive.E(op, visitarchive.Invalid, last, "pages %s of the scan could not be read", strings.Join(s, ", "))
}

// op is the operation that errors of splitting name.
const op = "scan.split"

// assemble cuts the pages into parts at every cover sheet, as Part
// documents, asking exists (if set) about each record once.
func assemble(ctx context.Context, results []pageResult, exists func(context.Context, visitarchive.RecordID) (bool, error)) ([]Part, error) {
	known := map[visitarchive.RecordID]bool{}
	var parts []Part
	for n := 1; n < len(results); n++ {
		r := results[n]
		switch {
		case r.scan.Record != "":
			p := Part{Record: r.scan.Record, Cover: n}
			ok, seen := known[p.Record]
			if !seen {
				ok = true
				if exists != nil {
					var err error
					if ok, err = exists(ctx, p.Record); err != nil {
						return nil, fmt.Errorf("scan: does record %s exist: %w", p.Record, err)
					}
				}
				known[p.Record] = ok
			}
			if !ok {
				p.Reason = visitarchive.Msgf("cover sheet names record %s, which does not exist", p.Record)
			}
			parts = append(parts, p)
			continue
		case r.failed != nil:
			parts = append(parts, Part{Reason: visitarchive.Msgf("page %d could not be read; it and the pages after it up to the next cover sheet were not filed", n)})
		case r.scan.Unreadable:
			parts = append(parts, Part{Reason: visitarchive.Msgf("page %d has a QR code that could not be read; it and the pages after it up to the next cover sheet were not filed", n)})
		case len(parts) == 0:
			parts = append(parts, Part{Reason: visitarchive.Msgf("pages before the first cover sheet")})
		}
		last := &parts[len(parts)-1]
		last.Pages = append(last.Pages, n)
	}
	for i, p := range parts {
		if len(p.Pages) == 0 && !p.Inbox() {
			parts[i].Reason = visitarchive.Msgf("the cover sheet of record %s has no pages after it", p.Record)
		}
	}
	return parts, nil
}
