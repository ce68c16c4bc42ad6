package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// The visit record on the unified form (拜访记录), as its author files
// it: the employee's list of their records with their states and
// deadlines, the form (a new record, from a plan or not; a draft or a
// returned record edited), saved as a draft or submitted. Every field of
// the form is there under the policy's terms; those that the customer's
// type needs for submission are marked (the Archive's RequiredFields),
// the Archive's messages stand beside their fields, a returned record
// shows its reviewer's comments beside the fields, and nothing typed is
// lost when a save fails: the form comes back with it.

// recordFormNames are the single fields of the form, in its order; the
// decision chain comes as rows of chain_name, chain_role, chain_attitude
// and chain_notes.
var recordFormNames = []string{
	"customer_id", "plan_id", "visit_start", "visit_end", "location", "visitors", "contact_name", "contact_phone",
	"contact_email", "topic", "summary", "customer_situation", "needs", "product_feedback", "customer_feedback",
	"competitor_info", "cooperation_intent", "follow_up", "onsite_notes",
}

// recordSections group the form's fields under their headings (English
// keys), with the kind of input of each that is not a line of text.
var recordSections = []struct {
	title  string
	fields []string
}{
	{msg("About the visit"), []string{"customer_id", "plan_id", "visit_start", "visit_end", "location", "visitors",
		"contact_name", "contact_phone", "contact_email"}},
	{msg("What was discussed"), []string{"topic", "summary", "customer_situation", "needs", "product_feedback",
		"customer_feedback", "competitor_info", "cooperation_intent", "follow_up"}},
	{msg("Key customers"), []string{"onsite_notes"}},
}

var recordKinds = map[string]string{
	"customer_id": "customer", "plan_id": "select", "visit_start": "datetime", "visit_end": "datetime",
	"contact_phone": "tel", "contact_email": "email", "summary": "textarea", "customer_situation": "textarea",
	"needs": "textarea", "product_feedback": "textarea", "customer_feedback": "textarea",
	"competitor_info": "textarea", "cooperation_intent": "select", "follow_up": "textarea", "onsite_notes": "textarea",
}

// myRecordTabs are the filters of the employee's records.
var myRecordTabs = []string{
	msg("All"), "/records",
	msg("Drafts"), "/records?show=draft",
	msg("Returned"), "/records?show=returned",
	msg("Submitted"), "/records?show=submitted",
	msg("Approved"), "/records?show=approved",
	msg("Archived"), "/records?show=archived",
	msg("Overdue"), "/records?show=overdue",
}

func (w *Web) myRecords(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermCreate, visitarchive.KindRecord); err != nil {
		return err
	}
	q := visitarchive.SearchQuery{}
	show := c.Query("show")
	switch {
	case show == "overdue":
		q.Overdue = true
	case slices.Contains(visitarchive.RecordStatuses, show):
		q.Status = show
	default:
		show = ""
	}
	current := "/records"
	if show != "" {
		current += "?show=" + show
	}
	v := recordListView{Heading: r.T("My visit records"), New: true, Tabs: tabs(r, current, myRecordTabs...),
		Intro: r.T("The records you filed or took part in, newest visit first. A record is due within the filing period after the visit ends; one past its deadline is marked overdue."),
		Empty: r.T("No records here.")}
	return w.renderRecords(c, r, q, v)
}

// recordFormView is the content of the unified form.
type recordFormView struct {
	Action   string
	R        *visitarchive.Record // the record edited; nil for a new one
	Version  int
	Sections []formSection
	Chain    chainView
	Problems problems
	Review   *visitarchive.Review // the return whose comments stand beside the fields
	Conflict string               // the record was changed meanwhile: what the Archive said
	Stale    bool                 // the form's input is kept over a newer version
	Editable bool                 // the record may be saved (false once it moved on)

	Customers []customerChoice
	Forms     string // the fields required by customer type, JSON, for app.js
	Submitted bool   // the draft was saved but could not be submitted
	Overdue   bool   // a draft past its deadline
}

