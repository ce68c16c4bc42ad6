package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// recordAPI adapts the Archive's record methods to objectAPI. A record's
// status and workflow fields are server-managed too: the workflow moves
// change them, not an edit.
func (s *Server) recordAPI() *objectAPI[visitarchive.Record] {
	a := s.archive
	return &objectAPI[visitarchive.Record]{
		archive:   a,
		what:      "record",
		assignsID: true,
		prefix:    apiPrefix + "/records",
		get: func(ctx context.Context, id string) (*visitarchive.Record, error) {
			return a.GetRecord(ctx, visitarchive.RecordID(id))
		},
		create: a.CreateRecord,
		update: a.UpdateRecord,
		ident: func(r *visitarchive.Record) (string, int) {
			return string(r.ID), r.Version
		},
		serverFields: recordFields,
		manage: func(r, cur *visitarchive.Record, id string, version int) {
			r.ID, r.Version = visitarchive.RecordID(id), version
			r.Status, r.Workflow, r.Audit = "", visitarchive.Workflow{}, visitarchive.Audit{}
			r.Annotations = nil // objects of their own, added by POST …/annotations
			if cur != nil {
				r.Status, r.Workflow, r.Audit = cur.Status, cur.Workflow, cur.Audit
			}
		},
	}
}

// recordFields are the fields of a record that its workflow sets.
var recordFields = map[string]string{
	"status":         "is changed by the workflow: POST %s/submit, /return, /approve and /archive",
	"due_at":         "follows visit_end and the filing period: change visit_end",
	"visit_changes":  "keeps every change of the visit times: change visit_start or visit_end",
	"submitted_at":   "is set when the record is first submitted: POST %s/submit",
	"late":           "is set when the record is first submitted: POST %s/submit",
	"delay_seconds":  "is set when the record is first submitted: POST %s/submit",
	"rounds":         "counts the submissions: POST %s/submit",
	"reviews":        "are added by the review: POST %s/return and /approve",
	"reviewer":       "is set when the record is approved: POST %s/approve",
	"approved_at":    "is set when the record is approved: POST %s/approve",
	"reference_code": "is set when the record is archived: POST %s/archive",
	"class":          "is set when the record is archived: POST %s/archive",
	"retention":      "is set when the record is archived: POST %s/archive",
	"paper_location": "is set when the record is archived: POST %s/archive",
	"archived_by":    "is set when the record is archived: POST %s/archive",
	"archived_at":    "is set when the record is archived: POST %s/archive",
	"annotations":    "are added by POST %s/annotations once the record is archived",
}

func (s *Server) listRecords(c *fiber.Ctx) error {
	const op = "record.list"
	p, err := queryParams(c, op, filterParams...)
	if err != nil {
		return err
	}
	if p["sort"] == "" {
		p["sort"] = visitarchive.SortVisitStartDesc
	}
	q, err := s.searchQuery(op, p)
	if err != nil {
		return err
	}
	if q.Sort == visitarchive.SortRelevance {
		// Without words to match, relevance orders nothing.
		return invalid(op, "query", visitarchive.FieldError{Field: "sort", Message: "must be visit_start or -visit_start"})
	}
	q.NoFacets = true
	page, err := s.archive.ListRecords(c.UserContext(), q)
	if err != nil {
		return err
	}
	if page.Records == nil {
		page.Records = []*visitarchive.Record{}
	}
	return c.JSON(page)
}

// recordHistory is the answer of GET /records/:id/history.
type recordHistory struct {
	ID       visitarchive.RecordID      `json:"id"`
	Versions []visitarchive.VersionInfo `json:"versions"`
}

func (s *Server) recordHistory(c *fiber.Ctx) error {
	const op = "record.history"
	id, err := s.records.pathID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	versions, err := s.archive.RecordHistory(c.UserContext(), visitarchive.RecordID(id))
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return notFound(op, "no such record")
	}
	return c.JSON(recordHistory{ID: visitarchive.RecordID(id), Versions: versions})
}
