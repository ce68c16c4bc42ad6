package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
	"github.com/visitarchive/visitarchive/scan"
)

// The cover sheet of a record (封面): one A4 page to print and put in
// front of the record's paper form before it is scanned, whose QR code
// files the scanned pages to the record (package scan). It is a page of
// its own, without the site's frame, in the user's language, and under
// the pages' Content-Security-Policy: scan.WriteCover loads its style
// sheet and its QR code from two URLs of this server, the static file
// cover.css (scan.CoverCSS) and /records/{id}/cover/qr.png (scan.QRPNG).
// Reading the record is logged, as for its page.

// coverCSSName is the static file of the cover sheet's style.
const coverCSSName = "cover.css"

// coverStylesheet is the static file of scan.CoverCSS.
func coverStylesheet() staticFile {
	b := []byte(scan.CoverCSS())
	sum := sha256.Sum256(b)
	return staticFile{body: b, ctype: "text/css; charset=utf-8", version: hex.EncodeToString(sum[:6])}
}

// cover answers the cover sheet of the record of the path, to whoever may
// read the record.
func (w *Web) cover(c *fiber.Ctx, r *Request) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	rec, err := w.archive.GetRecord(ctx, id)
	if err != nil {
		return err
	}
	sheet := scan.CoverSheet{RecordID: rec.ID, Customer: rec.CustomerName, RefCode: rec.ReferenceCode,
		DepartmentName: departmentName(w.departmentNames(ctx), rec.Department), VisitorName: joinNames(rec.Visitors)}
	if !rec.VisitStart.IsZero() {
		sheet.VisitDate = rec.VisitStart.In(w.archive.Location())
	}
	lang := "zh"
	if r.Lang == i18n.English {
		lang = "en"
	}
	opt := scan.CoverOptions{Lang: lang, QRURL: "/records/" + string(rec.ID) + "/cover/qr.png",
		StylesheetURL: w.static[coverCSSName].url(coverCSSName)}
	var buf bytes.Buffer
	if err := scan.WriteCover(&buf, sheet, opt); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// coverQR answers the PNG of the QR code of the cover sheet of the record
// of the path. It names the record's id, which the path holds already,
// and reads nothing: it tells no one whether the record exists.
func (w *Web) coverQR(c *fiber.Ctx, r *Request) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	png, err := scan.QRPNG(id, scan.DefaultQRSize)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	return c.Send(png)
}

// coverLink is the record page's link to the cover sheet of rec.
func coverLink(r *Request, rec *visitarchive.Record) NavLink {
	return NavLink{Label: r.T("Print the cover sheet"), Path: "/records/" + string(rec.ID) + "/cover"}
}
