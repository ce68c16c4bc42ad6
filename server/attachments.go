package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gabriel-vasile/mimetype"
	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The attachments of a record. An upload is multipart/form-data with one
// or several files in fields named "file", read as it arrives: each
// file's type is detected from its first bytes (never from its name or
// the part's Content-Type), then the file streams on into the Archive,
// which encrypts it into the store; all the files of a request are
// journaled together, or none is kept. A download streams the original,
// whole or one byte range of it.

// detectBytes is how much of a file the detection of its type reads: more
// than mimetype's default, so that an office file whose telling parts come
// later is still known for what it is.
const detectBytes = 64 << 10

var detectLimit sync.Once

// attachmentList is the answer of GET and POST …/attachments.
type attachmentList struct {
	Record      visitarchive.RecordID     `json:"record"`
	Attachments []visitarchive.Attachment `json:"attachments"`
}

// attachmentsOf answers the list of attachments of a record.
func attachmentsOf(c *fiber.Ctx, status int, rid string, atts []visitarchive.Attachment) error {
	if atts == nil {
		atts = []visitarchive.Attachment{}
	}
	return c.Status(status).JSON(attachmentList{Record: visitarchive.RecordID(rid), Attachments: atts})
}

func (s *Server) listAttachments(c *fiber.Ctx) error {
	const op = "attachment.list"
	id, err := s.records.pathID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	atts, err := s.archive.Attachments(c.UserContext(), visitarchive.RecordID(id))
	if err != nil {
		return err
	}
	return attachmentsOf(c, http.StatusOK, id, atts)
}

// uploadAttachments takes the files of a multipart body. It checks, in
// order: the caller (404, 403, 409), the query, then the body (upload).
func (s *Server) uploadAttachments(c *fiber.Ctx) error {
	const op = "attachment.add"
	id, idErr := s.records.pathID(c, op)
	check := func() error {
		if idErr != nil {
			return idErr
		}
		if err := s.records.authorize(c, id, "attach"); err != nil {
			return err
		}
		_, err := queryParams(c, op)
		return err
	}
	atts, err := s.upload(c, op, visitarchive.RecordID(id), check, nil)
	if err != nil {
		return err
	}
	return attachmentsOf(c, http.StatusCreated, id, atts)
}

// upload takes the files of the multipart body of c into record rid, for
// the API and for the pages' upload form alike. It checks, in order:
// check (the caller and the query: 404, 403, 409, 400), the content type
// (415), the declared length (413 at once), then each file as it
// streams: its size and the request's (413), its type (415), that it is
// not empty and that the body is whole (400). Whatever fails, no file is
// kept, and the connection is closed after the answer.
//
// form, when it is not nil, takes the form's fields that come before the
// first file (a page's form sends its CSRF token first), before anything
// is written; without it a field is 400.
func (s *Server) upload(c *fiber.Ctx, op string, rid visitarchive.RecordID, check func() error,
	form func(fields map[string]string) error) ([]visitarchive.Attachment, error) {
	atts, err := streamUpload(s, c, op, check, func(ctx context.Context, mr *multipart.Reader) ([]*visitarchive.Attachment, error) {
		return s.receive(ctx, rid, mr, form)
	})
	if err != nil {
		return nil, err
	}
	out := make([]visitarchive.Attachment, len(atts))
	for i, a := range atts {
		out[i] = *a
	}
	return out, nil
}

// streamUpload reads the multipart body of c with receive, after check
// (who may upload): the request's size is held to the limit from its
// Content-Length and as it streams, the transfer may outlast the
// request's deadline (never the caller), and a refused upload drains
// some of the body and closes the connection (refuseUpload).
func streamUpload[T any](s *Server, c *fiber.Ctx, op string, check func() error,
	receive func(context.Context, *multipart.Reader) (T, error)) (T, error) {
	var zero T
	err := check()
	var boundary string
	if err == nil {
		boundary, err = multipartBoundary(c.Get(fiber.HeaderContentType), op)
	}
	if err == nil && (oversize(c) || int64(c.Request().Header.ContentLength()) > s.limits.MaxRequest) {
		err = s.requestTooLarge(op)
	}
	raw := requestBody(c)
	if err != nil {
		return zero, refuseUpload(c, raw, err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), s.limits.TransferTimeout)
	defer cancel()
	body := &limitedReader{r: raw, max: s.limits.MaxRequest, tooLarge: func() error { return s.requestTooLarge(op) }}
	got, err := receive(ctx, multipart.NewReader(body, boundary))
	if err != nil {
		return zero, refuseUpload(c, raw, err)
	}
	// What follows the closing boundary (an epilogue, which the multipart
	// reader leaves) must not be taken for the next request.
	if n, _ := io.CopyN(io.Discard, raw, epilogueBytes); n == epilogueBytes {
		c.Context().SetConnectionClose()
	}
	return got, nil
}

