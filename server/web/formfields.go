package web

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// The pieces that the forms of plans and records share: a field as the
// form shows it, times typed in the company's zone, lists of names and
// lines, the customers to choose from, and the Archive's messages put
// beside the fields they concern.

// formField is one field of a form as the template "formfield" shows it.
type formField struct {
	Name     string // JSON name: the input's name and id
	Label    string
	Kind     string // text, textarea, datetime, tel, email, select, checkbox, customer
	Value    string
	Options  []option // of a select
	Required bool     // needed to submit (a draft may lack it)
	Error    string   // the server's message on it
	Comment  string   // the reviewer's comment on it, from the last return
	Current  string   // its value in the version saved meanwhile, when that differs from Value
	Hint     string
}

// DescribedBy are the ids of what describes the field's input: its
// error's place (always there, for the message of a later save), hint,
// comment and the value saved meanwhile.
func (f formField) DescribedBy() string {
	ids := []string{f.Name + "-error"}
	for _, x := range []struct{ has, id string }{{f.Hint, "-hint"}, {f.Comment, "-comment"}, {f.Current, "-current"}} {
		if x.has != "" {
			ids = append(ids, f.Name+x.id)
		}
	}
	return strings.Join(ids, " ")
}

// option is an option of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// options are the values of a field with fixed values, labelled in l, with
// an empty choice first when blank says so; selected is the value chosen.
func options(l i18n.Lang, field string, values []string, selected string, blank bool) []option {
	var out []option
	if blank {
		out = append(out, option{Value: "", Label: "—", Selected: selected == ""})
	}
	for _, v := range values {
		out = append(out, option{Value: v, Label: Value(l, field, v), Selected: v == selected})
	}
	return out
}

// datetimeLocal is the layout of an <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// localInput is t as a datetime-local input shows it, in the company's
// zone loc; the zero time is "".
func localInput(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(datetimeLocal)
}

// parseLocal reads a datetime-local value (with or without seconds) in
// loc. "" is the zero time; ok is false for anything else it cannot read.
func parseLocal(v string, loc *time.Location) (t time.Time, ok bool) {
	v = strings.TrimSpace(strings.Replace(v, " ", "T", 1))
	if v == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{datetimeLocal, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// readTimes reads the datetime fields names of form into times, and says
// beside each field that holds no date and time, or none, what to type.
// The Archive's own message for a missing time speaks to programs (RFC
// 3339); these speak to people, and win over it.
func readTimes(r *Request, loc *time.Location, form map[string]string, names []string, times []*time.Time) map[string]string {
	errs := map[string]string{}
	for i, name := range names {
		t, ok := parseLocal(form[name], loc)
		switch {
		case !ok:
			errs[name] = r.T("Enter a date and time, such as 2026-03-02 09:30.")
		case t.IsZero():
			errs[name] = r.T("Required: enter the date and time.")
		}
		*times[i] = t
	}
	return errs
}

// splitNames reads user names separated by commas, Chinese commas or
// spaces.
func splitNames(s string) []visitarchive.UserName {
	var out []visitarchive.UserName
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || unicode.IsSpace(r) }) {
		out = append(out, visitarchive.UserName(f))
	}
	return out
}

// splitLines reads the non-empty lines of a text area.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// formValues reads the fields names of the form posted, trimmed of the
// line ends a browser may add; a text area keeps its inner lines.
func formValues(c *fiber.Ctx, names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = strings.TrimRight(strings.ReplaceAll(c.FormValue(n), "\r\n", "\n"), "\n")
	}
	return out
}

// problems is what a form shows of an Invalid error: the messages beside
// their fields, those of fields the form does not have above it,
// labelled, and a sentence that says how many there are.
type problems struct {
	Fields  map[string]string // by the form's field names
	Others  []string
	Summary string
}

