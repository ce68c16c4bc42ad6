package server

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Request bodies. Fiber v2 streams request bodies for every route or for
// none (Config.StreamRequestBody), and when it streams it no longer holds
// bodies to BodyLimit (STACK.md). The server streams, so that an upload
// of a gigabyte never sits in memory, and readBody gives every other
// route what Fiber gave it before: the whole body in memory, at most
// BodyLimit bytes, else 413. The streamed routes (isStreamed) read the
// body themselves and enforce their own limits.
//
// A handler that answers before it has read the whole body leaves the
// rest on the connection, where fasthttp would read it as the next
// request: such an answer closes the connection (closeAfter).

// DefaultTransferTimeout is how long one upload or download of an
// attachment may take (0 in Config.Attachments.TransferTimeout).
const DefaultTransferTimeout = 30 * time.Minute

// Defaults of the attachment limits.
const (
	DefaultMaxFile    = 256 << 20 // bytes of one file
	DefaultMaxRequest = 1 << 30   // bytes of one upload request
)

// AttachmentLimits bound uploads and downloads of attachments.
type AttachmentLimits struct {
	MaxFile    int64 // bytes of one file (0: DefaultMaxFile)
	MaxRequest int64 // bytes of one upload request, multipart framing included (0: DefaultMaxRequest)
	// TransferTimeout bounds one upload or download, reading the request
	// or writing the answer included (0: DefaultTransferTimeout).
	TransferTimeout time.Duration
}

func (l *AttachmentLimits) defaults() {
	if l.MaxFile <= 0 {
		l.MaxFile = DefaultMaxFile
	}
	if l.MaxRequest <= 0 {
		l.MaxRequest = DefaultMaxRequest
	}
	if l.TransferTimeout <= 0 {
		l.TransferTimeout = DefaultTransferTimeout
	}
}

// attachmentsPath reports whether path is a record's attachments
// (/api/v1/records/{id}/attachments), or, with file, one attachment of
// it (…/attachments/{aid}); or the same of the pages (server/web): the
// upload form's /records/{id}/attachments, and /records/{id}/attachments/{aid}
// and its …/view. A final slash is allowed, as the router allows it.
func attachmentsPath(path string, file bool) bool {
	path = strings.TrimSuffix(path, "/")
	rest, ok := strings.CutPrefix(path, apiPrefix+"/records/")
	page := false
	if !ok {
		if rest, ok = strings.CutPrefix(path, "/records/"); !ok {
			return false
		}
		page = true
	}
	parts := strings.Split(rest, "/")
	if file && page && len(parts) == 4 && parts[3] == "view" {
		parts = parts[:3]
	}
	if file {
		return len(parts) == 3 && parts[1] == "attachments" && parts[0] != "" && parts[2] != ""
	}
	return len(parts) == 2 && parts[1] == "attachments" && parts[0] != ""
}

// isStreamed reports whether the route of a request reads its body as a
// stream: an upload of attachments (through the API or a page's form),
// or of scans (through the API or the inbox page's form).
func isStreamed(method, path string) bool {
	return method == fiber.MethodPost && (attachmentsPath(path, false) || scansPath(path, false))
}

// The scan inbox (scans.go): its uploads stream as those of attachments
// do, under the same limits, and so do the downloads of a scan.

// scansPath reports whether path is the scan inbox (/api/v1/scans, or
// the pages' upload form /scans), or, with content, the content of one
// scan (…/scans/{id}/content, and the pages' /scans/{id}/view). A final
// slash is allowed, as the router allows it.
func scansPath(path string, content bool) bool {
	path = strings.TrimSuffix(path, "/")
	rest, ok := strings.CutPrefix(path, apiPrefix+"/scans")
	page := false
	if !ok {
		if rest, ok = strings.CutPrefix(path, "/scans"); !ok {
			return false
		}
		page = true
	}
	if !content {
		return rest == ""
	}
	parts := strings.Split(rest, "/")
	return len(parts) == 3 && parts[0] == "" && parts[1] != "" && (parts[2] == "content" || page && parts[2] == "view")
}

