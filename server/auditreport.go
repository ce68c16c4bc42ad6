package server

import (
	"bytes"
	"cmp"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/audit"
)

// The four-property audit (四性检测) and the fixity results, for auditors:
// GET /audit/report and GET /audit/fixity.

// auditReport runs every check of the audit and answers the report in
// the format asked for (json, the default; html, printable; xlsx). It
// reads the whole store, so it takes as long as a fixity run: within the
// request timeout on a small archive; `visitarchive audit` has no limit.
func (s *Server) auditReport(c *fiber.Ctx) error {
	const op = "audit.report"
	p, err := queryParams(c, op, "format", "from", "to")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	format := cmp.Or(p["format"], "json")
	if !slices.Contains(audit.Formats, format) {
		fe = append(fe, visitarchive.FieldError{Field: "format", Message: "must be json, html or xlsx"})
	}
	from, to := p.date("from", false, s.archive.Location(), &fe), p.date("to", true, s.archive.Location(), &fe)
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	if s.audit == nil {
		return visitarchive.E(op, visitarchive.Unavailable, nil, "this server cannot run the audit; run visitarchive audit")
	}
	src := *s.audit
	src.From, src.To = from, to
	rep, err := audit.Run(c.UserContext(), src)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := audit.Write(&b, rep, format, s.archive.Location()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, audit.ContentTypes[format])
	if format == "xlsx" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="audit-report.xlsx"`)
	}
	return c.Send(b.Bytes())
}

// fixityResults is the answer of GET /audit/fixity.
type fixityResults struct {
	Latest  *visitarchive.FixityResult  `json:"latest"` // null before the first run
	History []visitarchive.FixityResult `json:"history"`
}

// auditFixity answers the latest fixity result and the ones before it,
// newest first (limit, 1 to 1000, default 30).
func (s *Server) auditFixity(c *fiber.Ctx) error {
	const op = "audit.fixity"
	p, err := queryParams(c, op, "limit")
	if err != nil {
		return err
	}
	limit := 30
	if v := p["limit"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return invalid(op, "query", visitarchive.FieldError{Field: "limit", Message: "must be a whole number from 1 to 1000"})
		}
		limit = n
	}
	res, err := s.archive.FixityResults(c.UserContext(), limit)
	if err != nil {
		return err
	}
	out := fixityResults{History: res}
	if len(res) > 0 {
		out.Latest = &res[0]
	}
	return c.JSON(out)
}