// What a refused upload reads of the rest of its body before the answer:
// a client that is still sending reads the answer, rather than a reset
// of the connection, when the rest is no more than this.
const (
	drainBytes = 8 << 20
	drainTime  = 2 * time.Second
	// epilogueBytes is what an upload taken may have after its closing
	// boundary for its connection to stay open.
	epilogueBytes = 64 << 10
)

// refuseUpload answers err to an upload whose body raw may not have been
// read to its end: it reads and drops some of what is left, then answers
// and closes the connection. A body refused for its Content-Length was
// never read, and is not.
func refuseUpload(c *fiber.Ctx, raw io.Reader, err error) error {
	if !oversize(c) {
		if conn := c.Context().Conn(); conn != nil {
			conn.SetReadDeadline(time.Now().Add(drainTime))
		}
		io.CopyN(io.Discard, raw, drainBytes)
	}
	return closeAfter(c, err)
}

func (s *Server) requestTooLarge(op string) error {
	return visitarchive.E(op, visitarchive.TooLarge, nil, "the upload is larger than the limit of %s a request", sizeText(s.limits.MaxRequest))
}

// multipartBoundary returns the boundary of a multipart/form-data body,
// Unsupported for another content type.
func multipartBoundary(contentType, op string) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != fiber.MIMEMultipartForm {
		return "", visitarchive.E(op, visitarchive.Unsupported, err,
			"files are uploaded as multipart/form-data, in fields named file")
	}
	if params["boundary"] == "" {
		return "", badRequest(op, "the multipart/form-data content type names no boundary")
	}
	return params["boundary"], nil
}

// receive streams the files of mr into one Upload to record rid and
// commits it, or aborts it on the first error. With form, the fields
// before the first file go to form before the Upload begins.
func (s *Server) receive(ctx context.Context, rid visitarchive.RecordID, mr *multipart.Reader,
	form func(map[string]string) error) ([]*visitarchive.Attachment, error) {
	const op = "attachment.add"
	first, ended, err := leadingFields(op, mr, form)
	if err != nil {
		return nil, err
	}
	up, err := s.archive.NewUpload(ctx, rid)
	if err != nil {
		return nil, err
	}
	if err := eachFile(op, mr, first, ended, func(part *multipart.Part) error {
		return s.receiveFile(ctx, op, up, part)
	}); err != nil {
		up.Abort(ctx)
		return nil, err
	}
	return up.Commit(ctx)
}

// leadingFields gives the fields before the first file of mr to form,
// when form is set, and returns that first file (nil and ended when the
// body holds none).
func leadingFields(op string, mr *multipart.Reader, form func(map[string]string) error) (first *multipart.Part, ended bool, err error) {
	if form == nil {
		return nil, false, nil
	}
	fields, part, err := formFields(op, mr)
	if err == nil {
		err = form(fields)
	}
	return part, part == nil, err
}

// eachFile calls add with first (when set) and every later part of mr,
// in order, until the body ends or add or the body fails.
func eachFile(op string, mr *multipart.Reader, first *multipart.Part, ended bool, add func(*multipart.Part) error) error {
	for !ended {
		part, err := first, error(nil)
		if first == nil {
			part, err = mr.NextPart()
		}
		first = nil
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return bodyError(op, err)
		}
		if err := add(part); err != nil {
			return err
		}
	}
	return nil
}

// Bounds of the fields of a page's upload form: a few short values (its
// CSRF token).
const (
	maxFormFields = 8
	maxFormValue  = 1 << 10
)

// formFields reads the parts of mr up to the first that holds a file, as
// fields (name → value, each cut at maxFormValue bytes), and returns that
// part, or nil at the end of the body.
func formFields(op string, mr *multipart.Reader) (map[string]string, *multipart.Part, error) {
	fields := map[string]string{}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		switch {
		case err == io.EOF:
			return fields, nil, nil
		case err != nil:
			return nil, nil, bodyError(op, err)
		case part.FileName() != "" || part.FormName() == "file":
			return fields, part, nil
		case n == maxFormFields:
			return nil, nil, badRequest(op, "unexpected field %q: send each file in a field named file", part.FormName())
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFormValue))
		if err != nil {
			return nil, nil, bodyError(op, err)
		}
		fields[part.FormName()] = string(v)
	}
}