// headerOversize marks a request whose Content-Length is over its limit:
// headerReceived sets it, and a client's own is dropped.
const headerOversize = "X-Visitarchive-Oversize"

// readBody reads the body of a request whose route does not stream it,
// holding it to the body limit: a Content-Length over the limit is 413 at
// once (headerReceived), a chunked body as soon as it passes the limit.
func (s *Server) readBody(c *fiber.Ctx) error {
	streamed := isStreamed(c.Method(), c.Path())
	req := c.Request()
	n := req.Header.ContentLength()
	switch {
	case streamed:
	case oversize(c) || n > s.bodyLimit:
		return closeAfter(c, fiber.ErrRequestEntityTooLarge)
	case n == -1: // chunked
		stream := c.Context().RequestBodyStream()
		if stream == nil {
			break
		}
		b, err := io.ReadAll(io.LimitReader(stream, int64(s.bodyLimit)+1))
		if err != nil {
			return closeAfter(c, badRequest("http", "the request body could not be read to its end"))
		}
		if len(b) > s.bodyLimit {
			return closeAfter(c, fiber.ErrRequestEntityTooLarge)
		}
		req.SetBodyRaw(b)
	default:
		req.Body() // reads the stream of at most the limit
	}
	return c.Next()
}

// oversize reports whether headerReceived found the Content-Length of the
// request over its route's limit.
func oversize(c *fiber.Ctx) bool { return c.Get(headerOversize) != "" }

// closeAfter answers err and closes the connection after the answer, so
// that the unread rest of the body is never taken for a request.
func closeAfter(c *fiber.Ctx, err error) error {
	c.Context().SetConnectionClose()
	return err
}

// headerReceived is fasthttp's HeaderReceived: it sees the header of a
// request before its body is read. It gives uploads and downloads of
// attachments the time of a transfer to read the request or write the
// answer, instead of Fiber's read and write timeouts, which suit the rest
// of the API. And it refuses a body whose Content-Length is over its
// route's limit before any of it is read, as fasthttp does when it does
// not stream: it marks the request (headerOversize) and sets its
// Content-Length to 0, so that fasthttp reads nothing before the handlers
// answer 413 and close the connection.
func (s *Server) headerReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	h.Del(headerOversize)
	uri := fasthttp.AcquireURI()
	defer fasthttp.ReleaseURI(uri)
	path := ""
	if err := uri.Parse(nil, h.RequestURI()); err == nil {
		path = string(uri.Path())
	}
	method := string(h.Method())
	var cfg fasthttp.RequestConfig
	limit := int64(s.bodyLimit)
	switch {
	case isStreamed(method, path):
		cfg.ReadTimeout, limit = s.limits.TransferTimeout, s.limits.MaxRequest
	case method == fiber.MethodGet && (attachmentsPath(path, true) || scansPath(path, true)):
		cfg.WriteTimeout = s.limits.TransferTimeout
	}
	if int64(h.ContentLength()) > limit {
		h.Set(headerOversize, "1")
		h.SetContentLength(0)
	}
	return cfg
}

// requestBody is the body of a request whose route streams it.
func requestBody(c *fiber.Ctx) io.Reader {
	if r := c.Context().RequestBodyStream(); r != nil {
		return r
	}
	return bytes.NewReader(c.Body())
}

// limitedReader fails with a TooLarge error, tooLarge, once more than max
// bytes have come through it.
type limitedReader struct {
	r        io.Reader
	n, max   int64
	tooLarge func() error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, l.tooLarge()
	}
	return n, err
}

// sizeText says a limit in bytes as people read it: "256 MiB".
func sizeText(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for ; n >= 1024 && n%1024 == 0 && i < len(units)-1; i++ {
		n /= 1024
	}
	return strconv.FormatInt(n, 10) + " " + units[i]
}