// formSection is a heading of the form and its fields.
type formSection struct {
	Title  string
	Fields []formField
}

// chainView is the decision chain on the form: its rows as typed and
// blank ones to add to, with what is said of it.
type chainView struct {
	Label    string
	Rows     []chainRow
	Required bool
	Error    string
	Comment  string
	Changed  bool // the version saved meanwhile has another chain
}

// chainRow is a row of the decision chain on the form.
type chainRow struct {
	Index, Number                      int // from 0; from 1, as the row shows it
	Name, Role, Notes                  string
	Attitudes                          []option
	NameErr, RoleErr, AttErr, NotesErr string
}

// blankChainRows is how many empty rows the decision chain offers
// without script; with it, "Add a row" adds more.
const blankChainRows = 1

func (w *Web) newRecord(c *fiber.Ctx, r *Request) error {
	ctx := c.UserContext()
	if err := w.archive.MayWrite(ctx, visitarchive.KindRecord, "", "create"); err != nil {
		return err
	}
	form := map[string]string{"visitors": string(r.User.Name)}
	if id := c.Query("plan"); id != "" {
		if !visitarchive.ValidID(id) {
			return fiber.ErrNotFound
		}
		p, err := w.archive.GetPlan(ctx, visitarchive.PlanID(id))
		if err != nil {
			return err
		}
		form = planForm(p, w.archive.Location())
		form["plan_id"] = string(p.ID)
	}
	v := recordFormView{Action: "/records/new", Editable: true}
	return w.renderRecordForm(c, r, v, form, nil, nil)
}

func (w *Web) createRecord(c *fiber.Ctx, r *Request) error {
	ctx := c.UserContext()
	if err := w.archive.MayWrite(ctx, visitarchive.KindRecord, "", "create"); err != nil {
		return err
	}
	rec, form, chain, mine := w.recordFromForm(c, r)
	v := recordFormView{Action: "/records/new", Editable: true}
	saved, err := w.archive.CreateRecord(ctx, rec)
	if err != nil {
		return w.recordFormFailed(c, r, "", v, form, chain, mine, err)
	}
	return w.recordSaved(c, r, saved, form, chain)
}

func (w *Web) editRecord(c *fiber.Ctx, r *Request) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	rec, err := w.archive.GetRecord(ctx, id)
	if err != nil {
		return err
	}
	if err := w.archive.MayWrite(ctx, visitarchive.KindRecord, string(id), "update"); err != nil {
		return err
	}
	v := recordFormView{Action: "/records/" + string(id) + "/edit", R: rec, Version: rec.Version, Editable: true}
	return w.renderRecordForm(c, r, v, recordForm(rec, w.archive.Location()), rec.DecisionChain, nil)
}

func (w *Web) updateRecord(c *fiber.Ctx, r *Request) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := w.archive.MayWrite(ctx, visitarchive.KindRecord, string(id), "update"); err != nil && !visitarchive.IsKind(err, visitarchive.Conflict) {
		return err
	}
	rec, form, chain, mine := w.recordFromForm(c, r)
	rec.ID, rec.Version = id, formVersion(c)
	v := recordFormView{Action: "/records/" + string(id) + "/edit", Version: rec.Version, Editable: true}
	saved, err := w.archive.UpdateRecord(ctx, rec)
	if err != nil {
		return w.recordFormFailed(c, r, id, v, form, chain, mine, err)
	}
	return w.recordSaved(c, r, saved, form, chain)
}

// recordSaved goes on after the form was saved as saved: submitted when
// the user asked for it, and then to the record's page; else back to the
// form. A draft that cannot be submitted yet comes back as the form of
// the saved draft, with what it lacks beside the fields.
func (w *Web) recordSaved(c *fiber.Ctx, r *Request, saved *visitarchive.Record, form map[string]string, chain []visitarchive.DecisionMaker) error {
	path := "/records/" + string(saved.ID)
	if c.FormValue("action") != "submit" {
		w.flash(c, flashRecordSaved)
		return redirect(c, path+"/edit")
	}
	_, err := w.archive.SubmitRecord(c.UserContext(), saved.ID, saved.Version)
	if visitarchive.IsKind(err, visitarchive.Invalid) {
		c.Status(http.StatusUnprocessableEntity)
		v := recordFormView{Action: path + "/edit", R: saved, Version: saved.Version, Editable: true, Submitted: true,
			Problems: formProblems(r, err, nil, formFieldNames())}
		return w.renderRecordForm(c, r, v, form, chain, nil)
	}
	if err != nil {
		return err
	}
	w.flash(c, flashRecordSubmitted)
	return redirect(c, path)
}

