package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// pageFiles is how the pages (server/web) take and give attachments, and scans: with
// the API's own code (attachments.go), so that an upload form is read as
// a stream under the same limits and a file is served with the same
// headers and the same entry in the access log. The upload forms' routes
// are streamed as the API's are (isStreamed).
type pageFiles struct{ s *Server }

func (p pageFiles) Upload(c *fiber.Ctx, rid visitarchive.RecordID, check func() error,
	form func(map[string]string) error) ([]visitarchive.Attachment, error) {
	return p.s.upload(c, "attachment.add", rid, check, form)
}

func (p pageFiles) Serve(c *fiber.Ctx, rid visitarchive.RecordID, aid string, inline bool) error {
	return p.s.serveAttachment(c, "attachment.get", rid, aid, inline)
}

func (p pageFiles) UploadScans(c *fiber.Ctx, check func() error,
	form func(map[string]string) error) (*visitarchive.ScanReport, error) {
	return p.s.scanUpload(c, check, form)
}

func (p pageFiles) ServeScan(c *fiber.Ctx, id visitarchive.ScanID, inline bool) error {
	return p.s.serveScan(c, "scan.get", id, inline)
}

func (p pageFiles) Limits() (file, request int64) { return p.s.limits.MaxFile, p.s.limits.MaxRequest }
