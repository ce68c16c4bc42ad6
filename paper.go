package visitarchive

import "time"

// Paper originals (纸质原件): the paper form of an archived record is kept
// in a cabinet, on a shelf, in a box; archivists move it, lend it out and
// take it back. Each of these writes the next version of the record's
// Paper (paper/<record>/<version>.json), create-only, so that of two
// archivists changing one original at once exactly one succeeds, and so
// that its versions are its history. A loan is an object of its own
// (loans/<record>/<loan>/<version>.json): version 1 when lent, version 2
// when returned, written in the journal entry of the Paper version that
// lends or returns it. Papers (papers.go, papers_loans.go) does all of it.

// PaperEvent says what one version of a record's Paper recorded.
type PaperEvent string

// The events of a paper original.
const (
	PaperArchived PaperEvent = "archived" // the location given when the record was archived
	PaperRecorded PaperEvent = "recorded" // the first location, given after archiving
	PaperMoved    PaperEvent = "moved"    // moved to another place, with a reason
	PaperLent     PaperEvent = "lent"     // lent out: Loan names the loan
	PaperReturned PaperEvent = "returned" // back from its loan
)

// Paper is one version of what is known of the paper original of an
// archived record: where it is kept, whether it is out on loan, and the
// event that made this version. The record's reference code and customer
// are copied in, since an archived record never changes, so that a box
// can be listed without reading its records.
type Paper struct {
	Record        RecordID      `json:"record"`
	Version       int           `json:"version"`
	ReferenceCode string        `json:"reference_code"`
	CustomerID    CustomerID    `json:"customer_id"`
	CustomerName  string        `json:"customer_name"`
	Location      PaperLocation `json:"location"`
	// Loan is the id of the loan the original is out on, "" when it is
	// in its place; Due is when that loan is due back.
	Loan   string     `json:"loan,omitempty"`
	Due    time.Time  `json:"due,omitzero"`
	Event  PaperEvent `json:"event"`
	Reason string     `json:"reason,omitempty"` // why it moved
	By     UserName   `json:"by"`
	Time   time.Time  `json:"time"`
}

// PaperOriginal is all that is known of the paper original of a record:
// where it is now (Location nil: nowhere on file), every place it has
// been, and its loans. Version is that of the current Paper, 0 when there
// is none: a move names it.
type PaperOriginal struct {
	Record        RecordID       `json:"record"`
	Version       int            `json:"version"`
	ReferenceCode string         `json:"reference_code,omitempty"`
	CustomerID    CustomerID     `json:"customer_id"`
	CustomerName  string         `json:"customer_name"`
	Location      *PaperLocation `json:"location"`
	OnLoan        bool           `json:"on_loan"`
	// History holds every location, oldest first.
	History []PaperMove `json:"history"`
	// Loans holds every loan, oldest first.
	Loans []LoanEntry `json:"loans"`
}

// PaperMove is one place in the history of a paper original: where, since
// which version, who put it there, when and why.
type PaperMove struct {
	Version  int           `json:"version"`
	Location PaperLocation `json:"location"`
	Event    PaperEvent    `json:"event"` // archived, recorded or moved
	Reason   string        `json:"reason,omitempty"`
	By       UserName      `json:"by"`
	Time     time.Time     `json:"time"`
}

// PaperMoveRequest moves the paper original of a record: Version is the
// current version of its Paper (0 for a record archived without a
// location, which gets its first one).
type PaperMoveRequest struct {
	Version  int
	Location *PaperLocation
	Reason   string
}

// PaperFilter selects paper originals by where they are now; an empty
// field does not filter.
type PaperFilter struct {
	Cabinet, Shelf, Box string
	Page, Size          int // 0: the first page, DefaultPageSize
}

// PaperEntry is one paper original in a listing.
type PaperEntry struct {
	Record        RecordID      `json:"record"`
	Version       int           `json:"version"`
	ReferenceCode string        `json:"reference_code"`
	CustomerID    CustomerID    `json:"customer_id"`
	CustomerName  string        `json:"customer_name"`
	Location      PaperLocation `json:"location"`
	OnLoan        bool          `json:"on_loan"`
}

// PaperPage is a page of a listing of paper originals, by place and then
// reference code.
type PaperPage struct {
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	Size    int          `json:"size"`
	Records []PaperEntry `json:"records"`
}

