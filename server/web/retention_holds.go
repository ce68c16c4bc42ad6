package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The legal holds' page (/holds): the holds in force (or all), the form
// to place one — on a record, on a customer's records, or on the records
// of a search — for whoever the policy lets place holds (auditors,
// managers), and beside each hold in force the form to release it, with
// a reason, for whoever may release it (Disposition.MayRelease: the role
// that placed it, or a manager).

// holdFields are the inputs of the form that places a hold; q to to
// are the search of a query hold (HoldSearch).
var holdFields = []string{"scope", "record", "customer", "q", "customer_type", "business_area", "from", "to", "reason"}

// The forms of the holds' page, as renderHolds names the one that came
// back: the placing one, or a hold's release (its id).
const formPlace = "place"

// holdRow is a legal hold as its page lists it, with the form to release
// it when the caller may.
type holdRow struct {
	*visitarchive.Hold
	Scope      string // in words
	Covers     string // what it covers
	MayRelease bool
	Release    field // release_reason
	State      formState
}

// holdsView is the content of the holds' page.
type holdsView struct {
	Tabs      []tab
	Holds     []holdRow
	MayPlace  bool
	Scope     choice
	Place     []field // the inputs but the scope
	PlaceForm formState
}

// holds lists the legal holds: those in force, or all with ?all=1.
func (w *Web) holds(c *fiber.Ctx, r *Request) error {
	return w.renderHolds(c, r, "", nil, formState{})
}

// renderHolds renders the holds' page; the form named form (formPlace,
// or the id of the hold released) shows typed and st.
func (w *Web) renderHolds(c *fiber.Ctx, r *Request, form string, typed map[string]string, st formState) error {
	if err := w.mayDo(c, visitarchive.PermRead, holdResource); err != nil {
		return err
	}
	ctx := c.UserContext()
	all := c.Query("all") != ""
	hs, err := w.archive.Disposition().Holds(ctx, !all)
	if err != nil {
		return err
	}
	v := holdsView{Tabs: []tab{{Label: r.T("In force"), URL: "/holds", Current: !all},
		{Label: r.T("All"), URL: "/holds?all=1", Current: all}},
		MayPlace: w.archive.Allowed(ctx, visitarchive.PermCreate, holdResource)}
	for _, h := range hs {
		row := holdRowOf(r, h)
		row.MayRelease = !h.Released && w.archive.Disposition().MayRelease(ctx, h)
		if form == string(h.ID) {
			row.Release = reasonField(r, "release_reason", typed, st.Errors)
			row.State = st
		} else {
			row.Release = reasonField(r, "release_reason", nil, nil)
		}
		row.Release.ID += "-" + string(h.ID)
		v.Holds = append(v.Holds, row)
	}
	if form != formPlace {
		typed, st = map[string]string{"scope": string(visitarchive.HoldRecord)}, formState{}
	}
	v.Scope, v.Place, v.PlaceForm = holdScopeChoice(r, typed["scope"], st.Errors), placeFields(r, typed, st.Errors), st
	return w.render(c, r, "holds", msg("Legal holds"), v)
}

// holdRowOf is hold h as the page lists it.
func holdRowOf(r *Request, h *visitarchive.Hold) holdRow {
	row := holdRow{Hold: h, Scope: Value(r.Lang, "hold_scope", string(h.Scope))}
	switch h.Scope {
	case visitarchive.HoldRecord:
		row.Covers = string(h.Record)
	case visitarchive.HoldCustomer:
		row.Covers = string(h.Customer)
	case visitarchive.HoldQuery:
		row.Covers = r.Tf("%d records", len(h.Matched))
	}
	return row
}

// holdScopeChoice is the select of what a hold covers.
func holdScopeChoice(r *Request, cur string, errs map[string]string) choice {
	ch := choice{field: newField(r, "scope", "select", cur, errs)}
	for _, s := range []visitarchive.HoldScope{visitarchive.HoldRecord, visitarchive.HoldCustomer, visitarchive.HoldQuery} {
		ch.Options = append(ch.Options, selectOption{Value: string(s), Label: Value(r.Lang, "hold_scope", string(s)),
			Selected: string(s) == cur})
	}
	return ch
}

