package visitarchive

import (
	"encoding/json"
	"fmt"
	"time"
)

// Disposition (处置) ends a record's life under control (DESIGN.md §1,
// process 8): every archived record is kept until its retain_until; then
// an appraisal list (鉴定清单) puts it before an archivist, who decides to
// destroy it or keep it longer, and before a manager, who approves the
// list; a legal hold stops all of it. The Archive holds one Disposition
// (Archive.Disposition); destruction itself comes after approval.
//
// # Due dates
//
// A record's retain_until is 1 January of the year after its visit year
// (its class's year), in the company's time zone, plus its period in
// force: ten years for D10, thirty for D30; a Y record is never due. The
// period in force is the longest of the period archiving gave it, the
// period the current schedule gives its class (a schedule that lengthens
// a class's period lengthens its archived records too; one that shortens
// it shortens none: that is for an appraisal) and the period of an
// approved "keep" (retentions/<record>/). retain_until is never stored in
// the record, which never changes once archived: it is computed when the
// record is read or indexed. The schedule in force is journaled
// (schedules/retention/) by RecordSchedule, which serve calls at its
// start and every retention pass calls first: when it differs from the
// one last journaled, a new version is journaled and every archived
// record is indexed again with its new retain_until.
//
// # Appraisal lists
//
// A retention pass (Appraise) puts every archived record that is due, on
// no open list and under no hold, on the open list of its class
// (customer type, business area, visit year), creating one when there is
// none: one open list per class, a record on at most one open list. A
// list is open while draft, submitted or approved (until executed); a
// rejected or executed list is closed. Nothing is ever destroyed by a
// pass.
//
//	draft ──submit──▶ submitted ──approve──▶ approved ──witness ×2, execute──▶ executed
//	                       └──────reject──▶ rejected
//
// In draft the archivist decides each entry: destroy, or keep with a
// longer period and a reason. Submitting needs every entry decided and
// makes the submitter the list's compiler (编制人). A manager who neither
// compiled the list nor decided an entry may strike entries (with a
// reason: the record is neither destroyed nor kept, and goes on the next
// list once this one is closed), reject the list (with a reason) or
// approve it. Approval puts every "keep" into force: a retention change
// (retentions/<record>/<v>.json) with the new period, the reason, the
// list, the decider and the approver; retain_until moves. The entries
// left to destroy are Appraisal.ToDestroy. Every change of a list is a
// new version (appraisals/<id>/<v>.json), journaled.

// # Witnesses and execution
//
// An approved list is executed (Execute) only after two witnesses
// (监销人) confirmed it (Witness), each under their own sign-in: two
// different users holding a role the policy lets witness (witness on
// appraisal), neither its approver, its compiler nor anyone who decided
// one of its entries. Each confirmation is a new version of the list. An
// archivist or a manager (execute on appraisal) then executes it: the
// records to destroy that no hold covers are destroyed (DestroyRecords,
// run as the trusted actor of the caller's name, so that the journal and
// the register name the caller), the held ones are skipped, said why, and
// go on a later list; the list is then executed.
//
// # Legal holds
//
// A hold (holds/<id>/<v>.json: 1 placed, 2 released) covers a record, every
// record of a customer (present and future), or the records a search
// query matches (when placed, and whenever holds are asked again). A
// record any active hold covers is never put on an appraisal list, and
// HeldBy tells destruction which holds stop it. An auditor or a manager
// places holds; the role that placed a hold, or a manager, releases it.

// Prefixes of disposition objects (see objectkeys.go).
const (
	AppraisalsPrefix = "appraisals/"
	HoldsPrefix      = "holds/"
	RetentionsPrefix = "retentions/"
	SchedulesPrefix  = "schedules/"
)

// Resource kinds of disposition, in the policy.
const (
	KindAppraisal ResourceKind = "appraisal" // appraisal lists
	KindHold      ResourceKind = "hold"      // legal holds
)

// AppraisalID identifies an appraisal list; HoldID a legal hold.
type (
	AppraisalID string
	HoldID      string
)

// AppraisalState is where a list stands.
type AppraisalState string

// The states of an appraisal list.
const (
	AppraisalDraft     AppraisalState = "draft"
	AppraisalSubmitted AppraisalState = "submitted"
	AppraisalApproved  AppraisalState = "approved"
	AppraisalRejected  AppraisalState = "rejected"
	AppraisalExecuted  AppraisalState = "executed"
)