// formFieldNames are the fields the form shows a message beside.
func formFieldNames() []string { return append(slices.Clone(recordFormNames), chainField) }

// recordFormFailed shows the form again with what the user typed and
// what went wrong: invalid values beside their fields (422); record id
// changed meanwhile (409), with its current values beside the fields
// that differ, and the form then names the current version, so that
// saving again is a choice made knowing them; or, when the record has
// moved on (submitted, approved), nothing to save any more.
func (w *Web) recordFormFailed(c *fiber.Ctx, r *Request, id visitarchive.RecordID, v recordFormView, form map[string]string,
	chain []visitarchive.DecisionMaker, mine map[string]string, err error) error {
	ctx := c.UserContext()
	switch {
	case visitarchive.IsKind(err, visitarchive.Invalid):
		c.Status(http.StatusUnprocessableEntity)
		v.Problems = formProblems(r, err, mine, formFieldNames())
		if id != "" {
			if v.R, err = w.archive.GetRecord(ctx, id); err != nil {
				return err
			}
		}
		return w.renderRecordForm(c, r, v, form, chain, nil)
	case id == "" || !visitarchive.IsKind(err, visitarchive.Conflict):
		return err
	}
	cur, gerr := w.archive.GetRecord(ctx, id)
	if gerr != nil {
		return gerr
	}
	c.Status(http.StatusConflict)
	v.Conflict, v.R, v.Version, v.Stale = w.staleText(r, err, v.Version, cur.Audit, cur.Version), cur, cur.Version, true
	v.Editable = w.archive.MayWrite(ctx, visitarchive.KindRecord, string(id), "update") == nil
	return w.renderRecordForm(c, r, v, form, chain, cur)
}

// recordFromForm reads the unified form: the record, the values as
// typed, the rows of the decision chain that hold anything, and the
// fields the form itself could not read.
func (w *Web) recordFromForm(c *fiber.Ctx, r *Request) (visitarchive.Record, map[string]string, []visitarchive.DecisionMaker, map[string]string) {
	form := formValues(c, recordFormNames...)
	line := func(name string) string { return strings.TrimSpace(form[name]) }
	rec := visitarchive.Record{
		CustomerID: visitarchive.CustomerID(line("customer_id")), PlanID: visitarchive.PlanID(line("plan_id")),
		Location: line("location"), Visitors: splitNames(form["visitors"]), ContactName: line("contact_name"),
		ContactPhone: line("contact_phone"), ContactEmail: line("contact_email"), Topic: line("topic"),
		Summary: form["summary"], CustomerSituation: form["customer_situation"], Needs: form["needs"],
		ProductFeedback: form["product_feedback"], CustomerFeedback: form["customer_feedback"],
		CompetitorInfo: form["competitor_info"], CooperationIntent: visitarchive.Intent(line("cooperation_intent")),
		FollowUp: form["follow_up"], OnsiteNotes: form["onsite_notes"],
	}
	mine := readTimes(r, w.archive.Location(), form, []string{"visit_start", "visit_end"},
		[]*time.Time{&rec.VisitStart, &rec.VisitEnd})
	rec.DecisionChain = chainFromForm(c)
	return rec, form, rec.DecisionChain, mine
}