// formProblems sorts the messages of err and those of the form's own
// reading (mine, which win) by where the form shows them: beside field f
// when f is one of fields (visitors[2] and topics[0] beside visitors and
// topics, customer_name beside customer_id, rows of the decision chain
// beside their cells), else above the form.
func formProblems(r *Request, err error, mine map[string]string, fields []string) problems {
	p := problems{Fields: map[string]string{}}
	all := fieldErrors(r.Lang, err)
	maps.Copy(all, mine)
	for _, f := range slices.Sorted(maps.Keys(all)) {
		at := f
		if base, _, ok := strings.Cut(f, "["); ok && base != "decision_chain" {
			at = base
		}
		if at == "customer_name" {
			at = "customer_id"
		}
		switch {
		case slices.Contains(fields, at) || strings.HasPrefix(at, "decision_chain[") && slices.Contains(fields, "decision_chain"):
			if p.Fields[at] != "" && p.Fields[at] != all[f] {
				p.Fields[at] += r.T("; ") + all[f]
			} else {
				p.Fields[at] = all[f]
			}
		default:
			p.Others = append(p.Others, Label(r.Lang, f)+": "+all[f])
		}
	}
	if n := len(all); n > 0 {
		p.Summary = r.Tf("The form has %d problem(s): see the messages beside the fields.", n)
	} else if err != nil {
		p.Summary = errorText(r.Lang, err)
	}
	return p
}

// customerChoice is a customer the forms offer.
type customerChoice struct {
	ID, Name, Type string
}

// maxCustomerChoices bounds the customers a form lists to choose from;
// past it a customer is given by its id, which the Archive checks.
const maxCustomerChoices = 500

// customerChoices are the customers the caller may read, by id, at most
// maxCustomerChoices; and the fields required to submit a record of each
// of their types (and of an unknown type, under ""), as JSON for app.js,
// which marks them when a customer is chosen.
func (w *Web) customerChoices(ctx context.Context) ([]customerChoice, string, error) {
	var out []customerChoice
	forms := map[string][]string{"": w.archive.RequiredFields("")}
	for page := 1; len(out) < maxCustomerChoices; page++ {
		list, total, err := w.archive.ListCustomers(ctx, page, visitarchive.MaxPageSize)
		if err != nil {
			return nil, "", err
		}
		for _, cu := range list {
			out = append(out, customerChoice{ID: string(cu.ID), Name: cu.Name, Type: string(cu.Type)})
			if _, ok := forms[string(cu.Type)]; !ok {
				forms[string(cu.Type)] = w.archive.RequiredFields(cu.Type)
			}
		}
		if page*visitarchive.MaxPageSize >= total {
			break
		}
	}
	js, err := json.Marshal(forms)
	return out, string(js), err
}

// customerType is the type of customer id among choices, "" when unknown.
func customerType(choices []customerChoice, id string) string {
	for _, c := range choices {
		if c.ID == id {
			return c.Type
		}
	}
	return ""
}

// customerHint is the hint under the customer field: the name and type
// of the customer chosen, or how to choose one (app.js updates it).
func customerHint(r *Request, choices []customerChoice, id string) string {
	for _, c := range choices {
		if c.ID == id && id != "" {
			return c.Name + " · " + Value(r.Lang, "customer_type", c.Type)
		}
	}
	return r.T("Type the customer's name or id and choose it from the list.")
}

// formVersion reads the version a form names; 0 when it names none,
// which the Archive refuses as stale.
func formVersion(c *fiber.Ctx) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// staleText is what a form says above it when its save was refused as a
// conflict: when the version it was editing is no longer the current
// one, who saved the current one and when (the Archive's message tells a
// program to reload, which the form does for the user); else, such as
// when the object has moved on, the Archive's message.
func (w *Web) staleText(r *Request, err error, sent int, cur visitarchive.Audit, version int) string {
	if sent == version || cur.UpdatedBy == "" {
		return errorText(r.Lang, err)
	}
	return r.Tf("%s saved version %d at %s, while you were editing: your save was not made.",
		cur.UpdatedBy, version, formatTime(r.Lang, w.archive.Location(), cur.UpdatedAt, true))
}
