package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The supervision group's pages (监督): the journal — every change and
// every read, in order, by actor, action and period — and the access
// log — who read what — as GET /api/v1/audit/journal and /audit/access
// answer them, and the verification of the journal's chain (verify.go).
// The Archive lets only auditors read them.

// auditTabs are the auditors' pages, each shown to whoever the policy
// allows what it needs.
var auditTabs = []navItem{
	{label: msg("Journal"), path: "/audit/journal", perm: visitarchive.PermRead, kind: visitarchive.KindJournal},
	{label: msg("Verification"), path: "/audit/verify", perm: visitarchive.PermRead, kind: visitarchive.KindJournal},
	{label: msg("Access log"), path: "/audit/access", perm: visitarchive.PermRead, kind: visitarchive.KindAccessLog},
	{label: msg("Four-property audit"), path: "/audit/report", perm: visitarchive.PermRead, kind: visitarchive.KindJournal},
}

// tabsOf are the links of items the caller's roles allow, the one at
// this path current.
func (w *Web) tabsOf(c *fiber.Ctx, r *Request, items []navItem) []tab {
	var out []tab
	for _, it := range items {
		if w.archive.MayEver(c.UserContext(), it.perm, it.kind) {
			out = append(out, tab{Label: r.T(it.label), URL: it.path, Current: c.Path() == it.path})
		}
	}
	return out
}

// audit sends an auditor to the first of their pages.
func (w *Web) audit(c *fiber.Ctx, r *Request) error {
	if tabs := w.tabsOf(c, r, auditTabs); len(tabs) > 0 {
		return redirect(c, tabs[0].URL)
	}
	return w.mayUse(c, visitarchive.PermRead, visitarchive.KindJournal)
}

// journalPageSize is how many entries a page of the journal shows.
const journalPageSize = 50

// journalView is the content of the journal page.
type journalView struct {
	Tabs    []tab
	Form    map[string]string // actor, action, from, to, after: as sent
	Errors  map[string]string
	Fields  []field
	Ran     bool
	Rows    []journalRow
	Next    string // the link to the following entries; "" at the end
	First   string // the link to the start; "" at it
	Stopped uint64 // the walk stopped at this entry without filling the page
	Actions []string
}

// journalRow is one change of a journal entry.
type journalRow struct {
	Seq  uint64
	Time time.Time
	visitarchive.Change
	Link string // the page of the object it changed or read, if it has one
}

// keyLink is the page of the object under key (records/R1/… is
// /records/R1), if its kind has one (objectLinks); else "".
func keyLink(key string) string {
	for prefix, kind := range map[string]visitarchive.ResourceKind{
		visitarchive.RecordsPrefix: visitarchive.KindRecord, visitarchive.CustomersPrefix: visitarchive.KindCustomer,
		visitarchive.PlansPrefix: visitarchive.KindPlan,
	} {
		if rest, ok := strings.CutPrefix(key, prefix); ok {
			id, _, _ := strings.Cut(rest, "/")
			return objectLink(kind, id)
		}
	}
	return ""
}

// journalActions are offered as the action filter's choices: families
// and the actions auditors ask for most.
var journalActions = []string{
	"record", "record.create", "record.update", "record.submit", "record.return", "record.approve", "record.archive",
	"record.annotate", visitarchive.ActionRead, visitarchive.ActionHit, visitarchive.ActionExport,
	"plan", "plan.create", "plan.submit", "plan.decide", "plan.cancel", visitarchive.ActionPlanRead,
	"customer", visitarchive.ActionCustomerRead, "user", "user.password", "department", "auth",
}

