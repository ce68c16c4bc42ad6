package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The paper originals of archived records: where each is kept, its moves
// and its loans (visitarchive.Papers). Archivists change them, auditors
// and managers read them. Writes are checked as every write is:
// Papers.MayChange first (404, 403, or 409 for a record not archived),
// then the request.

// Bodies of the paper originals' writes.
type (
	// paperMove is the body of PUT /records/:id/paper.
	paperMove struct {
		Version  int                         `json:"version"`
		Location *visitarchive.PaperLocation `json:"location"`
		Reason   string                      `json:"reason"`
	}
	// loanCreate is the body of POST /records/:id/paper/loans: the
	// borrower is a user (borrower_user) or anyone else (borrower).
	loanCreate struct {
		BorrowerUser visitarchive.UserName `json:"borrower_user"`
		Borrower     string                `json:"borrower"`
		Purpose      string                `json:"purpose"`
		LentAt       time.Time             `json:"lent_at"`
		DueAt        time.Time             `json:"due_at"`
	}
	// loanReturn is the body of POST /records/:id/paper/loans/:loan/return,
	// which may be left out: back now, received by the caller.
	loanReturn struct {
		ReturnedAt time.Time `json:"returned_at"`
		ReceivedBy string    `json:"received_by"`
		Note       string    `json:"note"`
	}
)

// listPaper answers GET /paper: the originals where cabinet, shelf and
// box say they are now.
func (s *Server) listPaper(c *fiber.Ctx) error {
	const op = "paper.list"
	p, err := queryParams(c, op, "cabinet", "shelf", "box", "page", "size")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	f := visitarchive.PaperFilter{Cabinet: p["cabinet"], Shelf: p["shelf"], Box: p["box"],
		Page: p.pageInt("page", &fe), Size: p.pageInt("size", &fe)}
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	page, err := s.archive.Papers().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// listLoans answers GET /paper/loans: the loans out now, or with
// overdue=true those past their due time.
func (s *Server) listLoans(c *fiber.Ctx) error {
	const op = "paper.loans"
	p, err := queryParams(c, op, "overdue")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	overdue := p.flag("overdue", &fe)
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	list, err := s.archive.Papers().Loans(c.UserContext(), overdue)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// getPaper answers GET /records/:id/paper, with the version a move names
// as the ETag.
func (s *Server) getPaper(c *fiber.Ctx) error {
	const op = "paper.get"
	id, err := s.records.pathID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	paper, err := s.archive.Papers().Get(c.UserContext(), visitarchive.RecordID(id))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(paper.Version))
	return c.JSON(paper)
}

// movePaper answers PUT /records/:id/paper with the new version.
func (s *Server) movePaper(c *fiber.Ctx) error {
	const op = "paper.move"
	id, err := s.paperWrite(c, op)
	if err != nil {
		return err
	}
	body, err := readJSON(c, op)
	if err != nil {
		return err
	}
	if err := checkShape[paperMove](op, body.tree); err != nil {
		return err
	}
	version, err := paperVersion(c, op, body)
	if err != nil {
		return err
	}
	m, err := decodeRaw[paperMove](op, body.members)
	if err != nil {
		return err
	}
	req := visitarchive.PaperMoveRequest{Version: version, Location: m.Location, Reason: m.Reason}
	paper, err := s.archive.Papers().Move(c.UserContext(), id, req)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(paper.Version))
	return c.JSON(paper)
}

// paperVersion is updateVersion, except that a version field of 0 names
// the state of a record archived without a paper location, which has no
// version yet.
func paperVersion(c *fiber.Ctx, op string, body *jsonBody) (int, error) {
	var v int
	if body.has("version") && json.Unmarshal(body.members["version"], &v) == nil && v == 0 && c.Get(fiber.HeaderIfMatch) == "" {
		return 0, nil
	}
	return updateVersion(c, op, body)
}

// lendPaper answers POST /records/:id/paper/loans with the new loan.
func (s *Server) lendPaper(c *fiber.Ctx) error {
	const op = "paper.lend"
	id, err := s.paperWrite(c, op)
	if err != nil {
		return err
	}
	b, _, err := decodeBody[loanCreate](c, op)
	if err != nil {
		return err
	}
	req := visitarchive.LoanRequest{BorrowerUser: b.BorrowerUser, Borrower: b.Borrower, Purpose: b.Purpose,
		LentAt: b.LentAt, DueAt: b.DueAt}
	loan, err := s.archive.Papers().Lend(c.UserContext(), id, req)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(loan)
}

// returnPaper answers POST /records/:id/paper/loans/:loan/return with
// the loan, returned.
func (s *Server) returnPaper(c *fiber.Ctx) error {
	const op = "paper.return"
	id, err := s.paperWrite(c, op)
	if err != nil {
		return err
	}
	loanID := c.Params("loan")
	if !visitarchive.ValidID(loanID) {
		return notFound(op, "record %s has no loan %q", id, loanID)
	}
	raw, err := readOptionalJSON(c, op)
	if err != nil {
		return err
	}
	b, err := decodeMembers[loanReturn](op, raw.tree, raw.members)
	if err != nil {
		return err
	}
	req := visitarchive.ReturnRequest{ReturnedAt: b.ReturnedAt, ReceivedBy: b.ReceivedBy, Note: b.Note}
	loan, err := s.archive.Papers().Return(c.UserContext(), id, loanID, req)
	if err != nil {
		return err
	}
	return c.JSON(loan)
}

// paperWrite checks a write of the paper original of the record the path
// names before the request is read any further: the record, that the
// caller may make the write, and no query parameters.
func (s *Server) paperWrite(c *fiber.Ctx, op string) (visitarchive.RecordID, error) {
	id, err := s.records.pathID(c, op)
	if err != nil {
		return "", err
	}
	rid := visitarchive.RecordID(id)
	if err := s.archive.Papers().MayChange(c.UserContext(), rid); err != nil {
		return "", err
	}
	_, err = queryParams(c, op)
	return rid, err
}
