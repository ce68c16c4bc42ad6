package scan

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/gabriel-vasile/mimetype"

	"github.com/visitarchive/visitarchive"
)

// Splitter is the visitarchive.ScanSplitter of the Archive
// (visitarchive.Config.Splitter): SplitPDF and SplitImages under Options,
// with the Archive's Exists and Progress.
type Splitter struct {
	// Options are the limits; their Exists and Progress are replaced by
	// the Archive's.
	Options Options
}

var _ visitarchive.ScanSplitter = Splitter{}

// SplitPDF splits the PDF read from r (see SplitPDF). The parts' PDFs
// and the copy of the batch (SplitBatch.Whole) stay in the private folder
// until SplitBatch.Close.
func (s Splitter) SplitPDF(ctx context.Context, r io.Reader, opt visitarchive.SplitOptions) (*visitarchive.SplitBatch, error) {
	b, err := SplitPDF(ctx, r, s.options(opt))
	if err != nil {
		return nil, err
	}
	out := s.batch(b)
	whole := filepath.Join(b.dir, pdfCopy)
	out.Whole = &visitarchive.SplitFile{MediaType: visitarchive.MediaPDF, Open: opener(whole)}
	for i, p := range b.Parts {
		if p.PDF != "" {
			out.Parts[i].Files = []visitarchive.SplitFile{{MediaType: visitarchive.MediaPDF, Open: opener(p.PDF)}}
		}
	}
	return out, nil
}

// SplitImages splits the page images at paths (see SplitImages). Each
// part's files are the images themselves, named as they are, with the
// media type their content has.
func (s Splitter) SplitImages(ctx context.Context, paths []string, opt visitarchive.SplitOptions) (*visitarchive.SplitBatch, error) {
	b, err := SplitImages(ctx, paths, s.options(opt))
	if err != nil {
		return nil, err
	}
	out := s.batch(b)
	for i, p := range b.Parts {
		for _, img := range p.Images {
			mt, err := mimetype.DetectFile(img)
			if err != nil {
				return nil, err
			}
			out.Parts[i].Files = append(out.Parts[i].Files, visitarchive.SplitFile{Name: filepath.Base(img),
				MediaType: mt.String(), Open: opener(img)})
		}
	}
	return out, nil
}

func (s Splitter) options(opt visitarchive.SplitOptions) Options {
	o := s.Options
	o.Exists, o.Progress = opt.Exists, opt.Progress
	return o
}

// batch is b with its parts, without their files yet.
func (s Splitter) batch(b *Batch) *visitarchive.SplitBatch {
	out := &visitarchive.SplitBatch{Pages: b.Pages, Close: b.Close}
	for _, p := range b.Parts {
		out.Parts = append(out.Parts, visitarchive.SplitPart{Record: p.Record, Cover: p.Cover, Pages: p.Pages, Reason: p.Reason})
	}
	return out
}

func opener(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// CompareNames orders file names as ImageFiles does, as people do: runs
// of digits by their value (page2 before page10).
func CompareNames(a, b string) int { return naturalCompare(a, b) }
