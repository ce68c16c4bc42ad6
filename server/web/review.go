package web

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The supervisor's work (上级主管): the plans waiting for their decision
// (approve, with adjustments of time and place or escalating a major one
// to management; reject with a reason), the records waiting for review
// (approve, or return with comments on single fields), and the overdue
// records and the plans missing their record in the departments they
// head. The lists are the Archive's listings, which hold what the
// policy lets the caller read; the moves are the Archive's, which
// decide who may make them.

// lateTabs lead between the supervisor's lists of what is late.
var lateTabs = []string{
	msg("Overdue records"), "/review/overdue",
	msg("Plans without a record"), "/review/missing",
}

func (w *Web) plansToDecide(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermReview, visitarchive.KindPlan); err != nil {
		return err
	}
	q := visitarchive.PlanQuery{Undecided: true, Page: pageNumber(c), Size: listPageSize}
	v := planListView{Heading: r.T("Plans to decide"), Intro: r.T(w.plansToDecideIntro(c, r)),
		Empty: r.T("No plan waits for a decision.")}
	return w.renderPlans(c, r, q, v)
}

// plansToDecideIntro says which plans the list holds: the Archive lists
// every plan the caller decides, ordinary ones of the departments they
// head and, for management, the major ones of every department.
func (w *Web) plansToDecideIntro(c *fiber.Ctx, r *Request) string {
	ordinary := w.shows(c.UserContext(), r.User, menuItem("/review/plans"))
	switch major := w.archive.Allowed(c.UserContext(), visitarchive.PermReview, majorPlans); {
	case ordinary && major:
		return msg("Submitted plans, and changes of approved plans, of the departments you head, and the major plans of every department, which management decides.")
	case major:
		return msg("Major plans of every department, and changes of approved ones, which management decides.")
	}
	return msg("Submitted plans, and changes of approved plans, of the departments you head. A major plan is decided by management.")
}

func (w *Web) missingRecords(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermReview, visitarchive.KindRecord); err != nil {
		return err
	}
	q := visitarchive.PlanQuery{MissingRecord: true, Page: pageNumber(c), Size: listPageSize}
	v := planListView{Heading: r.T("Plans without a record"), Tabs: tabs(r, "/review/missing", lateTabs...),
		Intro: r.T("Approved plans whose visit has ended and that no record names yet."),
		Empty: r.T("Every visit that has ended has its record."), Due: true}
	return w.renderPlans(c, r, q, v)
}

// decideFields are the fields of the decision form of plan p: the time
// and place of the plan (or of its pending change) to adjust, as the
// decider typed them when a decision failed.
func (w *Web) decideFields(r *Request, p *visitarchive.Plan, d decideForm) decideForm {
	proposed := p
	if p.Pending != nil {
		proposed = p.Pending
	}
	values := map[string]string{}
	for _, f := range d.Fields {
		values[f.Name] = f.Value
	}
	if len(values) == 0 {
		values = planForm(proposed, w.archive.Location())
	}
	var out []formField
	for _, name := range []string{"visit_start", "visit_end", "location"} {
		kind := "datetime"
		if name == "location" {
			kind = "text"
		}
		out = append(out, formField{Name: "adjust_" + name, Label: Label(r.Lang, name), Kind: kind, Value: values[name],
			Error: d.Problems.Fields[name]})
	}
	d.Fields = out
	return d
}

