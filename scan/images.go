package scan

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg" // the page formats that scanners write
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	_ "golang.org/x/image/tiff"

	"github.com/visitarchive/visitarchive"
)

// imageExts are the names of the page images that ImageFiles takes.
var imageExts = []string{".png", ".jpg", ".jpeg", ".tif", ".tiff"}

// ImageFiles returns the page images of a folder, a scanner's output:
// the files whose names end in .png, .jpg, .jpeg, .tif or .tiff (in any
// case), not hidden, in the natural order of their names (page2 before
// page10). Other files and sub-folders are passed over. A folder without
// a page image is Invalid.
func ImageFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.Type().IsRegular() && !strings.HasPrefix(name, ".") && slices.Contains(imageExts, ext) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "%s holds no page images (PNG, JPEG or TIFF)", dir)
	}
	slices.SortFunc(names, naturalCompare)
	for i, name := range names {
		names[i] = filepath.Join(dir, name)
	}
	return names, nil
}

// SplitImages splits a scanned batch given as page images, one file per
// page in order (ImageFiles lists a folder so), at its cover sheets (see
// Part); each part lists its images. It reads the files and writes
// nothing: the Batch holds no files of its own.
//
// Errors: more files than opt.MaxPages is TooLarge; a TIFF of several
// pages is Unsupported (it would hide pages); when ctx ends, its error;
// an error of opt.Exists, wrapped. A file that is no image, or larger
// than opt.MaxPixels, is a page that could not be read (see Part).
func SplitImages(ctx context.Context, paths []string, opt Options) (*Batch, error) {
	opt = opt.withDefaults()
	switch {
	case len(paths) == 0:
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "the scan has no pages")
	case len(paths) > opt.MaxPages:
		return nil, visitarchive.E(op, visitarchive.TooLarge, nil, "the scan has %s pages; at most %d are split at once", fmt.Sprint(len(paths)), opt.MaxPages)
	}
	for _, p := range paths {
		if err := checkOnePage(p); err != nil {
			return nil, err
		}
	}
	src := &imageSource{paths: paths, maxPixels: opt.MaxPixels, maxBytes: opt.MaxBytes}
	results, err := scanPages(ctx, src, len(paths), -1, opt)
	if err != nil {
		return nil, err
	}
	parts, err := assemble(ctx, results, opt.Exists)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		for _, n := range p.Pages {
			parts[i].Images = append(parts[i].Images, paths[n-1])
		}
	}
	return &Batch{Pages: len(paths), Parts: parts}, nil
}

// imageSource gives the pages of a list of image files.
type imageSource struct {
	paths     []string
	maxPixels int
	maxBytes  int64
}

// page decodes image n. There is no finer image than the file.
func (s *imageSource) page(ctx context.Context, n int, fine bool) (*image.Gray, error) {
	if fine {
		return nil, nil
	}
	data, err := readLimited(s.paths[n-1], s.maxBytes)
	if err != nil {
		return nil, err
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("scan: %s: %w", s.paths[n-1], err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > s.maxPixels/max(cfg.Height, 1) {
		return nil, fmt.Errorf("scan: %s: %d×%d pixels is more than %d", s.paths[n-1], cfg.Width, cfg.Height, s.maxPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("scan: %s: %w", s.paths[n-1], err)
	}
	return toGray(img), nil
}

func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(data)) > max {
		err = fmt.Errorf("larger than %d bytes", max)
	}
	if err != nil {
		return nil, fmt.Errorf("scan: %s: %w", path, err)
	}
	return data, nil
}

// checkOnePage refuses a TIFF file of several pages: the decoder reads
// only the first, and the others would be lost without a word. Other
// files pass; whether they are images at all is found when they are read.
func checkOnePage(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	defer f.Close()
	if tiffPages(f) > 1 {
		return visitarchive.E(op, visitarchive.Unsupported, nil, "%s holds more than one page; give one image file per page", filepath.Base(path))
	}
	return nil
}

// tiffPages returns 2 if r is a TIFF file whose first directory links to
// another (a second page), 1 if it is a TIFF of one page, 0 otherwise.
func tiffPages(r io.ReaderAt) int {
	var head [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return 0
	}
	var bo binary.ByteOrder
	switch string(head[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := int64(bo.Uint32(head[4:]))
	var count [2]byte
	if _, err := r.ReadAt(count[:], ifd); err != nil {
		return 0
	}
	var next [4]byte
	if _, err := r.ReadAt(next[:], ifd+2+12*int64(bo.Uint16(count[:]))); err != nil {
		return 1
	}
	if bo.Uint32(next[:]) != 0 {
		return 2
	}
	return 1
}

// naturalCompare orders names as people do: runs of digits by their
// value, so page2 comes before page10 (and page02 beside page2).
func naturalCompare(a, b string) int {
	if c := compareRuns(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func compareRuns(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
