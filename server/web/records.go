package web

import (
	"context"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The record page: the unified form's fields with the policy's labels
// (sensitive ones only as the Archive reveals them to this user), where
// the record stands, its history, reviews and annotations. Reading it is
// logged by the Archive, as a GET of the API is.

// recordView is the content of the record page.
type recordView struct {
	R           *visitarchive.Record
	Fields      []fieldView
	Chain       []visitarchive.DecisionMaker
	ChainHidden bool
	History     []visitarchive.VersionInfo
	Annotations []visitarchive.Annotation
	Actions     []NavLink           // what the user may do with it now: edit, review, …
	Files       *filesView          // its attachments (files.go)
	Due         bool                // archived, and its retain_until has passed
	Holds       []visitarchive.Hold // the legal holds on it, for whoever may read holds
}

// fieldView is one field of a record as the page shows it.
type fieldView struct {
	Name      string // JSON name
	Label     string
	Value     string
	Long      bool // free text: shown as paragraphs
	Sensitive bool
	Hidden    bool // withheld from this user
}

// recordFields are the fields of the record page in the form's order;
// long marks free text.
var recordFields = []struct {
	name string
	long bool
}{
	{"customer_name", false}, {"visit_time", false}, {"location", false}, {"visitors", false},
	{"department", false}, {"plan_id", false}, {"contact_name", false}, {"contact_phone", false},
	{"contact_email", false}, {"topic", false}, {"summary", true}, {"customer_situation", true},
	{"needs", true}, {"product_feedback", true}, {"customer_feedback", true}, {"competitor_info", true},
	{"cooperation_intent", false}, {"follow_up", true}, {"onsite_notes", true},
}

// sensitiveFields are always sensitive; the configuration may make more
// so, which the Archive's Hidden then names.
var sensitiveFields = []string{"contact_phone", "contact_email"}

func (w *Web) record(c *fiber.Ctx, r *Request) error { return w.showRecord(c, r, "") }

// showRecord renders the page of the record of the path, with filesErr,
// why an upload was refused, beside the upload form.
func (w *Web) showRecord(c *fiber.Ctx, r *Request, filesErr string) error {
	id := visitarchive.RecordID(c.Params("id"))
	if !visitarchive.ValidID(string(id)) {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	rec, err := w.archive.GetRecord(ctx, id)
	if err != nil {
		return err
	}
	v := recordView{R: rec, Chain: rec.DecisionChain}
	if v.History, err = w.archive.RecordHistory(ctx, id); err != nil {
		return err
	}
	if v.Annotations, err = w.archive.Annotations(ctx, id); err != nil {
		return err
	}
	v.Fields = w.recordFieldViews(ctx, r, rec)
	v.Actions = append(w.recordActions(ctx, r, rec), w.paperActions(ctx, r, rec)...)
	if v.Files, err = w.recordFiles(c, r, rec, filesErr); err != nil {
		return err
	}
	allowPDFFrames(c, v.Files)
	v.ChainHidden = slices.ContainsFunc(rec.Hidden, func(h string) bool { return strings.HasPrefix(h, "decision_chain") })
	v.Due = rec.RetainUntil != nil && !rec.RetainUntil.After(w.archive.Now())
	if v.Holds, err = w.recordHolds(ctx, rec); err != nil {
		return err
	}
	return w.render(c, r, "record", msg("Visit record"), v)
}

// recordHolds are the legal holds in force on archived record rec, for
// whoever may read holds (retention.go); none for anyone else.
func (w *Web) recordHolds(ctx context.Context, rec *visitarchive.Record) ([]visitarchive.Hold, error) {
	if rec.Status != visitarchive.StatusArchived || !w.archive.Allowed(ctx, visitarchive.PermRead, holdResource) {
		return nil, nil
	}
	return w.archive.Disposition().HeldBy(ctx, rec.ID)
}

func (w *Web) recordFieldViews(ctx context.Context, r *Request, rec *visitarchive.Record) []fieldView {
	values := map[string]string{
		"customer_name": rec.CustomerName, "location": rec.Location,
		"visit_time": formatTime(r.Lang, w.archive.Location(), rec.VisitStart, true) + " – " + formatTime(r.Lang, w.archive.Location(), rec.VisitEnd, true),
		"visitors":   joinNames(rec.Visitors), "department": departmentName(w.departmentNames(ctx), rec.Department), "plan_id": string(rec.PlanID),
		"contact_name": rec.ContactName, "contact_phone": rec.ContactPhone, "contact_email": rec.ContactEmail,
		"topic": rec.Topic, "summary": rec.Summary, "customer_situation": rec.CustomerSituation,
		"needs": rec.Needs, "product_feedback": rec.ProductFeedback, "customer_feedback": rec.CustomerFeedback,
		"competitor_info":    rec.CompetitorInfo,
		"cooperation_intent": Value(r.Lang, "cooperation_intent", string(rec.CooperationIntent)),
		"follow_up":          rec.FollowUp, "onsite_notes": rec.OnsiteNotes,
	}
	var out []fieldView
	for _, f := range recordFields {
		hidden := slices.Contains(rec.Hidden, f.name)
		out = append(out, fieldView{Name: f.name, Label: Label(r.Lang, f.name), Value: values[f.name], Long: f.long,
			Sensitive: hidden || slices.Contains(sensitiveFields, f.name), Hidden: hidden})
	}
	return out
}

func joinNames(names []visitarchive.UserName) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}
