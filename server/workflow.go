package server

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Workflow moves (submit, return, approve, archive, …) are POSTs to
// /records/:id/<move> and /plans/:id/<move>. Each names the version it
// moves, with a version member or If-Match as updates do, and answers the
// object after the move; the Archive decides whether the move is open
// (409 naming the state and the allowed moves otherwise) and to whom.

// move is a parsed workflow request: the path id, the version moved and
// the body, decoded into a B and raw.
type move[B any] struct {
	id      string
	version int
	body    *B
	raw     *jsonBody
}

// readMove reads a move on an object of o, op naming the kind and the
// move ("record.submit"): the path id, that the caller may make the move,
// no query parameters, a body of B (which may be empty when If-Match
// names the version) and the version.
func readMove[T, B any](c *fiber.Ctx, o *objectAPI[T], op string) (*move[B], error) {
	id, err := o.pathID(c, op)
	if err != nil {
		return nil, err
	}
	_, name, _ := strings.Cut(op, ".")
	if err := o.authorize(c, id, name); err != nil {
		return nil, err
	}
	if _, err := queryParams(c, op); err != nil {
		return nil, err
	}
	raw, err := readOptionalJSON(c, op)
	if err != nil {
		return nil, err
	}
	if err := checkShape[B](op, raw.tree); err != nil {
		return nil, err
	}
	version, err := updateVersion(c, op, raw)
	if err != nil {
		return nil, err
	}
	b, err := decodeRaw[B](op, raw.members)
	if err != nil {
		return nil, err
	}
	return &move[B]{id: id, version: version, body: b, raw: raw}, nil
}

// readOptionalJSON is readJSON for the bodies that may be left out: an
// empty body is an empty object.
func readOptionalJSON(c *fiber.Ctx, op string) (*jsonBody, error) {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return &jsonBody{tree: map[string]any{}, members: nil}, nil
	}
	return readJSON(c, op)
}

// answer renders the outcome of a move: the object with its ETag, or the
// error.
func (o *objectAPI[T]) answer(c *fiber.Ctx, t *T, err error) error {
	if err != nil {
		return err
	}
	return o.render(c, http.StatusOK, t)
}

// Bodies of the moves.
type (
	// versionOnly is the body of a submit.
	versionOnly struct {
		Version int `json:"version"`
	}
	// verdict is the body of a record approval.
	verdict struct {
		Version int    `json:"version"`
		Comment string `json:"comment"`
	}
	// recordReturn is the body of POST /records/:id/return: an overall
	// comment and comments on single fields of the form.
	recordReturn struct {
		Version int               `json:"version"`
		Comment string            `json:"comment"`
		Fields  map[string]string `json:"fields"`
	}
	// archiveRequest is the body of POST /records/:id/archive.
	archiveRequest struct {
		Version       int                         `json:"version"`
		PaperLocation *visitarchive.PaperLocation `json:"paper_location"`
	}
)

func (s *Server) submitRecord(c *fiber.Ctx) error {
	m, err := readMove[visitarchive.Record, versionOnly](c, s.records, "record.submit")
	if err != nil {
		return err
	}
	r, err := s.archive.SubmitRecord(c.UserContext(), visitarchive.RecordID(m.id), m.version)
	return s.records.answer(c, r, err)
}

func (s *Server) returnRecord(c *fiber.Ctx) error {
	m, err := readMove[visitarchive.Record, recordReturn](c, s.records, "record.return")
	if err != nil {
		return err
	}
	v := visitarchive.ReturnVerdict{Version: m.version, Comment: m.body.Comment, Fields: m.body.Fields}
	r, err := s.archive.ReturnRecord(c.UserContext(), visitarchive.RecordID(m.id), v)
	return s.records.answer(c, r, err)
}

func (s *Server) approveRecord(c *fiber.Ctx) error {
	m, err := readMove[visitarchive.Record, verdict](c, s.records, "record.approve")
	if err != nil {
		return err
	}
	r, err := s.archive.ApproveRecord(c.UserContext(), visitarchive.RecordID(m.id), m.version, m.body.Comment)
	return s.records.answer(c, r, err)
}

func (s *Server) archiveRecord(c *fiber.Ctx) error {
	m, err := readMove[visitarchive.Record, archiveRequest](c, s.records, "record.archive")
	if err != nil {
		return err
	}
	req := visitarchive.ArchiveRequest{Version: m.version, PaperLocation: m.body.PaperLocation}
	r, err := s.archive.ArchiveRecord(c.UserContext(), visitarchive.RecordID(m.id), req)
	return s.records.answer(c, r, err)
}

// annotationCreate is the body of POST /records/:id/annotations: the
// rest of an annotation (id, author, time) is the server's.
type annotationCreate struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Text   string `json:"text"`
}

// annotationList is the answer of GET /records/:id/annotations.
type annotationList struct {
	Record      visitarchive.RecordID     `json:"record"`
	Annotations []visitarchive.Annotation `json:"annotations"`
}

func (s *Server) annotateRecord(c *fiber.Ctx) error {
	const op = "record.annotate"
	id, err := s.records.pathID(c, op)
	if err != nil {
		return err
	}
	if err := s.records.authorize(c, id, "annotate"); err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	req, _, err := decodeBody[annotationCreate](c, op)
	if err != nil {
		return err
	}
	n := visitarchive.Annotation{Field: req.Field, Reason: req.Reason, Text: req.Text}
	created, err := s.archive.AnnotateRecord(c.UserContext(), visitarchive.RecordID(id), n)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(created)
}

// listAnnotations answers the annotations of a record (a logged read).
func (s *Server) listAnnotations(c *fiber.Ctx) error {
	const op = "record.annotations"
	id, err := s.records.pathID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	notes, err := s.archive.Annotations(c.UserContext(), visitarchive.RecordID(id))
	if err != nil {
		return err
	}
	list := annotationList{Record: visitarchive.RecordID(id), Annotations: notes}
	if list.Annotations == nil {
		list.Annotations = []visitarchive.Annotation{}
	}
	return c.JSON(list)
}
