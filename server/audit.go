package server

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// accessLog is the answer of GET /audit/access.
type accessLog struct {
	Events []visitarchive.AccessEvent `json:"events"`
}

// auditAccess lists reads by user, object (record, customer, plan) and
// period.
func (s *Server) auditAccess(c *fiber.Ctx) error {
	const op = "audit.access"
	p, err := queryParams(c, op, "user", "record", "customer", "plan", "from", "to", "limit")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	f := visitarchive.AccessFilter{
		User:     visitarchive.UserName(p["user"]),
		Record:   visitarchive.RecordID(p["record"]),
		Customer: visitarchive.CustomerID(p["customer"]),
		Plan:     visitarchive.PlanID(p["plan"]),
		From:     p.date("from", false, s.archive.Location(), &fe),
		To:       p.date("to", true, s.archive.Location(), &fe),
	}
	if v := p["limit"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			fe = append(fe, visitarchive.FieldError{Field: "limit", Message: "must be a whole number from 1 to 10000"})
		}
		f.Limit = n
	}
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	events, err := s.archive.AccessLog(c.UserContext(), f)
	if err != nil {
		return err
	}
	if events == nil {
		events = []visitarchive.AccessEvent{}
	}
	return c.JSON(accessLog{Events: events})
}

// exportParams are the filters of an export: those of a search without
// sort and paging (an export is every match, oldest visit first), and
// without overdue, which needs the clock of a listing.
var exportParams = slices.DeleteFunc(slices.Clone(searchParams), func(p string) bool {
	return p == "sort" || p == "page" || p == "size" || p == "overdue"
})

// exportRecords streams the records a filter selects as JSON lines. They
// go straight from the Archive to the client, never through a file: a
// spool would hold decrypted records outside the data directory. The
// export is checked and logged before the answer starts, and the answer
// starts only once its first lines are ready, so that a refusal, or a
// store or index that fails at once, is a clean error answer.
func (s *Server) exportRecords(c *fiber.Ctx) error {
	const op = "record.export"
	p, err := queryParams(c, op, exportParams...)
	if err != nil {
		return err
	}
	q, err := s.searchQuery(op, p)
	if err != nil {
		return err
	}
	x, err := s.archive.ExportRecords(c.UserContext(), q)
	if err != nil {
		return err
	}
	body, err := s.streamExport(c, x)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/x-ndjson; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="records.jsonl"`)
	c.Context().SetBodyStream(body, -1) // chunked; fasthttp closes body when done
	return nil
}

// exportBuffer is how much of an export is made before the answer starts
// and between writes to the client.
const exportBuffer = 64 << 10

// streamExport writes x in a goroutine of its own, which outlives the
// handler under a deadline of its own, into a pipe that fasthttp sends as
// a chunked body. It returns that body once the first bytes are ready, or
// the error of an export that failed before any. A failure after that
// (or the client going away) is logged and closes the pipe with the
// error: fasthttp then drops the connection without the chunked body's
// last chunk, which every HTTP client reports as a body cut short, never
// as a complete export.
func (s *Server) streamExport(c *fiber.Ctx, x *visitarchive.Export) (io.Reader, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), s.timeout)
	log := s.logger(c)
	pr, pw := io.Pipe()
	sw := &startWriter{w: pw, started: make(chan error, 1)}
	go func() {
		defer cancel()
		bw := bufio.NewWriterSize(sw, exportBuffer)
		n, err := x.Write(ctx, bw)
		if err == nil {
			err = bw.Flush()
		}
		switch {
		case sw.start(err) || err == nil: // the handler answers the error
		case errors.Is(err, io.ErrClosedPipe):
			log.Warn("the client left before the export ended", "records", n)
		default:
			log.Error("the export failed; its answer is cut short", "records", n, "err", err)
		}
		pw.CloseWithError(err)
	}()
	if err := <-sw.started; err != nil {
		return nil, err
	}
	return pr, nil
}

// startWriter passes writes on to w, and tells started, once, when the
// first one comes, or how the export ended when none came.
type startWriter struct {
	w       io.Writer
	once    sync.Once
	started chan error
}

// start tells started err unless it was told before, and reports whether
// it did.
func (s *startWriter) start(err error) (told bool) {
	s.once.Do(func() { s.started <- err; told = true })
	return told
}

func (s *startWriter) Write(p []byte) (int, error) {
	s.start(nil)
	return s.w.Write(p)
}

// journalPage is the answer of GET /audit/journal.
type journalPage struct {
	Entries []visitarchive.Entry `json:"entries"`
	// Next is the after= of the following page; 0 when this one is the
	// end of the journal.
	Next uint64 `json:"next"`
}

// auditJournal pages through the journal for auditors.
func (s *Server) auditJournal(c *fiber.Ctx) error {
	const op = "audit.journal"
	p, err := queryParams(c, op, "after", "limit")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	after, err := strconv.ParseUint(cmp.Or(p["after"], "0"), 10, 64)
	if err != nil {
		fe = append(fe, visitarchive.FieldError{Field: "after", Message: "must be a journal sequence number (0 for the start)"})
	}
	limit, err := strconv.Atoi(cmp.Or(p["limit"], "100"))
	if err != nil || limit < 1 || limit > 1000 {
		fe = append(fe, visitarchive.FieldError{Field: "limit", Message: "must be a whole number from 1 to 1000"})
	}
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	entries, err := s.archive.JournalEntries(c.UserContext(), after, limit)
	if err != nil {
		return err
	}
	page := journalPage{Entries: entries}
	if len(entries) == limit {
		page.Next = entries[len(entries)-1].Seq
	}
	return c.JSON(page)
}
