package scan

import (
	"errors"
	"fmt"
	"image"
	"image/draw"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/visitarchive/visitarchive"
)

// maxDecodeSide is the longest side of the image the QR reader first
// looks at: an A4 page at about 220 dpi. A larger image is scaled down
// first (an 80 mm code keeps modules of six pixels or more), which
// saves time and smooths scanner noise; the full size is tried only
// when the smaller one shows a code it cannot read.
const maxDecodeSide = 2600

// pageScan is what the QR reader found on one page.
type pageScan struct {
	// Record is the record that the page's cover sheet names; "" when
	// the page is no cover sheet.
	Record visitarchive.RecordID
	// Unreadable is set when the reader found something like a QR code
	// (its finder patterns) but could not read it: a damaged or badly
	// scanned cover sheet, or a damaged code of another kind.
	Unreadable bool
}

// scanGray looks for a cover sheet's QR code on a page. It tries the
// page as it is (scaled down to maxDecodeSide), then with a global
// threshold instead of a local one (faint or uneven scans), then at half
// that size (noise, halftone patterns, fine scans), and last, if a code
// showed but could not be read, at the full size of a large page.
func scanGray(page *image.Gray) pageScan {
	img := page
	if side := max(page.Rect.Dx(), page.Rect.Dy()); side > maxDecodeSide {
		img = shrink(page, (side+maxDecodeSide-1)/maxDecodeSide)
	}
	var found pageScan
	for i := range 4 {
		var r pageScan
		switch i {
		case 0:
			r = readQR(img, false)
		case 1:
			r = readQR(img, true)
		case 2:
			r = readQR(shrink(img, 2), false)
		case 3:
			if img == page || !found.Unreadable {
				return found
			}
			r = readQR(page, false)
		}
		if r.Record != "" {
			return r
		}
		found.Unreadable = found.Unreadable || r.Unreadable
	}
	return found
}

// readQR runs the QR reader once. A code whose text is no cover sheet's
// (another QR code on a form) is passed over, and the page searched for
// more codes, in case a cover sheet's is there too.
func readQR(img *image.Gray, global bool) (found pageScan) {
	defer func() {
		// gozxing is a port of ZXing; a crafted image must not take the
		// server down. A page that panics the reader is unreadable.
		if recover() != nil {
			found = pageScan{Unreadable: true}
		}
	}()
	bmp, err := binaryBitmap(img, global)
	if err != nil {
		return pageScan{}
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		var nf gozxing.NotFoundException
		return pageScan{Unreadable: !errors.As(err, &nf)}
	}
	if id, ok := ParseQR(res.GetText()); ok {
		return pageScan{Record: id}
	}
	all, _ := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	for _, r := range all {
		if id, ok := ParseQR(r.GetText()); ok {
			return pageScan{Record: id}
		}
	}
	return pageScan{}
}

func binaryBitmap(img *image.Gray, global bool) (*gozxing.BinaryBitmap, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	src, err := gozxing.NewPlanarYUVLuminanceSource(img.Pix, img.Stride, h, 0, 0, w, h, false)
	if err != nil {
		return nil, fmt.Errorf("scan: luminance: %w", err)
	}
	if global {
		return gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(src))
	}
	return gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
}

// toGray returns img in shades of gray, with its origin at (0, 0). A
// JPEG's luma plane is used as it is; other images are converted.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		if b.Min == (image.Point{}) {
			return m
		}
	case *image.YCbCr:
		if b.Min == (image.Point{}) {
			return &image.Gray{Pix: m.Y, Stride: m.YStride, Rect: b}
		}
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch m := img.(type) {
	case *image.RGBA: // a colour PNG or TIFF; scans are opaque
		rgbaToGray(g, m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y))
	case *image.NRGBA:
		rgbaToGray(g, m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y))
	default:
		draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	}
	return g
}

// rgbaToGray fills g with the luma (ITU-R BT.601) of 8-bit RGBA pixels
// starting at pix[at], ignoring alpha.
func rgbaToGray(g *image.Gray, pix []uint8, stride, at int) {
	w := g.Rect.Dx()
	for y := range g.Rect.Dy() {
		src := pix[at+y*stride : at+y*stride+4*w]
		dst := g.Pix[y*g.Stride : y*g.Stride+w]
		for x := range dst {
			r, gr, b := int(src[4*x]), int(src[4*x+1]), int(src[4*x+2])
			dst[x] = uint8((299*r + 587*gr + 114*b + 500) / 1000)
		}
	}
}

// shrink scales img down by an integer factor, each pixel the mean of
// the block it replaces.
func shrink(img *image.Gray, factor int) *image.Gray {
	if factor < 2 {
		return img
	}
	w, h := img.Rect.Dx()/factor, img.Rect.Dy()/factor
	out := image.NewGray(image.Rect(0, 0, w, h))
	n := factor * factor
	for y := range h {
		for x := range w {
			sum := 0
			for dy := range factor {
				row := img.Pix[(y*factor+dy)*img.Stride+x*factor:]
				for dx := range factor {
					sum += int(row[dx])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out
}