// chainFromForm reads the rows of the decision chain; a row left empty
// is no row.
func chainFromForm(c *fiber.Ctx) []visitarchive.DecisionMaker {
	args := c.Request().PostArgs()
	col := func(name string) []string {
		var out []string
		for _, v := range args.PeekMulti(name) {
			out = append(out, strings.TrimSpace(string(v)))
		}
		return out
	}
	names, roles, attitudes, notes := col("chain_name"), col("chain_role"), col("chain_attitude"), col("chain_notes")
	at := func(s []string, i int) string {
		if i < len(s) {
			return s[i]
		}
		return ""
	}
	var out []visitarchive.DecisionMaker
	for i := range max(len(names), len(roles), len(attitudes), len(notes)) {
		d := visitarchive.DecisionMaker{Name: at(names, i), Role: at(roles, i), Attitude: visitarchive.Attitude(at(attitudes, i)), Notes: at(notes, i)}
		if d != (visitarchive.DecisionMaker{}) {
			out = append(out, d)
		}
	}
	return out
}

// recordForm is record rec as the form shows it.
func recordForm(rec *visitarchive.Record, loc *time.Location) map[string]string {
	return map[string]string{
		"customer_id": string(rec.CustomerID), "plan_id": string(rec.PlanID),
		"visit_start": localInput(rec.VisitStart, loc), "visit_end": localInput(rec.VisitEnd, loc),
		"location": rec.Location, "visitors": joinNames(rec.Visitors), "contact_name": rec.ContactName,
		"contact_phone": rec.ContactPhone, "contact_email": rec.ContactEmail, "topic": rec.Topic,
		"summary": rec.Summary, "customer_situation": rec.CustomerSituation, "needs": rec.Needs,
		"product_feedback": rec.ProductFeedback, "customer_feedback": rec.CustomerFeedback,
		"competitor_info": rec.CompetitorInfo, "cooperation_intent": string(rec.CooperationIntent),
		"follow_up": rec.FollowUp, "onsite_notes": rec.OnsiteNotes,
	}
}

// renderRecordForm renders the unified form with form's values and the
// rows of chain; cur, when set, is the version saved meanwhile, whose
// values stand beside the fields where they differ.
func (w *Web) renderRecordForm(c *fiber.Ctx, r *Request, v recordFormView, form map[string]string, chain []visitarchive.DecisionMaker, cur *visitarchive.Record) error {
	ctx := c.UserContext()
	var err error
	if v.Customers, v.Forms, err = w.customerChoices(ctx); err != nil {
		return err
	}
	plans, err := w.planChoices(ctx, r, form["plan_id"])
	if err != nil {
		return err
	}
	required := w.archive.RequiredFields(visitarchive.CustomerType(customerType(v.Customers, form["customer_id"])))
	comments := map[string]string{}
	if v.R != nil && v.R.Status == visitarchive.StatusReturned && len(v.R.Reviews) > 0 {
		v.Review = &v.R.Reviews[len(v.R.Reviews)-1]
		comments = v.Review.Fields
	}
	var current map[string]string
	if cur != nil {
		current = recordForm(cur, w.archive.Location())
	}
	for _, s := range recordSections {
		sec := formSection{Title: r.T(s.title)}
		for _, name := range s.fields {
			f := formField{Name: name, Label: Label(r.Lang, name), Kind: cmp.Or(recordKinds[name], "text"), Value: form[name],
				Required: slices.Contains(required, name), Error: v.Problems.Fields[name], Comment: fieldComment(comments, name),
				Hint: w.formHint(r, name)}
			if name == "customer_id" {
				f.Label, f.Hint = Label(r.Lang, "customer_name"), customerHint(r, v.Customers, form[name])
			}
			switch name {
			case "plan_id":
				f.Options = plans
			case "cooperation_intent":
				f.Options = options(r.Lang, name, visitarchive.Intents, form[name], true)
			}
			if current != nil && current[name] != form[name] {
				f.Current = currentValue(r, name, current[name])
			}
			sec.Fields = append(sec.Fields, f)
		}
		v.Sections = append(v.Sections, sec)
	}
	v.Chain = chainView{Label: Label(r.Lang, chainField), Rows: chainRows(r.Lang, chain, v.Problems.Fields),
		Required: slices.Contains(required, chainField), Error: v.Problems.Fields[chainField], Comment: comments[chainField],
		Changed: cur != nil && !slices.Equal(cur.DecisionChain, chain)}
	v.Overdue = v.R != nil && overdue(v.R, w.archive.Now())
	title := msg("New visit record")
	if v.R != nil {
		title = msg("Edit the visit record")
	}
	return w.render(c, r, "recordform", title, v)
}

