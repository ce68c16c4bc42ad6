package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Retention and disposition (visitarchive.Disposition): the records due
// for appraisal, appraisal lists and legal holds. Archivists run the pass,
// decide entries and submit lists; managers approve, reject and strike;
// two witnesses confirm an approved list, then an archivist or a manager
// executes it (destruction); auditors and managers place holds. Every write names the version it
// changes (If-Match or a version field).

// Bodies of the disposition writes.
type (
	// appraisalDecide is the body of POST /appraisals/:id/decide.
	appraisalDecide struct {
		Version   int                          `json:"version"`
		Decisions []visitarchive.EntryDecision `json:"decisions"`
	}
	// withReason is the body of POST /appraisals/:id/reject and
	// /holds/:id/release.
	withReason struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
	}
	// appraisalStrike is the body of POST /appraisals/:id/strike.
	appraisalStrike struct {
		Version int                     `json:"version"`
		Records []visitarchive.RecordID `json:"records"`
		Reason  string                  `json:"reason"`
	}
	// appraisalRun is the answer of POST /appraisals: how many records
	// the pass listed, and the open lists.
	appraisalRun struct {
		Listed int                       `json:"listed"`
		Lists  []*visitarchive.Appraisal `json:"lists"`
	}
	// appraisalList is the answer of GET /appraisals.
	appraisalList struct {
		Appraisals []*visitarchive.Appraisal `json:"appraisals"`
	}
	// holdList is the answer of GET /holds.
	holdList struct {
		Holds []*visitarchive.Hold `json:"holds"`
	}
)

