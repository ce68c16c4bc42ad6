package server

import (
	"context"
	"mime/multipart"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// The scan inbox (visitarchive.ScanUpload, Archive.FileScan and the
// rest): scans that belong to no record yet. An upload is streamed and
// checked exactly as one of attachments is (attachments.go, with the same
// limits): each file's type is detected from its first bytes; a PDF is
// split at its cover sheets and its parts filed to their records or put
// into the inbox, an image put into the inbox; whatever fails while the
// body comes in, nothing is kept. Archivists add, list, read, file and
// discard scans; auditors read them.

// Bodies and answers of the scan inbox.
type (
	// scanFiling is the body of POST /scans/:id/file.
	scanFiling struct {
		Record visitarchive.RecordID `json:"record"`
	}
	// scanDiscard is the body of POST /scans/:id/discard.
	scanDiscard struct {
		Reason string `json:"reason"`
	}
	// scanOut is a scan as the API shows it: with the reason it is in
	// the inbox said in the language of the request.
	scanOut struct {
		visitarchive.Scan
		Reason string `json:"reason,omitempty"`
	}
	// scanPage is a page of scans (GET /scans).
	scanPage struct {
		Total int       `json:"total"`
		Page  int       `json:"page"`
		Size  int       `json:"size"`
		Scans []scanOut `json:"scans"`
	}
	// scanReport says what became of the files of an upload (POST
	// /scans).
	scanReport struct {
		Batches []scanBatchOut `json:"batches"`
	}
	scanBatchOut struct {
		visitarchive.ScanBatchReport
		Parts []scanPartOut `json:"parts"`
	}
	scanPartOut struct {
		visitarchive.ScanPartReport
		Reason string `json:"reason,omitempty"`
	}
)

// say returns m in l; "" for no message.
func say(l i18n.Lang, m visitarchive.Message) string {
	if m.Format == "" {
		return ""
	}
	return i18n.Say(l, m)
}

func scanOf(l i18n.Lang, s *visitarchive.Scan) scanOut {
	return scanOut{Scan: *s, Reason: say(l, s.Reason)}
}

func reportOf(l i18n.Lang, rep *visitarchive.ScanReport) scanReport {
	out := scanReport{Batches: []scanBatchOut{}}
	for _, b := range rep.Batches {
		bo := scanBatchOut{ScanBatchReport: b, Parts: []scanPartOut{}}
		for _, p := range b.Parts {
			bo.Parts = append(bo.Parts, scanPartOut{ScanPartReport: p, Reason: say(l, p.Reason)})
		}
		out.Batches = append(out.Batches, bo)
	}
	return out
}

// uploadScans takes the files of a multipart body into the scan inbox,
// splitting PDFs at their cover sheets, and answers what became of each.
// It checks, in order: the caller (403), the query, the content type
// (415), the declared length (413 at once), then each file as it streams:
// its size and the request's (413), its type (415), that it is not empty
// and that the body is whole (400), and a PDF that can be read (422).
// Whatever fails while the body comes in, nothing is kept.
func (s *Server) uploadScans(c *fiber.Ctx) error {
	const op = visitarchive.ActionScanAdd
	check := func() error {
		if err := s.archive.MayAddScans(c.UserContext()); err != nil {
			return err
		}
		_, err := queryParams(c, op)
		return err
	}
	rep, err := s.scanUpload(c, check, nil)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(reportOf(requestLang(c), rep))
}

// scanUpload reads the multipart body of c into the scan inbox, for the
// API and the pages alike, after check (who may add scans): form, when
// set, takes the fields before the first file (a page's CSRF token)
// before anything is written, and may refuse them. Whatever fails,
// nothing is kept and the connection is closed after the answer.
func (s *Server) scanUpload(c *fiber.Ctx, check func() error,
	form func(map[string]string) error) (*visitarchive.ScanReport, error) {
	return streamUpload(s, c, visitarchive.ActionScanAdd, check, func(ctx context.Context, mr *multipart.Reader) (*visitarchive.ScanReport, error) {
		return s.receiveScans(ctx, mr, form)
	})
}

// receiveScans takes the files of mr into one ScanUpload and commits it,
// or aborts it on the first error. With form, the fields before the
// first file go to form before the ScanUpload begins.
func (s *Server) receiveScans(ctx context.Context, mr *multipart.Reader,
	form func(map[string]string) error) (*visitarchive.ScanReport, error) {
	const op = visitarchive.ActionScanAdd
	first, ended, err := leadingFields(op, mr, form)
	if err != nil {
		return nil, err
	}
	up, err := s.archive.NewScanUpload(ctx)
	if err != nil {
		return nil, err
	}
	if err := eachFile(op, mr, first, ended, func(part *multipart.Part) error {
		name, detected, r, err := s.filePart(op, part)
		if err != nil {
			return err
		}
		return up.Add(ctx, name, detected, r)
	}); err != nil {
		up.Abort(ctx)
		return nil, err
	}
	return up.Commit(ctx)
}

// listScans answers GET /scans: the inbox, or the scans in another state,
// a page at a time.
func (s *Server) listScans(c *fiber.Ctx) error {
	const op = "scan.list"
	p, err := queryParams(c, op, "state", "page", "size")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	f := visitarchive.ScanFilter{State: visitarchive.ScanState(p["state"]), Page: p.pageInt("page", &fe), Size: p.pageInt("size", &fe)}
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	page, err := s.archive.ListScans(c.UserContext(), f)
	if err != nil {
		return err
	}
	l := requestLang(c)
	out := scanPage{Total: page.Total, Page: page.Page, Size: page.Size, Scans: []scanOut{}}
	for i := range page.Scans {
		out.Scans = append(out.Scans, scanOf(l, &page.Scans[i]))
	}
	return c.JSON(out)
}

// scanID is the scan the path names; NotFound for what cannot be one.
func scanID(c *fiber.Ctx, op string) (visitarchive.ScanID, error) {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return "", notFound(op, "no such %s", visitarchive.Word(visitarchive.KindScan))
	}
	return visitarchive.ScanID(id), nil
}