// placeFields are the inputs of the placing form but its scope.
func placeFields(r *Request, typed, errs map[string]string) []field {
	var out []field
	for _, n := range holdFields[1:] {
		typ := "text"
		switch n {
		case "from", "to":
			typ = "date"
		case "reason":
			typ = "textarea"
		}
		f := newField(r, n, typ, typed[n], errs)
		switch n {
		case "record":
			f.Hint = r.T("For a hold on a record: its ID, as its page's address shows it.")
		case "customer":
			f.Hint = r.T("For a hold on a customer's records: the customer's ID.")
		case "q":
			f.Hint = r.T("For a hold on the records of a search: its words and filters below.")
		case "reason":
			f.Required, f.Max = true, 2000
		}
		out = append(out, f)
	}
	return out
}

// placeHold places the hold the form describes.
func (w *Web) placeHold(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermCreate, holdResource); err != nil {
		return err
	}
	typed := typedValues(c, holdFields)
	req, errs := holdRequest(r, typed, w.archive.Location())
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return w.renderHolds(c, r, formPlace, typed, formState{Errors: errs})
	}
	_, err := w.archive.Disposition().PlaceHold(c.UserContext(), req)
	if err == nil {
		w.flash(c, flashHoldPlaced)
		return redirect(c, "/holds")
	}
	st, err := refusedHold(c, r, err, req.Scope)
	if err != nil {
		return err
	}
	return w.renderHolds(c, r, formPlace, typed, st)
}

// holdRequest is the hold that typed describes; the dates it cannot read
// are in errs.
func holdRequest(r *Request, typed map[string]string, loc *time.Location) (visitarchive.HoldRequest, map[string]string) {
	req := visitarchive.HoldRequest{Scope: visitarchive.HoldScope(typed["scope"]), Reason: typed["reason"]}
	errs := map[string]string{}
	switch req.Scope {
	case visitarchive.HoldRecord:
		req.Record = visitarchive.RecordID(typed["record"])
	case visitarchive.HoldCustomer:
		req.Customer = visitarchive.CustomerID(typed["customer"])
	case visitarchive.HoldQuery:
		q := &visitarchive.HoldSearch{Text: typed["q"], CustomerType: typed["customer_type"], BusinessArea: typed["business_area"]}
		for _, d := range []struct {
			name string
			to   *time.Time
			days int
		}{{"from", &q.From, 0}, {"to", &q.To, 1}} {
			if v := typed[d.name]; v != "" {
				t, err := time.ParseInLocation(dayLayout, v, loc)
				if err != nil {
					errs[d.name] = r.T("Enter a date such as 2026-03-01.")
				}
				*d.to = t.AddDate(0, 0, d.days)
			}
		}
		req.Query = q
	}
	return req, errs
}

// refusedHold is refused for the placing form: a record or customer
// that is not there is said beside its field (422), not as a missing
// page; a search without filters beside its words.
func refusedHold(c *fiber.Ctx, r *Request, err error, scope visitarchive.HoldScope) (formState, error) {
	if !visitarchive.IsKind(err, visitarchive.NotFound) || (scope != visitarchive.HoldRecord && scope != visitarchive.HoldCustomer) {
		st, err := refused(c, r, err, nil, nil)
		if m, ok := st.Errors["query"]; ok { // a search with no filter: said beside its words
			st.Errors["q"] = m
		}
		return st, err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return formState{Errors: map[string]string{string(scope): errorText(r.Lang, err)}}, nil
}

// releaseHold releases the hold of the path, with the reason typed.
func (w *Web) releaseHold(c *fiber.Ctx, r *Request) error {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return fiber.ErrNotFound
	}
	typed := typedValues(c, []string{"release_reason"})
	version, _ := strconv.Atoi(c.FormValue("version"))
	_, err := w.archive.Disposition().ReleaseHold(c.UserContext(), visitarchive.HoldID(id), version, typed["release_reason"])
	if err == nil {
		w.flash(c, flashHoldReleased)
		return redirect(c, "/holds")
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	if m, ok := st.Errors["reason"]; ok {
		st.Errors = map[string]string{"release_reason": m}
	}
	return w.renderHolds(c, r, id, typed, st)
}