// bodyError is what a failure to read the multipart body says: the
// limit it passed, or that it is malformed or cut short.
func bodyError(op string, err error) error {
	var e *visitarchive.Error
	if errors.As(err, &e) {
		return e
	}
	return visitarchive.E(op, visitarchive.BadRequest, err, "the multipart body is malformed or ends too early")
}

// receiveFile detects the type of the file of part from its first bytes
// and streams it into up.
func (s *Server) receiveFile(ctx context.Context, op string, up *visitarchive.Upload, part *multipart.Part) error {
	name, detected, r, err := s.filePart(op, part)
	if err != nil {
		return err
	}
	_, err = up.Add(ctx, name, detected, r)
	return err
}

// filePart checks part, a file of an upload, against the limit of a
// file, detects its type from its first bytes, and returns its name, its
// type and a reader of the whole file, held to the limit.
// The part is not closed, which would read the rest of it: NextPart skips
// what is left of a part taken whole, and a part refused ends the upload.
func (s *Server) filePart(op string, part *multipart.Part) (name, detected string, r io.Reader, err error) {
	if part.FormName() != "file" {
		return "", "", nil, badRequest(op, "unexpected field %q: send each file in a field named file", part.FormName())
	}
	name = part.FileName()
	if name == "" {
		return "", "", nil, badRequest(op, "a part named file has no filename: send files, not form values")
	}
	file := &limitedReader{r: part, max: s.limits.MaxFile, tooLarge: func() error {
		return visitarchive.E(op, visitarchive.TooLarge, nil, "%q is larger than the limit of %s a file", name, sizeText(s.limits.MaxFile))
	}}
	head := make([]byte, detectBytes)
	n, err := io.ReadFull(file, head)
	switch {
	case err == io.EOF:
		return "", "", nil, badRequest(op, "file %q is empty", name)
	case err != nil && err != io.ErrUnexpectedEOF:
		return "", "", nil, bodyError(op, err)
	}
	detectLimit.Do(func() { mimetype.SetLimit(detectBytes) })
	detected = mimetype.Detect(head[:n]).String()
	return name, detected, io.MultiReader(bytes.NewReader(head[:n]), file), nil
}

// getAttachment streams an attachment's original bytes, or the one range
// of them that a Range header asks for.
func (s *Server) getAttachment(c *fiber.Ctx) error {
	const op = "attachment.get"
	id, err := s.records.pathID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	return s.serveAttachment(c, op, visitarchive.RecordID(id), c.Params("aid"), false)
}

// inlineTypes are the media types that a browser shows in a page itself
// (an <img>, a PDF in a frame) when asked to (serveAttachment's inline):
// any other is always a download.
var inlineTypes = []string{visitarchive.MediaPDF, visitarchive.MediaJPEG, visitarchive.MediaPNG}

// serveAttachment streams attachment aid of record rid, for the API and
// the pages alike: whole, or the one range of it that a Range header
// asks for. inline shows an image or a PDF in the page that asks for it
// (Content-Disposition inline, and a frame of this server's pages may
// hold it); anything else, and everything without inline, is a download
// that never runs as a page.
func (s *Server) serveAttachment(c *fiber.Ctx, op string, rid visitarchive.RecordID, aid string, inline bool) error {
	f, err := s.archive.OpenAttachment(c.UserContext(), rid, aid)
	if err != nil {
		return err
	}
	return s.sendFile(c, op, storedFile{f.Name, f.MediaType, f.SHA256, f.Size, inline}, f.Open)
}

// storedFile is what a download of a stored file (an attachment, a scan)
// says of it.
type storedFile struct {
	name, mediaType, sha256 string
	size                    int64
	// inline shows an image or a PDF in the page that asks for it
	// (inlineTypes); anything else is a download.
	inline bool
}

