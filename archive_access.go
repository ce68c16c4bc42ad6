package visitarchive

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Access events: every read of personal data goes into the journal — a
// record's content or its list of attachments, a download of an
// attachment, a customer's contacts, a plan, an inbox — with who,
// when, which object, which fields and from which address, so that
// auditors can answer "who has seen this" from the tamper-evident trail.
// A read that cannot be logged is not served.

// Access actions in the journal.
const (
	ActionRead         = "record.read"   // a record's content was returned
	ActionHit          = "record.hit"    // a record came back as a search hit
	ActionExport       = "record.export" // a bulk export, one event with its scope
	ActionCustomerRead = "customer.read" // a customer's contacts were returned
	ActionPlanRead     = "plan.read"     // a plan, or its history, was returned
	ActionInboxRead    = "inbox.list"    // a page of notifications was returned
)

// accessActions are the actions of access events.
var accessActions = []string{ActionRead, ActionHit, ActionExport, ActionCustomerRead, ActionPlanRead, ActionInboxRead,
	ActionPaperRead, ActionAttachmentRead, ActionScanRead}

// FieldsContent names the non-sensitive content of a record in an access
// event; sensitive fields revealed are listed by name beside it.
const FieldsContent = "content"

// logAccess journals access events for the caller in ctx.
func (a *Archive) logAccess(ctx context.Context, op string, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	u := ActorFrom(ctx)
	var addr string
	if p := PrincipalFrom(ctx); p != nil {
		addr = p.Addr
	}
	for i := range changes {
		changes[i].Actor, changes[i].Addr = u, addr
	}
	if _, err := a.journal.Append(ctx, changes...); err != nil {
		return E(op, Unavailable, err, "the read could not be written to the access log, so it is not served; try again")
	}
	return nil
}

// readFields lists what of r an access event says was read.
func readFields(r *Record, revealed bool, sensitive []string) []string {
	fields := []string{FieldsContent}
	if revealed {
		for _, f := range sensitive {
			if p := r.textField(f); p != nil && *p != "" {
				fields = append(fields, f)
			}
		}
		if len(r.DecisionChain) > 0 {
			fields = append(fields, "decision_chain")
		}
	}
	return fields
}

// planRead is the access event of a read of plan p; fields are what of
// it was seen (FieldsContent, or "history").
func planRead(p *Plan, fields ...string) Change {
	return Change{Action: ActionPlanRead, Key: PlanKey(p.ID, p.Version), Fields: fields}
}

// planReads are the access events of a listing of ps.
func planReads(ps []*Plan) []Change {
	out := make([]Change, len(ps))
	for i, p := range ps {
		out[i] = planRead(p, FieldsContent)
	}
	return out
}

// AccessEvent is one read, as auditors list them: of a record, an
// attachment of a record (Record and Attachment), a customer's contacts, a
// plan, or the reader's inbox.
type AccessEvent struct {
	Seq        uint64     `json:"seq"`
	Time       time.Time  `json:"time"`
	User       UserName   `json:"user"`
	Action     string     `json:"action"`
	Record     RecordID   `json:"record,omitempty"`
	Attachment string     `json:"attachment,omitempty"`
	Customer   CustomerID `json:"customer,omitempty"`
	Plan       PlanID     `json:"plan,omitempty"`
	Scan       ScanID     `json:"scan,omitempty"` // a scan of the scan inbox, downloaded
	Fields     []string   `json:"fields,omitempty"`
	Addr       string     `json:"addr,omitempty"`
	Detail     string     `json:"detail,omitempty"`
}

// AccessFilter selects access events; zero fields do not filter.
type AccessFilter struct {
	User     UserName
	Record   RecordID
	Customer CustomerID
	Plan     PlanID
	From, To time.Time // [From, To)
	Limit    int       // at most this many, newest last (0: 1000)
}

// AccessLog lists the access events that match f, oldest first, by
// walking the journal. Only callers allowed to read the access log may.
func (a *Archive) AccessLog(ctx context.Context, f AccessFilter) ([]AccessEvent, error) {
	const op = "audit.access"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindAccessLog}); err != nil {
		return nil, err
	}
	if err := f.check(op); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	var out []AccessEvent
	for e, err := range a.journal.Since(ctx, 0) {
		if err != nil {
			return nil, err
		}
		if !f.To.IsZero() && !e.Time.Before(f.To) {
			break
		}
		if e.Time.Before(f.From) {
			continue
		}
		out = append(out, f.events(e)...)
		if len(out) > f.Limit {
			out = slices.Delete(out, 0, len(out)-f.Limit)
		}
	}
	return out, nil
}

// check holds the period of f to the range of times the archive
// accepts, as searches are.
func (f AccessFilter) check(op string) error {
	var c checker
	c.date("from", f.From)
	c.date("to", f.To)
	return c.result(op, "query")
}