// Open reports whether a list in state s still holds its records: a
// record is on at most one open list.
func (s AppraisalState) Open() bool {
	return s == AppraisalDraft || s == AppraisalSubmitted || s == AppraisalApproved
}

// The decisions on an entry.
const (
	DecisionDestroy = "destroy"
	DecisionKeep    = "keep"
)

// AppraisalEntry is one record on a list: what the deciders see of it,
// and what was decided.
type AppraisalEntry struct {
	Record        RecordID   `json:"record"`
	ReferenceCode string     `json:"reference_code"` // 档号
	CustomerID    CustomerID `json:"customer_id"`
	CustomerName  string     `json:"customer_name"`
	Topic         string     `json:"topic"`
	Year          int        `json:"year"`         // of the visit: the class's
	Retention     Retention  `json:"retention"`    // the period in force when listed
	RetainUntil   time.Time  `json:"retain_until"` // when it fell due
	ArchivedAt    time.Time  `json:"archived_at"`

	Decision  string    `json:"decision,omitempty"`   // destroy or keep
	KeepFor   Retention `json:"keep_for,omitempty"`   // keep: the new period
	Reason    string    `json:"reason,omitempty"`     // why (required to keep)
	DecidedBy UserName  `json:"decided_by,omitempty"` // the archivist
	DecidedAt time.Time `json:"decided_at,omitzero"`

	// Struck is set when a manager took the entry off the list: it is
	// neither destroyed nor kept.
	Struck       bool      `json:"struck,omitempty"`
	StruckReason string    `json:"struck_reason,omitempty"`
	StruckBy     UserName  `json:"struck_by,omitempty"`
	StruckAt     time.Time `json:"struck_at,omitzero"`
}

// Appraisal is an appraisal list (鉴定清单) of one class.
type Appraisal struct {
	ID      AppraisalID      `json:"id"`
	Version int              `json:"version"`
	Class   Class            `json:"class"`
	State   AppraisalState   `json:"state"`
	Entries []AppraisalEntry `json:"entries"`

	CreatedBy   UserName  `json:"created_by"` // who ran the pass ("system" for the job)
	CreatedAt   time.Time `json:"created_at"`
	UpdatedBy   UserName  `json:"updated_by"`
	UpdatedAt   time.Time `json:"updated_at"`
	CompiledBy  UserName  `json:"compiled_by,omitempty"` // 编制人: who submitted it
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// ApprovedBy and ApprovedAt are the manager who approved or rejected
	// it and when; RejectReason says why a list was rejected.
	ApprovedBy   UserName  `json:"approved_by,omitempty"`
	ApprovedAt   time.Time `json:"approved_at,omitzero"`
	RejectReason string    `json:"reject_reason,omitempty"`
	// Witnesses are the confirmations of an approved list by its
	// witnesses (监销人), each a new version of the list; two are needed
	// before it is executed.
	Witnesses []WitnessConfirmation `json:"witnesses,omitempty"`
	// ExecutedAt is set by the destruction of an approved list;
	// Destruction names it (none when every record was held).
	ExecutedAt  time.Time `json:"executed_at,omitzero"`
	Destruction string    `json:"destruction,omitempty"`
}

// WitnessConfirmation is one witness's confirmation of an approved list,
// made under their own sign-in.
type WitnessConfirmation struct {
	By UserName  `json:"by"`
	At time.Time `json:"at"`
}

// ToDestroy returns the entries of an approved list that are to be
// destroyed: decided so and not struck.
func (l *Appraisal) ToDestroy() []AppraisalEntry {
	var out []AppraisalEntry
	for _, e := range l.Entries {
		if !e.Struck && e.Decision == DecisionDestroy {
			out = append(out, e)
		}
	}
	return out
}

// HoldScope is what a hold covers.
type HoldScope string

// The scopes of a hold.
const (
	HoldRecord   HoldScope = "record"
	HoldCustomer HoldScope = "customer"
	HoldQuery    HoldScope = "query"
)