func (w *Web) decidePlan(c *fiber.Ctx, r *Request) error {
	id, err := planParam(c)
	if err != nil {
		return err
	}
	approve := c.FormValue("action") == "approve"
	move := "reject"
	if approve {
		move = "approve"
	}
	if err := w.planMove(c, id, move); err != nil {
		return err
	}
	ctx := c.UserContext()
	form := formValues(c, "adjust_visit_start", "adjust_visit_end", "adjust_location", "comment", "major")
	d := decideForm{Comment: form["comment"], Escalate: form["major"] != ""}
	for _, name := range []string{"visit_start", "visit_end", "location"} {
		d.Fields = append(d.Fields, formField{Name: name, Value: form["adjust_"+name]})
	}
	verdict := visitarchive.PlanVerdict{Version: formVersion(c), Approve: approve, Comment: strings.TrimSpace(d.Comment), Major: d.Escalate}
	var mine map[string]string
	if approve {
		if verdict.Adjusted, mine, err = w.adjusted(c, r, id, form); err != nil {
			return err
		}
	}
	var p *visitarchive.Plan
	if len(mine) > 0 { // never approve without the adjustment the decider meant
		err = visitarchive.E("web.plan", visitarchive.Invalid, nil, "the adjusted times cannot be read")
	} else {
		p, err = w.archive.DecidePlan(ctx, id, verdict)
	}
	if err != nil {
		d.Problems = formProblems(r, err, mine, []string{"visit_start", "visit_end", "location", "comment", "major"})
		return w.planMoveFailed(c, r, id, planView{Decide: d}, err)
	}
	last := p.Decisions[len(p.Decisions)-1].Decision
	w.flash(c, map[visitarchive.RecordStatus]string{visitarchive.StatusApproved: flashPlanApproved,
		visitarchive.StatusRejected: flashPlanRejected, visitarchive.DecisionEscalated: flashPlanEscalated}[last])
	return redirect(c, "/review/plans")
}

// adjusted is the plan (or its pending change) as the decider's form
// adjusts its time and place, or nil when it changes neither; and the
// times the form could not read.
func (w *Web) adjusted(c *fiber.Ctx, r *Request, id visitarchive.PlanID, form map[string]string) (*visitarchive.Plan, map[string]string, error) {
	cur, err := w.archive.GetPlan(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	proposed := *cur
	if cur.Pending != nil {
		proposed = *cur.Pending
	}
	adj := proposed
	adj.Location = strings.TrimSpace(form["adjust_location"])
	mine := readTimes(r, w.archive.Location(), map[string]string{"visit_start": form["adjust_visit_start"], "visit_end": form["adjust_visit_end"]},
		[]string{"visit_start", "visit_end"}, []*time.Time{&adj.VisitStart, &adj.VisitEnd})
	if len(mine) > 0 {
		return nil, mine, nil
	}
	if adj.Location == proposed.Location && adj.VisitStart.Equal(proposed.VisitStart) && adj.VisitEnd.Equal(proposed.VisitEnd) {
		return nil, nil, nil
	}
	return &adj, nil, nil
}

// recordListView is the content of a list of records: the employee's,
// those to review, the overdue.
type recordListView struct {
	Heading, Intro string
	Tabs           []tabLink
	Records        []recordItem
	Total          uint64
	Pager          Pager
	Empty          string
	New            bool // offer a new record
	Review         bool // link each record to its review
}

// recordItem is a record in a list.
type recordItem struct {
	*visitarchive.Record
	Link, Edit, Dept string
	Overdue          bool // a draft past its deadline
}

func (w *Web) recordsToReview(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermReview, visitarchive.KindRecord); err != nil {
		return err
	}
	q := visitarchive.SearchQuery{Status: string(visitarchive.StatusSubmitted), Sort: visitarchive.SortVisitStart}
	v := recordListView{Heading: r.T("Records to review"), Review: true,
		Intro: r.T("Submitted records of the departments you head, oldest visit first. Check that each is complete, accurate and logical, then approve it or return it with comments."),
		Empty: r.T("No record waits for review.")}
	return w.renderRecords(c, r, q, v)
}

