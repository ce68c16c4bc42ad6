package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The forms of an appraisal list's page (retention.go shows it): the
// retention pass run now, the archivist's decisions on the entries of a
// draft and its submission, a manager's approval, rejection and striking
// of a submitted list. Each form names the list's version and asks the
// Archive, which decides who may: a refusal comes back on the page beside
// the form it concerns (refused), with what was typed.

// The notices after the forms of retention.
const (
	flashAppraisalRun      = "appraisal-run"
	flashAppraisalNone     = "appraisal-none"
	flashAppraisalDecided  = "appraisal-decided"
	flashAppraisalSubmit   = "appraisal-submitted"
	flashAppraisalApproved = "appraisal-approved"
	flashAppraisalRejected = "appraisal-rejected"
	flashAppraisalStruck   = "appraisal-struck"
	flashHoldPlaced        = "hold-placed"
	flashHoldReleased      = "hold-released"
)

var retentionFormFlashes = map[string]string{
	flashAppraisalRun:      msg("The appraisal pass has run: the records now due are on the draft lists."),
	flashAppraisalNone:     msg("The appraisal pass has run: no record is due that is not on a list already."),
	flashAppraisalDecided:  msg("Your decisions have been saved."),
	flashAppraisalSubmit:   msg("The list has been submitted to management for approval."),
	flashAppraisalApproved: msg("The list has been approved. It is executed once two witnesses have confirmed it."),
	flashAppraisalRejected: msg("The list has been rejected; its records go on the next pass's lists."),
	flashAppraisalStruck:   msg("The entries have been struck off the list."),
	flashHoldPlaced:        msg("The legal hold has been placed."),
	flashHoldReleased:      msg("The legal hold has been released."),
}

// The forms of a list's page, as renderAppraisal names the one that came
// back.
const (
	formMove   = "" // submit, approve, witness, execute: no fields
	formDecide = "decide"
	formReject = "reject"
	formStrike = "strike"
)

// decisionFields are the inputs of the decision on one entry, each named
// decisions[i].<field> as the Archive names them in its messages.
var decisionFields = []string{"decision", "keep_for", "reason"}

func decisionName(i int, f string) string { return "decisions[" + strconv.Itoa(i) + "]." + f }

// runAppraisal runs the retention pass now, as the caller.
func (w *Web) runAppraisal(c *fiber.Ctx, r *Request) error {
	n, err := w.archive.Disposition().Appraise(c.UserContext())
	if err != nil {
		return err
	}
	flash := flashAppraisalRun
	if n == 0 {
		flash = flashAppraisalNone
	}
	w.flash(c, flash)
	return redirect(c, "/retention?state=draft")
}

// decideAppraisal records the decisions the form sends: those of the
// entries on which something was chosen or typed.
func (w *Web) decideAppraisal(c *fiber.Ctx, r *Request) error {
	cur, err := w.appraisalOfPath(c)
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), cur.ID
	typed := typedDecisions(c, cur)
	var ds []visitarchive.EntryDecision
	var at []int // the entry of each decision sent
	for i, e := range cur.Entries {
		d := visitarchive.EntryDecision{Record: e.Record, Decision: typed[decisionName(i, "decision")],
			KeepFor: visitarchive.Retention(typed[decisionName(i, "keep_for")]), Reason: typed[decisionName(i, "reason")]}
		if d.Decision != "" || d.KeepFor != "" || d.Reason != "" {
			ds, at = append(ds, d), append(at, i)
		}
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	_, err = w.archive.Disposition().Decide(ctx, id, version, ds)
	if err == nil {
		w.flash(c, flashAppraisalDecided)
		return redirect(c, "/retention/"+string(id))
	}
	st, err := refused(c, r, err, typed, ifStale(version, cur.Version, decisionValues(r, cur)))
	if err != nil {
		return err
	}
	st.Errors = renumber(st.Errors, at)
	if _, ok := st.Errors["decisions"]; ok {
		st.Error = r.T("Choose a decision for at least one entry.")
	}
	return w.renderAppraisal(c, r, formDecide, typed, st)
}

// typedDecisions reads the decisions typed on the form, keyed by the
// entry of l that each row names (decisions[i].record), so that a form
// of an earlier version still speaks of the same records.
func typedDecisions(c *fiber.Ctx, l *visitarchive.Appraisal) map[string]string {
	at := map[visitarchive.RecordID]int{}
	for i, e := range l.Entries {
		at[e.Record] = i
	}
	typed := map[string]string{}
	for i := range l.Entries {
		j, ok := at[visitarchive.RecordID(c.FormValue(decisionName(i, "record")))]
		if !ok {
			continue
		}
		for _, f := range decisionFields {
			typed[decisionName(j, f)] = typedValues(c, []string{decisionName(i, f)})[decisionName(i, f)]
		}
	}
	return typed
}