// retentionDue answers GET /retention/due: the archived records due for
// appraisal now that the caller may read, soonest due first.
func (s *Server) retentionDue(c *fiber.Ctx) error {
	const op = "retention.due"
	p, err := queryParams(c, op, "page", "size")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	q := visitarchive.SearchQuery{Due: true, Status: string(visitarchive.StatusArchived), Sort: visitarchive.SortVisitStart,
		Page: p.pageInt("page", &fe), Size: p.pageInt("size", &fe)}
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	page, err := s.archive.ListRecords(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// runAppraisal answers POST /appraisals: one retention pass as the
// caller, and the open lists after it.
func (s *Server) runAppraisal(c *fiber.Ctx) error {
	const op = "appraisal.compile"
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	d := s.archive.Disposition()
	n, err := d.Appraise(c.UserContext())
	if err != nil {
		return err
	}
	all, err := d.Appraisals(c.UserContext(), visitarchive.AppraisalDraft)
	if err != nil {
		return err
	}
	return c.JSON(appraisalRun{Listed: n, Lists: all})
}

// listAppraisals answers GET /appraisals, newest first; state filters.
func (s *Server) listAppraisals(c *fiber.Ctx) error {
	const op = "appraisal.list"
	p, err := queryParams(c, op, "state")
	if err != nil {
		return err
	}
	states := []string{"draft", "submitted", "approved", "rejected", "executed"}
	var fe []visitarchive.FieldError
	oneOf(&fe, "state", p["state"], states)
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	ls, err := s.archive.Disposition().Appraisals(c.UserContext(), visitarchive.AppraisalState(p["state"]))
	if err != nil {
		return err
	}
	return c.JSON(appraisalList{Appraisals: ls})
}

// getAppraisal answers GET /appraisals/:id with its version as the ETag.
func (s *Server) getAppraisal(c *fiber.Ctx) error {
	const op = "appraisal.get"
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	l, err := s.archive.Disposition().Appraisal(c.UserContext(), visitarchive.AppraisalID(c.Params("id")))
	if err != nil {
		return err
	}
	return listAnswer(c, l)
}

// appraisalWith answers a move on an appraisal list that takes a body
// of type B and the list's version (If-Match or "version"): do makes it.
func appraisalWith[B any](c *fiber.Ctx, op string, do func(context.Context, visitarchive.AppraisalID, int, *B) (*visitarchive.Appraisal, error)) error {
	b, body, err := decodeBody[B](c, op)
	if err != nil {
		return err
	}
	v, err := updateVersion(c, op, body)
	if err != nil {
		return err
	}
	l, err := do(c.UserContext(), visitarchive.AppraisalID(c.Params("id")), v, b)
	if err != nil {
		return err
	}
	return listAnswer(c, l)
}

func listAnswer(c *fiber.Ctx, l *visitarchive.Appraisal) error {
	c.Set(fiber.HeaderETag, etag(l.Version))
	return c.JSON(l)
}

// decideAppraisal answers POST /appraisals/:id/decide.
func (s *Server) decideAppraisal(c *fiber.Ctx) error {
	return appraisalWith(c, "appraisal.decide", func(ctx context.Context, id visitarchive.AppraisalID, v int, b *appraisalDecide) (*visitarchive.Appraisal, error) {
		return s.archive.Disposition().Decide(ctx, id, v, b.Decisions)
	})
}

// submitAppraisal answers POST /appraisals/:id/submit.
func (s *Server) submitAppraisal(c *fiber.Ctx) error {
	return s.appraisalMove(c, "appraisal.submit", s.archive.Disposition().Submit)
}

// approveAppraisal answers POST /appraisals/:id/approve.
func (s *Server) approveAppraisal(c *fiber.Ctx) error {
	return s.appraisalMove(c, "appraisal.approve", s.archive.Disposition().Approve)
}

// appraisalMoveFunc is a move of a list that takes only its version.
type appraisalMoveFunc func(ctx context.Context, id visitarchive.AppraisalID, v int) (*visitarchive.Appraisal, error)

// appraisalMove answers the moves that take only a version: submit and
// approve.
func (s *Server) appraisalMove(c *fiber.Ctx, op string, move appraisalMoveFunc) error {
	body, err := readOptionalJSON(c, op)
	if err != nil {
		return err
	}
	if err := checkShape[versionOnly](op, body.tree); err != nil {
		return err
	}
	v, err := updateVersion(c, op, body)
	if err != nil {
		return err
	}
	l, err := move(c.UserContext(), visitarchive.AppraisalID(c.Params("id")), v)
	if err != nil {
		return err
	}
	return listAnswer(c, l)
}

// witnessAppraisal answers POST /appraisals/:id/witness: the caller
// confirms the approved list as a witness (监销人).
func (s *Server) witnessAppraisal(c *fiber.Ctx) error {
	return s.appraisalMove(c, "appraisal.witness", s.archive.Disposition().Witness)
}

// execution is the answer of POST /appraisals/:id/execute: what was
// destroyed and skipped, and where the register is.
type execution struct {
	List        *visitarchive.Appraisal     `json:"list"`
	Destruction string                      `json:"destruction,omitempty"`
	Register    string                      `json:"register,omitempty"`
	Destroyed   []visitarchive.RecordID     `json:"destroyed"`
	Skipped     []visitarchive.SkippedEntry `json:"skipped"`
}

// executeAppraisal answers POST /appraisals/:id/execute: the witnessed
// list is executed, and the answer links the destruction's register.
func (s *Server) executeAppraisal(c *fiber.Ctx) error {
	const op = "appraisal.execute"
	body, err := readOptionalJSON(c, op)
	if err != nil {
		return err
	}
	if err := checkShape[versionOnly](op, body.tree); err != nil {
		return err
	}
	v, err := updateVersion(c, op, body)
	if err != nil {
		return err
	}
	ex, err := s.archive.Disposition().Execute(c.UserContext(), visitarchive.AppraisalID(c.Params("id")), v)
	if err != nil {
		return err
	}
	out := execution{List: ex.List, Destruction: ex.Destruction, Destroyed: ex.Destroyed, Skipped: ex.Skipped}
	if ex.Destruction != "" {
		out.Register = "/api/v1/destructions/" + ex.Destruction + "/register"
	}
	c.Set(fiber.HeaderETag, etag(ex.List.Version))
	return c.JSON(out)
}

// rejectAppraisal answers POST /appraisals/:id/reject.
func (s *Server) rejectAppraisal(c *fiber.Ctx) error {
	return appraisalWith(c, "appraisal.reject", func(ctx context.Context, id visitarchive.AppraisalID, v int, b *withReason) (*visitarchive.Appraisal, error) {
		return s.archive.Disposition().Reject(ctx, id, v, b.Reason)
	})
}

// strikeAppraisal answers POST /appraisals/:id/strike.
func (s *Server) strikeAppraisal(c *fiber.Ctx) error {
	return appraisalWith(c, "appraisal.strike", func(ctx context.Context, id visitarchive.AppraisalID, v int, b *appraisalStrike) (*visitarchive.Appraisal, error) {
		return s.archive.Disposition().Strike(ctx, id, v, b.Records, b.Reason)
	})
}

// listHolds answers GET /holds, newest first; active=true: those in force.
func (s *Server) listHolds(c *fiber.Ctx) error {
	const op = "hold.list"
	p, err := queryParams(c, op, "active")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	active := p.flag("active", &fe)
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	hs, err := s.archive.Disposition().Holds(c.UserContext(), active)
	if err != nil {
		return err
	}
	return c.JSON(holdList{Holds: hs})
}

// placeHold answers POST /holds with 201 and the hold.
func (s *Server) placeHold(c *fiber.Ctx) error {
	const op = "hold.place"
	b, _, err := decodeBody[visitarchive.HoldRequest](c, op)
	if err != nil {
		return err
	}
	h, err := s.archive.Disposition().PlaceHold(c.UserContext(), *b)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(h.Version))
	return c.Status(fiber.StatusCreated).JSON(h)
}

// getHold answers GET /holds/:id.
func (s *Server) getHold(c *fiber.Ctx) error {
	const op = "hold.get"
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	h, err := s.archive.Disposition().Hold(c.UserContext(), visitarchive.HoldID(c.Params("id")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(h.Version))
	return c.JSON(h)
}

// releaseHold answers POST /holds/:id/release.
func (s *Server) releaseHold(c *fiber.Ctx) error {
	const op = "hold.release"
	b, body, err := decodeBody[withReason](c, op)
	if err != nil {
		return err
	}
	v, err := updateVersion(c, op, body)
	if err != nil {
		return err
	}
	h, err := s.archive.Disposition().ReleaseHold(c.UserContext(), visitarchive.HoldID(c.Params("id")), v, b.Reason)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(h.Version))
	return c.JSON(h)
}
