package visitarchive

import (
	"context"
	"time"
)

// Index is the full-text and facet index of visit records: a projection of
// the store that can always be rebuilt from it.
type Index interface {
	// Apply indexes docs and removes deleted in one batch, and records seq as
	// the last journal sequence applied, atomically with them.
	Apply(ctx context.Context, seq uint64, docs []IndexDoc, deleted []RecordID) error

	// LastSeq returns the last journal sequence applied (0 for a new index).
	LastSeq(ctx context.Context) (uint64, error)

	// Search answers q. Total counts every match, not only the page. It
	// must call q.OnPage, when set, with the page's IDs before it returns
	// them: the Archive logs the reads there.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)

	// Count returns the number of indexed records.
	Count(ctx context.Context) (uint64, error)

	// PlansWithRecords returns those of plans that at least one indexed
	// record names in plan_id.
	PlansWithRecords(ctx context.Context, plans []PlanID) (map[PlanID]bool, error)

	// Mark finds the words of text (a SearchQuery.Text) in pages as
	// Search matches them in the text of files, and returns the page
	// (from 0) that holds the most of them, with a fragment of it
	// marked as Search marks a record's text; ok is false when no page
	// holds any. The index keeps no text of files to highlight, so the
	// Archive hands it the text at query time.
	Mark(text string, pages []string) (page int, fragment string, ok bool)
}

// IndexDoc is what the index stores of one record: the record with the
// attributes of its customer that searches filter on.
type IndexDoc struct {
	Record   *Record
	Customer *Customer // may be nil when the customer is unknown

	// Blind holds the keyed hashes of sensitive values, as "field:hash"
	// (such as "contact_phone:3f9a…"), for exact lookup without plaintext.
	Blind []string

	// Retention is the period in force of an archived record (the one
	// archiving gave it, extended by an appraisal or a longer schedule:
	// see disposition.go), and RetainUntil the day it is due for
	// appraisal; zero for a record not archived or kept permanently.
	Retention   Retention
	RetainUntil time.Time

	// Files holds the text extracted from the record's attachments, one
	// entry per attachment, phone numbers and e-mail addresses taken out
	// (their hashes are in Blind). The index searches it beside the
	// record's text and does not store it.
	Files []FileText
}

// FileText is the text extracted from one attachment, page by page.
type FileText struct {
	Attachment string
	Pages      []string
}

// Sort orders of search results.
const (
	SortRelevance      = "relevance"
	SortVisitStart     = "visit_start"
	SortVisitStartDesc = "-visit_start"
)

// SearchQuery is a full-text query with filters. Empty fields do not filter.
type SearchQuery struct {
	Text         string     // words, Chinese words, model numbers
	CustomerID   CustomerID // exact; a customer that exists
	CustomerName string     // exact: the customer_name on the record
	CustomerType string
	BusinessArea string
	Department   DepartmentID
	Visitor      UserName
	Intent       string
	Status       string
	Country      string
	From, To     time.Time // visit_start within [From, To); zero is open

	// The workflow: who approved, the archival reference code and
	// retention period, late submissions, and plans.
	Reviewer      UserName
	ReferenceCode string
	Retention     string
	Late          string // "true" or "false"; "" does not filter
	PlanID        PlanID
	// Overdue keeps only drafts whose due_at is before Now: records never
	// submitted by their deadline. Now also decides the overdue facet.
	Overdue bool
	Now     time.Time

	// Retention and disposition (disposition.go): Due keeps only the
	// archived records whose retain_until is at or before Now (due for
	// appraisal); RetainFrom and RetainTo keep those whose retain_until
	// is within [RetainFrom, RetainTo). A permanent (Y) record has no
	// retain_until and matches none of them. Now also decides the due
	// facet.
	Due                  bool
	RetainFrom, RetainTo time.Time

	Sort       string // one of the Sort constants; "" is relevance
	Page, Size int    // Page from 1; Size from 1 to MaxPageSize
	NoFacets   bool   // skip facet counting (listing pages)

	// ContactPhone and ContactEmail find records by an exact contact
	// detail; the Archive turns them into Blind.
	ContactPhone, ContactEmail string

	// Blind filters by keyed hashes of sensitive values, each "field:hash"
	// as in IndexDoc.Blind; all must match.
	Blind []string

	// Scope limits matches to what the caller may read; nil does not
	// limit (trusted callers only). The Archive sets it from the policy.
	Scope *Scope

	// OnPage, if set, is called in the searching goroutine with the IDs
	// of the page's hits once they are chosen, before their fields are
	// fetched and highlighted, so that the caller can work on them
	// meanwhile: the Archive writes them to the access log. A hit removed
	// in between is named there but left out of the result.
	OnPage func([]RecordID) `json:"-"`
}

// Default and largest page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// SearchResult is one page of hits, the total and the facets of all matches.
type SearchResult struct {
	Total  uint64                  `json:"total"`
	Hits   []SearchHit             `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
}

// SearchHit is one matching record with highlighted fragments of the text
// that matched, keyed by field.
type SearchHit struct {
	ID           RecordID            `json:"id"`
	Score        float64             `json:"score"`
	CustomerID   CustomerID          `json:"customer_id"`
	CustomerName string              `json:"customer_name"`
	VisitStart   time.Time           `json:"visit_start"`
	Topic        string              `json:"topic"`
	Fragments    map[string][]string `json:"fragments,omitempty"`
	// Attachment names the file whose text the fragment under
	// FragmentFiles comes from; nil when the words were not found in the
	// text of a file.
	Attachment *HitAttachment `json:"attachment,omitempty"`
}

// FragmentFiles is the key of SearchHit.Fragments that holds a fragment
// of the text of one of the record's files (SearchHit.Attachment).
const FragmentFiles = "files"

// HitAttachment is the file a hit's fragment of FragmentFiles comes from.
type HitAttachment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Page int    `json:"page"` // from 1
}

// FacetCount is how many matches have one value of a keyword field.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// FacetFields are the keyword fields whose values are counted in results.
var FacetFields = []string{
	"customer_id", "customer_type", "business_area", "department",
	"visitors", "status", "cooperation_intent", "country",
	"late", "reviewer", "retention",
}

// FacetOverdue is the facet that counts the matches that are overdue at
// SearchQuery.Now, as one value "true".
const FacetOverdue = "overdue"

// FacetDue is the facet that counts the matches whose retain_until is at
// or before SearchQuery.Now (due for appraisal), as one value "true".
const FacetDue = "due"

// Normalize checks q and fills in defaults.
func (q *SearchQuery) Normalize() error {
	var c checker
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
	case SortRelevance, SortVisitStart, SortVisitStartDesc:
	default:
		c.add("sort", "must be relevance, visit_start or -visit_start")
	}
	c.pageSize(&q.Page, &q.Size)
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		c.add("to", "must be after from")
	}
	c.date("from", q.From)
	c.date("to", q.To)
	c.text("q", q.Text, 500)
	c.text("customer_name", q.CustomerName, shortText)
	c.oneOf("late", q.Late, []string{"true", "false"})
	c.oneOf("retention", q.Retention, Retentions)
	if q.Overdue && q.Now.IsZero() {
		c.add("overdue", "needs the time to compare deadlines with")
	}
	if q.Due && q.Now.IsZero() {
		c.add("due", "needs the time to compare due dates with")
	}
	if !q.RetainFrom.IsZero() && !q.RetainTo.IsZero() && !q.RetainTo.After(q.RetainFrom) {
		c.add("retain_until_to", "must be after retain_until_from")
	}
	c.phone("phone", q.ContactPhone)
	c.email("email", q.ContactEmail)
	return c.result("search", "query")
}