// decisionValues are the decisions of l as its form shows them.
func decisionValues(r *Request, l *visitarchive.Appraisal) map[string]string {
	out := map[string]string{}
	for i, e := range l.Entries {
		out[decisionName(i, "decision")] = Value(r.Lang, "entry_decision", e.Decision)
		out[decisionName(i, "keep_for")] = Value(r.Lang, "retention", string(e.KeepFor))
		out[decisionName(i, "reason")] = e.Reason
	}
	return out
}

// renumber names the messages of the decisions sent (decisions[k].f,
// the k-th sent) by the entry each was about (decisions[at[k]].f).
func renumber(errs map[string]string, at []int) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		if m := indexed.FindStringSubmatch(k); m != nil && m[1] == "decisions" {
			if n, _ := strconv.Atoi(m[2]); n < len(at) {
				k = decisionName(at[n], m[3])
			}
		}
		out[k] = v
	}
	return out
}

// submitAppraisal sends the draft list to management.
func (w *Web) submitAppraisal(c *fiber.Ctx, r *Request) error {
	return w.moveAppraisal(c, r, formMove, flashAppraisalSubmit, nil, discard(w.archive.Disposition().Submit))
}

// approveAppraisal approves the submitted list.
func (w *Web) approveAppraisal(c *fiber.Ctx, r *Request) error {
	return w.moveAppraisal(c, r, formMove, flashAppraisalApproved, nil, discard(w.archive.Disposition().Approve))
}

// listMove is a move of the list id at version v.
type listMove func(ctx context.Context, id visitarchive.AppraisalID, v int) error

// discard is move as a listMove: what it returns but its error is not the
// page's (the page is loaded again after the redirect).
func discard[T any](move func(context.Context, visitarchive.AppraisalID, int) (T, error)) listMove {
	return func(ctx context.Context, id visitarchive.AppraisalID, v int) error {
		_, err := move(ctx, id, v)
		return err
	}
}

// rejectAppraisal rejects the submitted list, with the reason typed.
func (w *Web) rejectAppraisal(c *fiber.Ctx, r *Request) error {
	typed := typedValues(c, []string{"reject_reason"})
	return w.moveAppraisal(c, r, formReject, flashAppraisalRejected, typed,
		func(ctx context.Context, id visitarchive.AppraisalID, v int) error {
			_, err := w.archive.Disposition().Reject(ctx, id, v, typed["reject_reason"])
			return err
		})
}

// strikeAppraisal strikes the entries checked off the submitted list,
// with the reason typed.
func (w *Web) strikeAppraisal(c *fiber.Ctx, r *Request) error {
	typed := typedValues(c, []string{"strike_reason"})
	var records []visitarchive.RecordID
	for _, v := range c.Context().PostArgs().PeekMulti("records") {
		records = append(records, visitarchive.RecordID(v))
	}
	for _, rid := range records {
		typed["records:"+string(rid)] = "on"
	}
	return w.moveAppraisal(c, r, formStrike, flashAppraisalStruck, typed,
		func(ctx context.Context, id visitarchive.AppraisalID, v int) error {
			_, err := w.archive.Disposition().Strike(ctx, id, v, records, typed["strike_reason"])
			return err
		})
}

// moveAppraisal runs move, the move of form, on the list of the path at
// the form's version: done, back to the list's page with flash; refused,
// the page again with what was typed and, in the reader's language, why:
// beside the form's fields (its reason is <form>_reason) or above it.
func (w *Web) moveAppraisal(c *fiber.Ctx, r *Request, form, flash string, typed map[string]string, move listMove) error {
	id, err := appraisalParam(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	if err = move(c.UserContext(), id, version); err == nil {
		w.flash(c, flash)
		return redirect(c, "/retention/"+string(id))
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	st.Errors = prefixed(st.Errors, form)
	return w.renderAppraisal(c, r, form, typed, st)
}

// prefixed names the messages of a form's reason and records as the form
// does: reason as <form>_reason, records as <form>_records.
func prefixed(errs map[string]string, form string) map[string]string {
	if form == formMove {
		return errs
	}
	out := map[string]string{}
	for k, v := range errs {
		if k == "reason" || k == "records" || k == "record" {
			k = form + "_" + k
		}
		out[k] = v
	}
	if v, ok := out[form+"_record"]; ok {
		out[form+"_records"] = v
		delete(out, form+"_record")
	}
	return out
}