// sendFile streams the original bytes of f, or the one range of them
// that a Range header asks for, which open opens (and logs).
func (s *Server) sendFile(c *fiber.Ctx, op string, f storedFile, open func(ctx context.Context, offset, length int64) (io.ReadCloser, error)) error {
	tag := `"` + f.sha256 + `"`
	c.Set(fiber.HeaderContentType, f.mediaType)
	c.Set(fiber.HeaderContentDisposition, contentDisposition(f.name))
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	c.Set(fiber.HeaderETag, tag)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// Never run as a page, whatever a browser makes of it.
	c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'")
	if f.inline && slices.Contains(inlineTypes, f.mediaType) {
		c.Set(fiber.HeaderContentDisposition, "inline"+strings.TrimPrefix(contentDisposition(f.name), "attachment"))
		if f.mediaType == visitarchive.MediaPDF {
			// A browser's PDF viewer is a plugin, which a sandbox
			// forbids: no sandbox, nothing to load, and only this
			// server's pages may frame it.
			c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; frame-ancestors 'self'")
			c.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
		}
	}
	offset, length, partial := int64(0), f.size, false
	if rg := c.Get(fiber.HeaderRange); rg != "" && ifRange(c.Get(fiber.HeaderIfRange), tag) {
		var ok bool
		offset, length, partial, ok = parseRange(rg, f.size)
		if !ok {
			c.Set(fiber.HeaderContentRange, "bytes */"+strconv.FormatInt(f.size, 10))
			return visitarchive.E(op, visitarchive.Unsatisfiable, nil, "the range asked for lies outside the %d bytes of the file", f.size)
		}
	}
	if partial {
		c.Status(http.StatusPartialContent)
		c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", offset, offset+length-1, f.size))
	}
	if c.Method() == fiber.MethodHead {
		c.Response().Header.SetContentLength(int(length))
		return nil
	}
	// The stream is read after the handler returns: its context is its
	// own, ended when fasthttp closes it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), s.limits.TransferTimeout)
	rc, err := open(ctx, offset, length)
	if err != nil {
		cancel()
		return err
	}
	c.Context().SetBodyStream(cancelOnClose{rc, cancel}, int(length))
	return nil
}

// cancelOnClose ends the context of a stream when fasthttp closes it.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}

// ifRange reports whether a Range header applies: there is no If-Range,
// or it names the attachment's ETag (a date never does: the ETag is its
// content's hash, and validators by date are weak).
func ifRange(header, tag string) bool { return header == "" || header == tag }

// parseRange reads one byte range of a Range header ("bytes=a-b",
// "bytes=a-", "bytes=-n") of a file of size bytes. A header it does not
// take (another unit, several ranges, a malformed one) is ignored, as RFC
// 9110 allows: the whole file, partial false. A range that starts at or
// past the end is not satisfiable: ok false.
func parseRange(header string, size int64) (offset, length int64, partial, ok bool) {
	whole := func() (int64, int64, bool, bool) { return 0, size, false, true }
	spec, found := strings.CutPrefix(header, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return whole()
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return whole()
	}
	if strings.Trim(first+last, "0123456789") != "" {
		return whole()
	}
	a, errA := strconv.ParseInt(first, 10, 64)
	b, errB := strconv.ParseInt(last, 10, 64)
	switch {
	case first == "" && errB == nil && b >= 0: // the last b bytes
		if b == 0 {
			return 0, 0, false, false
		}
		offset = max(0, size-b)
		return offset, size - offset, true, true
	case errA != nil || a < 0 || last != "" && (errB != nil || b < a):
		return whole()
	case a >= size:
		return 0, 0, false, false
	case last == "" || b >= size:
		b = size - 1
	}
	return a, b - a + 1, true, true
}

// contentDisposition is the Content-Disposition of a download of the file
// name: an ASCII name for old clients, and the name itself in UTF-8
// (RFC 6266, RFC 8187). The name has no control characters (the Archive
// refuses them), and neither form can hold a quote, a backslash or a
// line break: no header can be injected.
func contentDisposition(name string) string {
	return `attachment; filename="` + asciiName(name) + `"; filename*=UTF-8''` + percentEncode(name)
}

// asciiName is name with each run of characters that are not printable
// ASCII, or are quotes, backslashes or percent signs, as one "_"; a name
// left with nothing legible becomes "attachment" with the name's
// extension, if that is ASCII.
func asciiName(name string) string {
	var b strings.Builder
	replaced := false
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			if !replaced {
				b.WriteByte('_')
			}
			replaced = true
			continue
		}
		b.WriteRune(r)
		replaced = false
	}
	out := b.String()
	stem, ext := out, ""
	if dot := strings.LastIndexByte(out, '.'); dot > 0 {
		stem, ext = out[:dot], out[dot:]
	}
	if strings.Trim(stem, "_ .-") == "" {
		if strings.Contains(ext, "_") {
			ext = ""
		}
		return "attachment" + ext
	}
	return out
}

// percentEncode encodes s as the value of an RFC 8187 ext-value: every
// byte that is not an attr-char as %XX.
func percentEncode(s string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChars, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