func (w *Web) journal(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermRead, visitarchive.KindJournal); err != nil {
		return err
	}
	loc := w.archive.Location()
	v := journalView{Tabs: w.tabsOf(c, r, auditTabs), Form: queryValues(c, "actor", "action", "from", "to", "after"),
		Errors: map[string]string{}, Actions: journalActions}
	f := visitarchive.JournalFilter{Actor: visitarchive.UserName(v.Form["actor"]), Action: v.Form["action"],
		From: day(c, r, "from", false, loc, v.Errors), To: day(c, r, "to", true, loc, v.Errors), Limit: journalPageSize}
	if s := v.Form["after"]; s != "" {
		var err error
		if f.After, err = strconv.ParseUint(s, 10, 64); err != nil {
			v.Errors["after"] = r.T("Enter the number of an entry, or nothing to start at the beginning.")
		}
	}
	if len(v.Errors) == 0 {
		page, err := w.archive.FilterJournal(c.UserContext(), f)
		switch {
		case visitarchive.IsKind(err, visitarchive.Invalid):
			v.Errors = fieldErrors(r.Lang, err)
		case err != nil:
			return err
		default:
			v.fill(c, f, page)
		}
	}
	if len(v.Errors) > 0 {
		c.Status(http.StatusUnprocessableEntity)
	}
	v.Fields = filterFields(r, v.Form, v.Errors, "actor", "action", "from", "to", "after")
	v.Fields[1].List, v.Fields[4].Label = "actions", r.T("After entry No.")
	return w.render(c, r, "audit-journal", msg("Journal"), v)
}

// fill fills v with page, the entries f found.
func (v *journalView) fill(c *fiber.Ctx, f visitarchive.JournalFilter, page *visitarchive.JournalPage) {
	v.Ran = true
	for _, e := range page.Entries {
		for _, ch := range e.Changes {
			v.Rows = append(v.Rows, journalRow{Seq: e.Seq, Time: e.Time, Change: ch, Link: keyLink(ch.Key)})
		}
	}
	if page.Next != 0 {
		v.Next = withParam(c, "after", strconv.FormatUint(page.Next, 10))
		if len(page.Entries) < f.Limit {
			v.Stopped = page.Next
		}
	}
	if f.After != 0 {
		v.First = withParam(c, "after", "")
	}
}

// queryValues are the query parameters names, trimmed.
func queryValues(c *fiber.Ctx, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = strings.TrimSpace(c.Query(n))
	}
	return out
}

// accessPageSize is how many reads a page of the access log shows.
const accessPageSize = 50

// accessLimit is the most reads the access log page looks at: the
// newest of the period.
const accessLimit = 10000

// accessView is the content of the access log page.
type accessView struct {
	Tabs   []tab
	Form   map[string]string // user, record, customer, plan, from, to: as sent
	Errors map[string]string
	Fields []field
	Events []visitarchive.AccessEvent // this page's, newest first
	Total  int
	Capped bool // there were more than accessLimit: the oldest are left out
	Pager  Pager
	Ran    bool
}

func (w *Web) accessLog(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermRead, visitarchive.KindAccessLog); err != nil {
		return err
	}
	loc := w.archive.Location()
	v := accessView{Tabs: w.tabsOf(c, r, auditTabs), Form: queryValues(c, "user", "record", "customer", "plan", "from", "to"),
		Errors: map[string]string{}}
	f := visitarchive.AccessFilter{User: visitarchive.UserName(v.Form["user"]), Record: visitarchive.RecordID(v.Form["record"]),
		Customer: visitarchive.CustomerID(v.Form["customer"]), Plan: visitarchive.PlanID(v.Form["plan"]),
		From: day(c, r, "from", false, loc, v.Errors), To: day(c, r, "to", true, loc, v.Errors), Limit: accessLimit}
	var events []visitarchive.AccessEvent
	var err error
	if len(v.Errors) == 0 {
		events, err = w.archive.AccessLog(c.UserContext(), f)
	}
	switch {
	case visitarchive.IsKind(err, visitarchive.Invalid):
		v.Errors = fieldErrors(r.Lang, err)
	case err != nil:
		return err
	}
	v.Fields = filterFields(r, v.Form, v.Errors, "user", "record", "customer", "plan", "from", "to")
	if len(v.Errors) > 0 {
		c.Status(http.StatusUnprocessableEntity)
		return w.render(c, r, "audit-access", msg("Access log"), v)
	}
	slices.Reverse(events)
	page := pageNumber(c)
	v.Ran, v.Total, v.Capped = true, len(events), len(events) == accessLimit
	v.Events = pageOf(events, page, accessPageSize)
	v.Pager = newPager(c, page, accessPageSize, len(events))
	return w.render(c, r, "audit-access", msg("Access log"), v)
}
