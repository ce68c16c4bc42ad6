package server

import (
	"bufio"
	"cmp"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// accessLog is the answer of GET /audit/access.
type accessLog struct {
	Events []visitarchive.AccessEvent `json:"events"`
}

// auditAccess lists reads of records by user, record and period.
func (s *Server) auditAccess(c *fiber.Ctx) error {
	const op = "audit.access"
	p, err := queryParams(c, op, "user", "record", "from", "to", "limit")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	f := visitarchive.AccessFilter{
		User:   visitarchive.UserName(p["user"]),
		Record: visitarchive.RecordID(p["record"]),
		From:   p.date("from", false, s.loc, &fe),
		To:     p.date("to", true, s.loc, &fe),
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

// exportRecords streams the records a filter selects as JSON lines.
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
	// Spool to a file, so that a refusal or failure is a clean error
	// answer and not a cut stream, and memory stays small.
	f, err := os.CreateTemp("", "visitarchive-export-*.jsonl")
	if err != nil {
		return err
	}
	os.Remove(f.Name()) // the open file lives on until it is sent
	w := bufio.NewWriter(f)
	if _, err := s.archive.ExportRecords(c.UserContext(), q, w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return err
	}
	c.Set(fiber.HeaderContentType, "application/x-ndjson; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="records.jsonl"`)
	return c.SendStream(f, int(size)) // fasthttp closes f when sent
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