// getScan answers GET /scans/:id.
func (s *Server) getScan(c *fiber.Ctx) error {
	const op = "scan.get"
	id, err := scanID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	sc, err := s.archive.GetScan(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(scanOf(requestLang(c), sc))
}

// getScanContent streams a scan's original bytes, or the one range of
// them that a Range header asks for, as a download of an attachment.
func (s *Server) getScanContent(c *fiber.Ctx) error {
	const op = "scan.get"
	id, err := scanID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	return s.serveScan(c, op, id, false)
}

// serveScan streams scan id, for the API and the pages alike, as
// serveAttachment does an attachment: inline shows an image or a PDF in
// the page that asks for it.
func (s *Server) serveScan(c *fiber.Ctx, op string, id visitarchive.ScanID, inline bool) error {
	f, err := s.archive.OpenScan(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.sendFile(c, op, storedFile{f.Name, f.MediaType, f.SHA256, f.Size, inline}, f.Open)
}

// fileScan answers POST /scans/:id/file with the scan, filed.
func (s *Server) fileScan(c *fiber.Ctx) error {
	const op = visitarchive.ActionScanFile
	id, err := s.scanWrite(c, op)
	if err != nil {
		return err
	}
	b, _, err := decodeBody[scanFiling](c, op)
	if err != nil {
		return err
	}
	if b.Record == "" {
		return invalid(op, "body", visitarchive.FieldErrorf("record", "is required"))
	}
	sc, err := s.archive.FileScan(c.UserContext(), id, b.Record)
	if err != nil {
		return err
	}
	return c.JSON(scanOf(requestLang(c), sc))
}

// discardScan answers POST /scans/:id/discard with the scan, discarded.
func (s *Server) discardScan(c *fiber.Ctx) error {
	const op = visitarchive.ActionScanDiscard
	id, err := s.scanWrite(c, op)
	if err != nil {
		return err
	}
	b, _, err := decodeBody[scanDiscard](c, op)
	if err != nil {
		return err
	}
	sc, err := s.archive.DiscardScan(c.UserContext(), id, b.Reason)
	if err != nil {
		return err
	}
	return c.JSON(scanOf(requestLang(c), sc))
}

// scanWrite checks a change of the scan the path names before the
// request is read any further: the scan, that the caller may change it,
// and no query parameters.
func (s *Server) scanWrite(c *fiber.Ctx, op string) (visitarchive.ScanID, error) {
	id, err := scanID(c, op)
	if err != nil {
		return "", err
	}
	if err := s.archive.MayChangeScan(c.UserContext(), id); err != nil {
		return "", err
	}
	_, err = queryParams(c, op)
	return id, err
}