// Loan is one loan of a paper original: to whom — a user of the system
// (BorrowerUser) or anyone else, a person or an organisation (Borrower) —
// for what, from when, due when, who lent it, and once it is back, when,
// who received it, and who recorded that.
type Loan struct {
	ID           string    `json:"id"`
	Record       RecordID  `json:"record"`
	Version      int       `json:"version"`
	BorrowerUser UserName  `json:"borrower_user,omitempty"`
	Borrower     string    `json:"borrower,omitempty"`
	Purpose      string    `json:"purpose"`
	LentAt       time.Time `json:"lent_at"`
	DueAt        time.Time `json:"due_at"`
	LentBy       UserName  `json:"lent_by"`
	ReturnedAt   time.Time `json:"returned_at,omitzero"`
	ReceivedBy   string    `json:"received_by,omitempty"`
	ReturnNote   string    `json:"return_note,omitempty"`
	ReturnedBy   UserName  `json:"return_recorded_by,omitempty"`
}

// Returned reports whether the original is back from l.
func (l *Loan) Returned() bool { return !l.ReturnedAt.IsZero() }

// Overdue reports whether l is not returned and past its due time at now.
func (l *Loan) Overdue(now time.Time) bool { return !l.Returned() && now.After(l.DueAt) }

// LoanEntry is a loan as the API shows it: with the record's reference
// code and customer, where the original belongs, and whether it is
// overdue now.
type LoanEntry struct {
	Loan
	ReferenceCode string        `json:"reference_code"`
	CustomerName  string        `json:"customer_name"`
	Location      PaperLocation `json:"location"`
	Overdue       bool          `json:"overdue"`
}

// LoanList is a listing of loans, soonest due first.
type LoanList struct {
	Total int         `json:"total"`
	Loans []LoanEntry `json:"loans"`
}

// LoanRequest lends a paper original: to BorrowerUser or Borrower (one
// of them), for Purpose, from LentAt (zero: now) until DueAt.
type LoanRequest struct {
	BorrowerUser UserName
	Borrower     string
	Purpose      string
	LentAt       time.Time
	DueAt        time.Time
}

// ReturnRequest records the return of a loan: when (zero: now), who
// received the original ("": the caller), and a note on its state.
type ReturnRequest struct {
	ReturnedAt time.Time
	ReceivedBy string
	Note       string
}

// validate checks what a loan request sends, with now the time of the
// request, and fills in LentAt. known says whether a user name is one of
// the users.
func (r *LoanRequest) validate(c *checker, now time.Time, known func(UserName) bool) {
	switch {
	case r.BorrowerUser == "" && r.Borrower == "":
		c.add("borrower", "is required: a user name in borrower_user, or a person or organisation in borrower")
	case r.BorrowerUser != "" && r.Borrower != "":
		c.add("borrower", "is given with borrower_user: name the borrower once")
	case r.BorrowerUser != "" && (!ValidUserName(string(r.BorrowerUser)) || !known(r.BorrowerUser)):
		c.add("borrower_user", "no user %s exists; name another person in borrower", r.BorrowerUser)
	}
	c.text("borrower", r.Borrower, shortText)
	c.required("purpose", r.Purpose)
	c.text("purpose", r.Purpose, loanText)
	if r.LentAt.IsZero() {
		r.LentAt = now
	}
	c.date("lent_at", r.LentAt)
	if r.LentAt.After(now) {
		c.add("lent_at", "is in the future; record a loan once the original has left")
	}
	if r.DueAt.IsZero() {
		c.add("due_at", "is required")
		return
	}
	c.date("due_at", r.DueAt)
	if !r.DueAt.After(r.LentAt) {
		c.add("due_at", "must be after lent_at")
	}
}

// validate checks what a return sends against loan l, with now the time
// of the request, and fills in ReturnedAt and ReceivedBy (me).
func (r *ReturnRequest) validate(c *checker, l *Loan, now time.Time, me UserName) {
	if r.ReturnedAt.IsZero() {
		r.ReturnedAt = now
	}
	c.date("returned_at", r.ReturnedAt)
	switch {
	case r.ReturnedAt.After(now):
		c.add("returned_at", "is in the future; record a return once the original is back")
	case r.ReturnedAt.Before(l.LentAt):
		c.add("returned_at", "is before the loan began (%s)", l.LentAt.Format(time.RFC3339))
	}
	if r.ReceivedBy == "" {
		r.ReceivedBy = string(me)
	}
	c.text("received_by", r.ReceivedBy, shortText)
	c.text("note", r.Note, loanText)
}

// loanText is the length allowed to a loan's purpose and a return's note.
const loanText = 2000