// HoldSearch is the search a query hold covers: the filters of a search
// (text, customer, type, area, department, visit dates, reference code,
// retention).
type HoldSearch struct {
	Text          string       `json:"q,omitempty"`
	CustomerID    CustomerID   `json:"customer,omitempty"`
	CustomerType  string       `json:"customer_type,omitempty"`
	BusinessArea  string       `json:"business_area,omitempty"`
	Department    DepartmentID `json:"department,omitempty"`
	From          time.Time    `json:"from,omitzero"`
	To            time.Time    `json:"to,omitzero"`
	ReferenceCode string       `json:"reference_code,omitempty"`
	Retention     string       `json:"retention,omitempty"`
}

func (h HoldSearch) query() SearchQuery {
	return SearchQuery{Text: h.Text, CustomerID: h.CustomerID, CustomerType: h.CustomerType,
		BusinessArea: h.BusinessArea, Department: h.Department, From: h.From, To: h.To,
		ReferenceCode: h.ReferenceCode, Retention: h.Retention, Status: string(StatusArchived)}
}

// Hold is a legal hold (法律保全).
type Hold struct {
	ID       HoldID      `json:"id"`
	Version  int         `json:"version"`
	Scope    HoldScope   `json:"scope"`
	Record   RecordID    `json:"record,omitempty"`
	Customer CustomerID  `json:"customer,omitempty"`
	Query    *HoldSearch `json:"query,omitempty"`
	// Matched are the records the query matched when the hold was placed.
	Matched []RecordID `json:"matched,omitempty"`
	Reason  string     `json:"reason"`

	PlacedBy   UserName  `json:"placed_by"`
	PlacedRole Role      `json:"placed_role"` // auditor or manager
	PlacedAt   time.Time `json:"placed_at"`

	Released      bool      `json:"released"`
	ReleasedBy    UserName  `json:"released_by,omitempty"`
	ReleasedAt    time.Time `json:"released_at,omitzero"`
	ReleaseReason string    `json:"release_reason,omitempty"`
}

// RetentionChange is a record's period put into force by an approved
// appraisal (a "keep"): version v of retentions/<record>/.
type RetentionChange struct {
	Record     RecordID    `json:"record"`
	Version    int         `json:"version"`
	Retention  Retention   `json:"retention"` // the new period
	Previous   Retention   `json:"previous"`
	Reason     string      `json:"reason"`
	Appraisal  AppraisalID `json:"appraisal"`
	DecidedBy  UserName    `json:"decided_by"`
	ApprovedBy UserName    `json:"approved_by"`
	Time       time.Time   `json:"time"`
}

// scheduleVersion is one journaled version of the retention schedule.
type scheduleVersion struct {
	Name     string          `json:"name"` // "retention"
	Version  int             `json:"version"`
	Schedule json.RawMessage `json:"schedule"`
	Time     time.Time       `json:"time"`
}

// The kinds of disposition objects.
var (
	appraisalKind = kind[AppraisalID, Appraisal]{AppraisalsPrefix, KindAppraisal,
		func(l *Appraisal) (AppraisalID, int) { return l.ID, l.Version }, ValidID}
	holdKind = kind[HoldID, Hold]{HoldsPrefix, KindHold,
		func(h *Hold) (HoldID, int) { return h.ID, h.Version }, ValidID}
	retentionKind = kind[RecordID, RetentionChange]{RetentionsPrefix, KindRecord,
		func(r *RetentionChange) (RecordID, int) { return r.Record, r.Version }, ValidID}
)

// AppraisalKey is the key of version v of appraisal list id.
func AppraisalKey(id AppraisalID, v int) string { return appraisalKind.key(id, v) }

// HoldKey is the key of version v of hold id.
func HoldKey(id HoldID, v int) string { return holdKind.key(id, v) }

// RetentionKey is the key of version v of the retention changes of
// record id.
func RetentionKey(id RecordID, v int) string { return retentionKind.key(id, v) }

// ScheduleKey is the key of version v of the retention schedule.
func ScheduleKey(v int) string { return fmt.Sprintf("%sretention/%010d.json", SchedulesPrefix, v) }

// years is how long each period keeps a record; Y is absent.
var years = map[Retention]int{RetainD10: 10, RetainD30: 30}

// longer reports whether period a keeps a record longer than b.
func longer(a, b Retention) bool { return rank(a) > rank(b) }

func rank(r Retention) int {
	switch r {
	case RetainPermanent:
		return 100
	case "":
		return -1
	}
	return years[r]
}