func (w *Web) overdueRecords(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermReview, visitarchive.KindRecord); err != nil {
		return err
	}
	q := visitarchive.SearchQuery{Overdue: true, Sort: visitarchive.SortVisitStart}
	v := recordListView{Heading: r.T("Overdue records"), Tabs: tabs(r, "/review/overdue", lateTabs...),
		Intro: r.T("Drafts of the departments you head that were not submitted by their deadline."),
		Empty: r.T("No record is overdue.")}
	return w.renderRecords(c, r, q, v)
}

// renderRecords lists the records of q, a page at a time, in v.
func (w *Web) renderRecords(c *fiber.Ctx, r *Request, q visitarchive.SearchQuery, v recordListView) error {
	ctx := c.UserContext()
	q.Page, q.Size = pageNumber(c), listPageSize
	page, err := w.archive.ListRecords(ctx, q)
	if err != nil {
		return err
	}
	depts, now := w.departmentNames(ctx), w.archive.Now()
	v.Total = page.Total
	v.Pager = newPager(c, q.Page, q.Size, int(min(page.Total, uint64(maxSearchPages*q.Size))))
	for _, rec := range page.Records {
		it := recordItem{Record: rec, Link: objectLink(visitarchive.KindRecord, string(rec.ID)),
			Dept: departmentName(depts, rec.Department), Overdue: overdue(rec, now)}
		if v.Review {
			it.Edit = "/records/" + string(rec.ID) + "/review"
		} else if editable(rec.Status) {
			it.Edit = "/records/" + string(rec.ID) + "/edit"
		}
		v.Records = append(v.Records, it)
	}
	return w.render(c, r, "records", v.Heading, v)
}

// overdue reports whether rec is a draft past its deadline at now, as
// the Archive's overdue filter counts it.
func overdue(rec *visitarchive.Record, now time.Time) bool {
	return rec.Status == visitarchive.StatusDraft && !rec.DueAt.IsZero() && now.After(rec.DueAt)
}

// editable reports whether a record in status is with its author: the
// list links it to the form (which asks the Archive again).
func editable(status visitarchive.RecordStatus) bool {
	return status == visitarchive.StatusDraft || status == visitarchive.StatusReturned
}

// reviewView is the content of the review page of a record.
type reviewView struct {
	R        *visitarchive.Record
	Fields   []reviewField
	Chain    []visitarchive.DecisionMaker
	Comment  string
	Problems problems
	Error    string // a conflict: someone reviewed it meanwhile
}

// reviewField is a field of the record under review, with the comment
// box beside it.
type reviewField struct {
	fieldView
	Comment string // the reviewer's comment typed
	Error   string // the Archive's message on the field or its comment
}

// chainField is the decision chain, which the record page shows apart
// from the other fields and a reviewer may comment on as one.
const chainField = "decision_chain"

func (w *Web) reviewRecord(c *fiber.Ctx, r *Request) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	if err := w.archive.MayWrite(c.UserContext(), visitarchive.KindRecord, string(id), "approve"); err != nil {
		return err
	}
	return w.renderReview(c, r, id, reviewView{})
}

// renderReview renders the review page of record id as it is now, with
// what v holds of a review that failed.
func (w *Web) renderReview(c *fiber.Ctx, r *Request, id visitarchive.RecordID, v reviewView) error {
	ctx := c.UserContext()
	rec, err := w.archive.GetRecord(ctx, id)
	if err != nil {
		return err
	}
	typed := map[string]string{}
	for _, f := range v.Fields {
		typed[f.Name] = f.Comment
	}
	v.R, v.Chain, v.Fields = rec, rec.DecisionChain, nil
	views := w.recordFieldViews(ctx, r, rec)
	views = append(views, fieldView{Name: chainField, Label: Label(r.Lang, chainField), Long: true})
	for _, f := range views {
		v.Fields = append(v.Fields, reviewField{fieldView: f, Comment: typed[f.Name],
			Error: cmpJoin(v.Problems.Fields[f.Name], v.Problems.Fields["fields."+f.Name])})
	}
	return w.render(c, r, "review", msg("Review the record"), v)
}