// fieldComment is the reviewer's comment on field name of the form, of
// comments by JSON name: one on the customer visited stands beside the
// customer, one on the visit's time beside its start.
func fieldComment(comments map[string]string, name string) string {
	switch name {
	case "customer_id":
		return cmpJoin(comments["customer_id"], comments["customer_name"])
	case "visit_start":
		return cmpJoin(comments["visit_start"], comments["visit_time"])
	}
	return comments[name]
}

// currentValue is how the form shows the value of field name in the
// version saved meanwhile.
func currentValue(r *Request, name, value string) string {
	switch {
	case value == "":
		return "—"
	case name == "cooperation_intent":
		return Value(r.Lang, name, value)
	case name == "visit_start" || name == "visit_end":
		return strings.Replace(value, "T", " ", 1)
	}
	return value
}

// chainRows are the rows of the decision chain on the form: those of
// chain and a blank one (app.js adds more), with the messages on their
// cells.
func chainRows(l i18n.Lang, chain []visitarchive.DecisionMaker, errs map[string]string) []chainRow {
	rows := make([]chainRow, len(chain)+blankChainRows)
	for i := range rows {
		var d visitarchive.DecisionMaker
		if i < len(chain) {
			d = chain[i]
		}
		key := func(cell string) string { return errs["decision_chain["+itoa(i)+"]."+cell] }
		rows[i] = chainRow{Index: i, Number: i + 1, Name: d.Name, Role: d.Role, Notes: d.Notes,
			Attitudes: options(l, "attitude", visitarchive.Attitudes, string(d.Attitude), true),
			NameErr:   key("name"), RoleErr: key("role"), AttErr: key("attitude"), NotesErr: key("notes")}
	}
	return rows
}

// planChoices are the approved plans the caller may read, to link a
// record to, newest first, with the one chosen even when it is not among
// them (so that the form never drops it).
func (w *Web) planChoices(ctx context.Context, r *Request, chosen string) ([]option, error) {
	page, err := w.archive.ListPlans(ctx, visitarchive.PlanQuery{Status: string(visitarchive.StatusApproved), Size: visitarchive.MaxPageSize})
	if err != nil {
		return nil, err
	}
	out := []option{{Value: "", Label: r.T("No plan"), Selected: chosen == ""}}
	found := chosen == ""
	for _, p := range page.Plans {
		label := p.CustomerName + " · " + formatTime(r.Lang, w.archive.Location(), p.VisitStart, true) + " · " + p.Location
		out = append(out, option{Value: string(p.ID), Label: label, Selected: string(p.ID) == chosen})
		found = found || string(p.ID) == chosen
	}
	if !found {
		out = append(out, option{Value: chosen, Label: chosen, Selected: true})
	}
	return out, nil
}

// recordActions are the links of the record page to what the user may do
// with rec now, as the Archive answers: correct it (its author), review
// it (its supervisor).
func (w *Web) recordActions(ctx context.Context, r *Request, rec *visitarchive.Record) []NavLink {
	var out []NavLink
	for _, a := range []struct{ move, label, path string }{
		{"update", msg("Edit"), "/edit"},
		{"approve", msg("Review"), "/review"},
	} {
		if w.archive.MayWrite(ctx, visitarchive.KindRecord, string(rec.ID), a.move) == nil {
			label := a.label
			if a.move == "update" && rec.Status == visitarchive.StatusReturned {
				label = msg("Correct and resubmit")
			}
			out = append(out, NavLink{Label: r.T(label), Path: "/records/" + string(rec.ID) + a.path})
		}
	}
	return out
}