// events returns the access events of e that f selects.
func (f AccessFilter) events(e Entry) []AccessEvent {
	var out []AccessEvent
	for _, c := range e.Changes {
		if !isAccess(c.Action) || f.User != "" && c.Actor != f.User {
			continue
		}
		ev := AccessEvent{Seq: e.Seq, Time: e.Time, User: c.Actor, Action: c.Action,
			Record: recordOfKey(c.Key), Customer: CustomerID(idOfKey(CustomersPrefix, c.Key)),
			Plan: PlanID(idOfKey(PlansPrefix, c.Key)), Fields: c.Fields, Addr: c.Addr, Detail: c.Detail}
		if rest, ok := strings.CutPrefix(c.Key, AttachmentsPrefix); ok {
			rid, file, _ := strings.Cut(rest, "/")
			ev.Record, ev.Attachment = RecordID(rid), strings.TrimSuffix(file, ".bin")
		}
		if rest, ok := strings.CutPrefix(c.Key, ScanFilesPrefix); ok {
			ev.Scan = ScanID(strings.TrimSuffix(rest, ".bin"))
		}
		if f.Record != "" && ev.Record != f.Record || f.Customer != "" && ev.Customer != f.Customer ||
			f.Plan != "" && ev.Plan != f.Plan {
			continue
		}
		out = append(out, ev)
	}
	return out
}

func isAccess(action string) bool { return slices.Contains(accessActions, action) }

// idOfKey returns the id in a key under prefix (records/, …), version or
// not; "" for a key under another prefix.
func idOfKey(prefix, key string) string {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// recordOfKey returns the record that key is of: a version of it, its
// paper original or a loan of that; "" for any other key.
func recordOfKey(key string) RecordID {
	return RecordID(cmp.Or(idOfKey(RecordsPrefix, key), idOfKey(PaperPrefix, key), idOfKey(LoansPrefix, key)))
}

// recordRef is the key an access event names for a record whose version
// is not known (a search hit).
func recordRef(id RecordID) string { return RecordsPrefix + string(id) }

// Export is a bulk export that the policy allowed and the access log
// holds; Write sends its records.
type Export struct {
	a   *Archive
	q   SearchQuery
	res *SearchResult // the first page
}

// ExportRecords prepares the export of every record that matches q and
// that the caller may export: it checks the query and the caller's right,
// finds the first page, and logs the export, as one event with its
// filters and size, before anything is sent. Write sends the records.
func (a *Archive) ExportRecords(ctx context.Context, q SearchQuery) (*Export, error) {
	const op = "record.export"
	scope, err := a.scope(ctx, op, PermExport, KindRecord)
	if err != nil {
		return nil, err
	}
	if scope != nil && !scope.All && len(scope.Clauses) == 0 {
		return nil, E(op, Forbidden, nil, "your roles do not allow bulk export")
	}
	q.Sort, q.Page, q.Size, q.NoFacets = SortVisitStart, 1, MaxPageSize, true
	if err := a.limitQuery(ctx, op, PermExport, &q); err != nil {
		return nil, err
	}
	if q.Now.IsZero() {
		q.Now = a.now()
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := a.checkCustomerFilter(ctx, op, q.CustomerID); err != nil {
		return nil, err
	}
	if err := a.hasIndex(op); err != nil {
		return nil, err
	}
	res, err := a.index.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	ev := Change{Action: ActionExport, Detail: fmt.Sprintf("%d record(s) matching %s", res.Total, describeQuery(q))}
	if err := a.logAccess(ctx, op, []Change{ev}); err != nil {
		return nil, err
	}
	return &Export{a: a, q: q, res: res}, nil
}

// Write writes the records of x to w, one JSON object a line, oldest
// visit first, with sensitive fields only where the caller in ctx (the
// caller of ExportRecords) may see them, and returns how many it wrote.
// It is called once.
func (x *Export) Write(ctx context.Context, w io.Writer) (int, error) {
	return x.a.exportPages(ctx, x.q, x.res, w)
}

// exportPages writes res and the pages after it.
func (a *Archive) exportPages(ctx context.Context, q SearchQuery, res *SearchResult, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	reveals := a.recordRevealer(ctx)
	n := 0
	for {
		stored, err := a.loadStored(ctx, res.Hits)
		if err != nil {
			return n, err
		}
		for _, s := range stored {
			r, err := a.openRecord(ctx, s, reveals(RecordResource(&s.Record)))
			if err != nil {
				return n, err
			}
			if err := enc.Encode(r); err != nil {
				return n, err
			}
			n++
		}
		if len(res.Hits) < q.Size || q.Page >= 10000 {
			return n, nil
		}
		q.Page++
		if res, err = a.index.Search(ctx, q); err != nil {
			return n, err
		}
	}
}

// describeQuery says what a query selects, for the access log.
func describeQuery(q SearchQuery) string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	add("q", q.Text)
	add("customer", string(q.CustomerID))
	add("customer_name", q.CustomerName)
	add("customer_type", q.CustomerType)
	add("business_area", q.BusinessArea)
	add("department", string(q.Department))
	add("visitor", string(q.Visitor))
	add("intent", q.Intent)
	add("status", q.Status)
	add("country", q.Country)
	if q.ContactPhone != "" {
		add("phone", "(given)")
	}
	if q.ContactEmail != "" {
		add("email", "(given)")
	}
	if !q.From.IsZero() {
		add("from", q.From.Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		add("to", q.To.Format(time.RFC3339))
	}
	if len(parts) == 0 {
		return "all records the exporter may export"
	}
	return strings.Join(parts, " ")
}
