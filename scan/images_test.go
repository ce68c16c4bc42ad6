package scan

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/visitarchive/visitarchive"
)

// TestSplitImages splits a folder of page images as a scanner leaves
// them: PNG, JPEG and TIFF, gray and colour, numbered without leading
// zeros, with a file of another kind beside them.
func TestSplitImages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const dpi = 150
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	colour := func(g *image.Gray) image.Image { // a colour scan of a gray page
		c := image.NewRGBA(g.Rect)
		for i, v := range g.Pix {
			c.Pix[4*i], c.Pix[4*i+1], c.Pix[4*i+2], c.Pix[4*i+3] = v, v, v/2+100, 0xff
		}
		return c
	}
	write("page1.jpg", jpegOf(t, scannedForm(dpi, 1), 80))
	write("page2.png", pngOf(t, scannedCover(t, rec1, dpi)))
	write("page3.tif", tiffOf(t, scannedForm(dpi, 3)))
	write("page4.JPEG", jpegOf(t, colour(scannedForm(dpi, 4)), 80))
	write("page5.jpg", jpegOf(t, colour(scannedCover(t, unknown, dpi)), 70))
	write("page6.png", []byte("not an image at all"))
	write("page7.tiff", tiffOf(t, scannedCover(t, rec2, dpi)))
	write("page8.jpg", jpegOf(t, scannedForm(dpi, 8), 80))
	write("page10.png", pngOf(t, scannedForm(dpi, 10)))
	write("notes.txt", []byte("scanned on Tuesday"))
	write(".page0.png", pngOf(t, scannedCover(t, rec2, dpi)))

	paths, err := ImageFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	want := []string{"page1.jpg", "page2.png", "page3.tif", "page4.JPEG", "page5.jpg", "page6.png", "page7.tiff", "page8.jpg", "page10.png"}
	if !slices.Equal(names, want) {
		t.Fatalf("ImageFiles: %v, want %v", names, want)
	}
	var ex existing
	b, err := SplitImages(t.Context(), paths, Options{Exists: ex.exists})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	type part struct {
		record visitarchive.RecordID
		images []string
		reason string
	}
	wants := []part{
		{"", []string{"page1.jpg"}, "pages before the first cover sheet"},
		{rec1, []string{"page3.tif", "page4.JPEG"}, ""},
		{unknown, nil, "cover sheet names record " + string(unknown) + ", which does not exist"},
		{"", []string{"page6.png"}, "page 6 could not be read; it and the pages after it up to the next cover sheet were not filed"},
		{rec2, []string{"page8.jpg", "page10.png"}, ""},
	}
	if b.Pages != 9 || len(b.Parts) != len(wants) {
		t.Fatalf("got %d pages, parts %+v; want 9 pages, %d parts", b.Pages, b.Parts, len(wants))
	}
	for i, w := range wants {
		p := b.Parts[i]
		var got []string
		for _, path := range p.Images {
			got = append(got, filepath.Base(path))
		}
		if p.Record != w.record || !slices.Equal(got, w.images) || p.Reason.String() != w.reason || p.PDF != "" {
			t.Errorf("part %d: got %s %v %q; want %s %v %q", i, p.Record, got, p.Reason, w.record, w.images, w.reason)
		}
	}
}

func TestSplitImagesRefused(t *testing.T) {
	dir := t.TempDir()
	if _, err := ImageFiles(dir); !visitarchive.IsKind(err, visitarchive.Invalid) {
		t.Errorf("an empty folder: %v, want Invalid", err)
	}
	// A TIFF of two pages: the second would be lost without a word.
	two := tiffOf(t, scannedForm(50, 1))
	ifd := binary.LittleEndian.Uint32(two[4:])
	next := int(ifd) + 2 + 12*int(binary.LittleEndian.Uint16(two[ifd:]))
	binary.LittleEndian.PutUint32(two[next:], ifd)
	path := filepath.Join(dir, "batch.tif")
	if err := os.WriteFile(path, two, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := SplitImages(t.Context(), []string{path}, Options{})
	if !visitarchive.IsKind(err, visitarchive.Unsupported) || visitarchive.ErrorMessage(err) != "batch.tif holds more than one page; give one image file per page" {
		t.Errorf("a TIFF of two pages: %v, want Unsupported", err)
	}
	if _, err := SplitImages(t.Context(), []string{path, path, path}, Options{MaxPages: 2}); !visitarchive.IsKind(err, visitarchive.TooLarge) {
		t.Errorf("over MaxPages: %v, want TooLarge", err)
	}
	big := filepath.Join(dir, "big.png")
	if err := os.WriteFile(big, pngOf(t, scannedCover(t, rec1, 150)), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := SplitImages(t.Context(), []string{big}, Options{MaxPixels: 1_000_000})
	if err != nil || len(b.Parts) != 1 || b.Parts[0].Reason.Format == "" || b.Parts[0].Record != "" {
		t.Errorf("an image over MaxPixels: %+v, %v; want a page that could not be read", b, err)
	}
}

func TestNaturalCompare(t *testing.T) {
	names := []string{"p10.png", "p9.png", "p1.png", "p01.png", "a.png", "p100.png", "p2b.png", "p2a.png", "scan-2-1.jpg", "scan-10-1.jpg"}
	slices.SortFunc(names, naturalCompare)
	want := []string{"a.png", "p01.png", "p1.png", "p2a.png", "p2b.png", "p9.png", "p10.png", "p100.png", "scan-2-1.jpg", "scan-10-1.jpg"}
	if !slices.Equal(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}
}

func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tiffOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tiff.Encode(&b, img, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
