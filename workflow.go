package visitarchive

import (
	"maps"
	"slices"
	"time"
)

// Workflow is where a record stands in review and archiving. Only the
// workflow actions (submit, return, approve, archive) change it; an edit
// of the form keeps it as it is.
type Workflow struct {
	// DueAt is when the record must be submitted: visit_end plus the
	// filing period (24 h unless configured otherwise).
	DueAt time.Time `json:"due_at,omitzero"`
	// VisitChanges keeps every change of the visit times after the
	// record was created, oldest first, for the reviewer.
	VisitChanges []VisitChange `json:"visit_changes,omitempty"`
	// SubmittedAt is the first submission; Late says it came after DueAt,
	// by DelaySeconds.
	SubmittedAt  time.Time `json:"submitted_at,omitzero"`
	Late         bool      `json:"late"`
	DelaySeconds int64     `json:"delay_seconds,omitempty"`
	// Rounds counts the submissions; Reviews keeps every decision on them.
	Rounds  int      `json:"rounds"`
	Reviews []Review `json:"reviews,omitempty"`
	// Reviewer is the supervisor who approved the record.
	Reviewer   UserName  `json:"reviewer,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`

	Archival
}

// VisitChange is one change of a record's visit times: from what to
// what, by whom and when.
type VisitChange struct {
	FromStart time.Time `json:"from_start"`
	FromEnd   time.Time `json:"from_end"`
	ToStart   time.Time `json:"to_start"`
	ToEnd     time.Time `json:"to_end"`
	By        UserName  `json:"by"`
	Time      time.Time `json:"time"`
}

// Review is one supervisor's decision on one submission.
type Review struct {
	Round    int          `json:"round"`
	Decision RecordStatus `json:"decision"` // returned or approved
	Reviewer UserName     `json:"reviewer"`
	Time     time.Time    `json:"time"`
	Comment  string       `json:"comment,omitempty"`
	// Fields holds comments on single fields of the form, by JSON name.
	Fields map[string]string `json:"fields,omitempty"`
}

// Archival is what archiving adds to an approved record.
type Archival struct {
	ReferenceCode string         `json:"reference_code,omitempty"` // 档号
	Class         *Class         `json:"class,omitempty"`
	Retention     Retention      `json:"retention,omitempty"` // 保管期限
	PaperLocation *PaperLocation `json:"paper_location,omitempty"`
	ArchivedBy    UserName       `json:"archived_by,omitempty"`
	ArchivedAt    time.Time      `json:"archived_at,omitzero"`
}

// Class is the archival classification of a record: customer type,
// business area and the year of the visit.
type Class struct {
	CustomerType string `json:"customer_type"`
	BusinessArea string `json:"business_area"`
	Year         int    `json:"year"`
}

// Retention is a retention period (保管期限).
type Retention string

// The retention periods: ten years, thirty years, permanent.
const (
	RetainD10       Retention = "D10"
	RetainD30       Retention = "D30"
	RetainPermanent Retention = "Y"
)

// Retentions lists the valid retention periods.
var Retentions = []string{"D10", "D30", "Y"}

// PaperLocation is where the paper original of a record is kept.
type PaperLocation struct {
	Cabinet string `json:"cabinet"`
	Shelf   string `json:"shelf"`
	Box     string `json:"box"`
}

func (p *PaperLocation) validate(c *checker) {
	if p != nil {
		p.check(c, "paper_location")
	}
}

// check checks p, a member called name of what is sent.
func (p *PaperLocation) check(c *checker, name string) {
	for _, f := range []struct{ name, v string }{
		{name + ".cabinet", p.Cabinet}, {name + ".shelf", p.Shelf}, {name + ".box", p.Box},
	} {
		c.required(f.name, f.v)
		c.text(f.name, f.v, 50)
	}
}

// Schedule decides the retention period of a class; retention/
// implements it from the configured schedule table.
type Schedule interface {
	Retention(c Class) Retention
}

// recordMoves are the workflow actions open in each record state.
var recordMoves = map[RecordStatus][]string{
	StatusDraft:     {"update", "submit"},
	StatusSubmitted: {"approve", "return"},
	StatusReturned:  {"update", "submit"},
	StatusApproved:  {"archive"},
	StatusArchived:  {"annotate"},
}

// openState returns a state in which move is open.
func openState(moves map[RecordStatus][]string, move string) RecordStatus {
	for _, st := range slices.Sorted(maps.Keys(moves)) {
		if slices.Contains(moves[st], move) {
			return st
		}
	}
	return ""
}

// invalidField is an Invalid error about one field, whose message is
// format with args.
func invalidField(op, field, format string, args ...any) error {
	e := E(op, Invalid, nil, "%s %s", field, Msgf(format, args...))
	e.Fields = []FieldError{FieldErrorf(field, format, args...)}
	return e
}