// cmpJoin joins the messages that are not empty.
func cmpJoin(msgs ...string) string {
	return strings.Join(slices.DeleteFunc(msgs, func(s string) bool { return s == "" }), " ")
}

// recordParam is the record id of the path.
func recordParam(c *fiber.Ctx) (visitarchive.RecordID, error) {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return "", fiber.ErrNotFound
	}
	return visitarchive.RecordID(id), nil
}

// reviewable are the fields the review form takes comments on: those
// the record page shows (visit_time standing for both times) and the
// decision chain.
func reviewable() []string {
	var out []string
	for _, f := range recordFields {
		out = append(out, f.name)
	}
	return append(out, chainField)
}

// commentField is the field of the form a comment on field f is made
// in: the visit's start and end are commented on together.
func commentField(f string) string {
	if f == "visit_time" {
		return "visit_start"
	}
	if f == "customer_name" {
		return "customer_id"
	}
	return f
}

func (w *Web) decideRecord(c *fiber.Ctx, r *Request) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	approve := c.FormValue("action") == "approve"
	move := "return"
	if approve {
		move = "approve"
	}
	ctx := c.UserContext()
	if err := w.archive.MayWrite(ctx, visitarchive.KindRecord, string(id), move); err != nil && !visitarchive.IsKind(err, visitarchive.Conflict) {
		return err
	}
	v := reviewView{Comment: strings.TrimSpace(c.FormValue("comment"))}
	comments := map[string]string{}
	for _, f := range reviewable() {
		text := strings.TrimSpace(c.FormValue("c_" + f))
		v.Fields = append(v.Fields, reviewField{fieldView: fieldView{Name: f}, Comment: text})
		if text != "" {
			comments[commentField(f)] = text
		}
	}
	version := formVersion(c)
	if approve {
		_, err = w.archive.ApproveRecord(ctx, id, version, v.Comment)
	} else {
		_, err = w.archive.ReturnRecord(ctx, id, visitarchive.ReturnVerdict{Version: version, Comment: v.Comment, Fields: comments})
	}
	if err != nil {
		return w.reviewFailed(c, r, id, v, err)
	}
	w.flash(c, map[bool]string{true: flashRecordApproved, false: flashRecordReturned}[approve])
	return redirect(c, "/review/records")
}

// reviewFailed shows the review page again with the comments typed and
// what went wrong: the problems of the record that approval found, or of
// the comments, beside their fields (422); a record reviewed or changed
// meanwhile (409).
func (w *Web) reviewFailed(c *fiber.Ctx, r *Request, id visitarchive.RecordID, v reviewView, err error) error {
	switch {
	case visitarchive.IsKind(err, visitarchive.Invalid):
		c.Status(http.StatusUnprocessableEntity)
		fields := append(reviewable(), "comment", "visit_start", "visit_end", "customer_id", "visitors", "plan_id")
		for _, f := range reviewable() {
			fields = append(fields, "fields."+commentField(f))
		}
		v.Problems = formProblems(r, err, nil, fields)
		v.Problems.Fields = foldTimes(v.Problems.Fields)
	case visitarchive.IsKind(err, visitarchive.Conflict):
		c.Status(http.StatusConflict)
		v.Error = errorText(r.Lang, err)
	default:
		return err
	}
	return w.renderReview(c, r, id, v)
}

// foldTimes puts the messages on the visit's times, and on the customer,
// where the review page shows those fields: visit_time, customer_name.
func foldTimes(byField map[string]string) map[string]string {
	out := maps.Clone(byField)
	for from, to := range map[string]string{"visit_start": "visit_time", "visit_end": "visit_time", "customer_id": "customer_name",
		"fields.visit_start": "fields.visit_time", "fields.customer_id": "fields.customer_name"} {
		if m := out[from]; m != "" {
			out[to] = cmpJoin(out[to], m)
			delete(out, from)
		}
	}
	return out
}
