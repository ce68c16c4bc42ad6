package scan

import (
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/visitarchive/visitarchive"
)

// payloadPrefix starts the text of every cover sheet's QR code. The
// version ("v1") comes first so that a later layout can change all that
// follows it; a reader that meets another version treats the code as no
// cover sheet, never guesses.
const payloadPrefix = "visitarchive:v1:record:"

// DefaultQRSize is the width in pixels of the PNG that QRPNG makes when
// asked for no size: the page prints it 80 mm wide, so this is about
// 160 dpi, and browsers scale it up without blurring (image-rendering:
// pixelated in CoverCSS).
const DefaultQRSize = 512

// maxQRSize bounds QRPNG, which a URL parameter may ask for.
const maxQRSize = 2048

// Payload returns the text of the QR code of record id's cover sheet,
// such as "visitarchive:v1:record:R01JD3X9K2M4N6P8Q0S2T4V6W8".
func Payload(id visitarchive.RecordID) string { return payloadPrefix + string(id) }

// ParseQR returns the record that the text of a QR code names, and
// whether the text is a cover sheet's at all. It is strict: exactly
// Payload(id) for a valid id (visitarchive.ValidID), no white space, no
// other case, no other version. A QR code printed on a form (a company's
// web address, a payment code) is therefore never taken for a cover
// sheet.
func ParseQR(text string) (visitarchive.RecordID, bool) {
	id, ok := strings.CutPrefix(text, payloadPrefix)
	if !ok || !visitarchive.ValidID(id) {
		return "", false
	}
	return visitarchive.RecordID(id), true
}

// QRPNG returns the QR code of record id's cover sheet as a PNG, size
// pixels wide and high (DefaultQRSize if size is 0; at most 2048), black
// on white with the quiet zone of four modules around it. It uses the
// highest error correction (about 30% of the code may be lost to a
// stain, a fold or a staple), which makes the code version 6 (41
// modules) for a generated record id. An invalid id or size is Invalid.
func QRPNG(id visitarchive.RecordID, size int) ([]byte, error) {
	const op = "scan.qr"
	if !visitarchive.ValidID(string(id)) {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "%q is not a record id", string(id))
	}
	if size == 0 {
		size = DefaultQRSize
	}
	if size < 64 || size > maxQRSize {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "a QR code is from 64 to %d pixels wide", maxQRSize)
	}
	q, err := qrcode.New(Payload(id), qrcode.Highest)
	if err != nil {
		return nil, visitarchive.E(op, visitarchive.Internal, err, "the QR code could not be made")
	}
	return q.PNG(size)
}
