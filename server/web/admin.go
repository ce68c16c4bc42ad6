package web

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// What the pages of the roles beside the sales staff share — marketing
// and customer service (released.go), managers (decisions.go),
// archivists (archiving.go, customers.go), auditors (audit.go,
// verify.go, export.go) and administrators (users.go, departments.go):
// their labels and notices, the days of filters, and forms that keep
// what was typed when the Archive refuses it.

func init() {
	addLabels(adminFieldLabels, adminValueLabels)
	maps.Copy(flashes, adminFlashes)
	objectLinks[visitarchive.KindCustomer] = "/customers/" // customers.go
}

// adminFieldLabels are the labels of the fields these pages show, beside
// the unified form's (labels.go).
var adminFieldLabels = map[string]string{
	"purpose":                msg("Purpose of the visit"),
	"topics":                 msg("Main topics"),
	"major":                  msg("Major plan"),
	"change_reason":          msg("Reason for the change"),
	"after_the_fact":         msg("Filed after the fact"),
	"comment":                msg("Comment"),
	"decision":               msg("Decision"),
	"class":                  msg("Class"),
	"year":                   msg("Year of the visit"),
	"paper_location":         msg("Paper original"),
	"paper_location.cabinet": msg("Cabinet"),
	"paper_location.shelf":   msg("Shelf"),
	"paper_location.box":     msg("Box"),
	"archived_at":            msg("Archived at"),
	"archived_by":            msg("Archived by"),
	"id":                     msg("ID"),
	"contacts":               msg("Contacts"),
	"title":                  msg("Job title"),
	"phone":                  msg("Phone"),
	"email":                  msg("E-mail"),
	"display_name":           msg("Full name"),
	"roles":                  msg("Roles"),
	"heads":                  msg("Heads"),
	"grants":                 msg("Grants"),
	"disabled":               msg("Disabled"),
	"password":               msg("Password"),
	"seq":                    msg("No."),
	"time":                   msg("Time"),
	"actor":                  msg("By"),
	"user":                   msg("User"),
	"action":                 msg("Action"),
	"key":                    msg("Object"),
	"record":                 msg("Record"),
	"plan":                   msg("Plan"),
	"customer":               msg("Customer"),
	"fields":                 msg("Fields read"),
	"addr":                   msg("Address"),
	"detail":                 msg("Detail"),
}

// adminValueLabels are the labels of the values of these pages' fields.
var adminValueLabels = map[string]map[string]string{
	"decision": {
		"approved": msg("Approved"), "rejected": msg("Rejected"), "cancelled": msg("Cancelled"),
		"escalated": msg("Escalated to management"),
	},
	"grants":   {"sensitive": msg("Sensitive fields: contact details and decision chains")},
	"major":    {"true": msg("Major"), "false": msg("Ordinary")},
	"disabled": {"true": msg("Disabled"), "false": msg("Active")},
}

// addLabels adds the labels of fields and of values that the tables of
// labels.go do not have yet: a label given there wins.
func addLabels(fields map[string]string, values map[string]map[string]string) {
	for k, v := range fields {
		if _, ok := fieldLabels[k]; !ok {
			fieldLabels[k] = v
		}
	}
	for field, vs := range values {
		if valueLabels[field] == nil {
			valueLabels[field] = map[string]string{}
		}
		for k, v := range vs {
			if _, ok := valueLabels[field][k]; !ok {
				valueLabels[field][k] = v
			}
		}
	}
}

// adminFlashes are the notices of these pages after a redirect.
var adminFlashes = map[string]string{
	flashArchived:        msg("The record has been archived."),
	flashCustomerSaved:   msg("The customer has been saved."),
	flashDecided:         msg("Your decision has been recorded."),
	flashDepartmentSaved: msg("The department has been saved."),
	flashUserSaved:       msg("The account has been saved."),
	flashVerifyRunning:   msg("A verification is already running: its progress is below."),
	flashVerifyStarted:   msg("The verification has started. This page shows its progress."),
}

const (
	flashArchived        = "archived"
	flashCustomerSaved   = "customer-saved"
	flashDecided         = "decided"
	flashDepartmentSaved = "department-saved"
	flashUserSaved       = "user-saved"
	flashVerifyRunning   = "verify-running"
	flashVerifyStarted   = "verify-started"
)

// dayLayout is the value of a date input.
const dayLayout = time.DateOnly

// day reads the date input name (YYYY-MM-DD) as the start of that day in
// loc, or with end the start of the next (a period [from, to) then holds
// the whole last day). It returns the zero time for an empty input, and
// a message for errs otherwise.
func day(c *fiber.Ctx, r *Request, name string, end bool, loc *time.Location, errs map[string]string) time.Time {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation(dayLayout, v, loc)
	if err != nil {
		errs[name] = r.T("Enter a date such as 2026-03-01.")
		return time.Time{}
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// minuteLayout is the value of a datetime-local input.
const minuteLayout = "2006-01-02T15:04"

// localMinute is t as a datetime-local input shows it, in loc.
func localMinute(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(minuteLayout)
}

// parseMinute reads a datetime-local input's value in loc, as UTC.
func parseMinute(v string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation(minuteLayout, strings.TrimSpace(v), loc)
	return t.UTC(), err == nil
}

// typedValues are the values of the form's fields names, as typed: trimmed,
// and with the line ends a browser sends in a textarea (CR LF) as Go
// writes them (LF).
func typedValues(c *fiber.Ctx, names []string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = strings.TrimSpace(strings.ReplaceAll(c.FormValue(n), "\r\n", "\n"))
	}
	return out
}

// lines splits a textarea into its non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// userNames splits a list of user names written with commas, spaces or
// 、 between them.
func userNames(s string) []visitarchive.UserName {
	var out []visitarchive.UserName
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' || r == '\n' }) {
		out = append(out, visitarchive.UserName(f))
	}
	return out
}

// formState is what a form shows besides its fields after the Archive
// refused it: the messages by field, a message for the whole form, and
// when the object changed meanwhile, its current values that differ
// from what was typed (which the form keeps).
type formState struct {
	Errors  map[string]string
	Error   string
	Current []changedValue
}

// changedValue is a field's value in the current version of an object
// that changed while a form of it was open.
type changedValue struct{ Label, Value string }

// refused turns an error of the Archive on a form into what the form
// shows and the status it answers with: the messages beside the fields
// (Invalid, 422), the conflict (Conflict, 409) with, after a stale edit
// (current, from ifStale), the current values that differ from typed —
// the form takes the current version, so that sending it again saves
// what was typed over it — or a message for a refusal the form can
// explain (Forbidden, 403: separation of duties and the like). Any other
// error is not the form's: refused returns it.
func refused(c *fiber.Ctx, r *Request, err error, typed, current map[string]string) (formState, error) {
	var st formState
	switch {
	case visitarchive.IsKind(err, visitarchive.Invalid):
		st.Errors = fieldErrors(r.Lang, err)
		if len(st.Errors) == 0 {
			st.Error = errorText(r.Lang, err)
		}
		c.Status(http.StatusUnprocessableEntity)
	case visitarchive.IsKind(err, visitarchive.Conflict):
		st.Error = r.T("Someone changed this while you were editing it. What you typed is kept below; the current values that differ from it are listed. Send the form again to save your input over them.")
		if current == nil {
			st.Error = errorText(r.Lang, err)
		}
		for _, k := range slices.Sorted(maps.Keys(current)) {
			if typed[k] != current[k] {
				st.Current = append(st.Current, changedValue{Label: fieldLabel(r, k), Value: current[k]})
			}
		}
		c.Status(http.StatusConflict)
	case visitarchive.IsKind(err, visitarchive.Forbidden):
		st.Error = errorText(r.Lang, err)
		c.Status(http.StatusForbidden)
	default:
		return st, err
	}
	return st, nil
}

// ifStale is current when the form was of another version than cur, the
// object's now: a stale edit, whose form lists what changed meanwhile;
// else nil, for a conflict of another kind (a move the object's state no
// longer allows, disabling oneself), which the form says in the
// Archive's words.
func ifStale(formVersion, cur int, current map[string]string) map[string]string {
	if formVersion == cur {
		return nil
	}
	return current
}

// field is an input of a form as the "field" template renders it: its
// label, the value shown (as typed, when the form comes back), and its
// message beside it.
type field struct {
	Name     string // the form's name of the value, and the Archive's of the field
	ID       string
	Label    string
	Type     string // an input's type, or textarea
	Value    string
	Error    string
	Hint     string
	Required bool
	Max      int    // the most characters (0: no limit)
	List     string // the id of a datalist of suggestions
}

// choice is a select: its field, and the options.
type choice struct {
	field
	Options []selectOption
}

// selectOption is a choice of a select.
type selectOption struct {
	Value, Label string
	Selected     bool
}

// filterFields are the inputs of a filter form: a text input each of
// names, and of from and to a date; with the values and messages of v.
func filterFields(r *Request, form, errs map[string]string, names ...string) []field {
	var out []field
	for _, n := range names {
		typ := "text"
		if n == "from" || n == "to" {
			typ = "date"
		}
		out = append(out, newField(r, n, typ, form[n], errs))
	}
	return out
}

// newField is the input of field name with value, labelled by its label
// (labels.go) in r's language, its message taken from errs.
func newField(r *Request, name, typ, value string, errs map[string]string) field {
	id := strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
	return field{Name: name, ID: id, Label: fieldLabel(r, name), Type: typ, Value: value, Error: errs[name]}
}

// indexed matches the name of a field of one entry of a list, such as
// contacts[0].phone.
var indexed = regexp.MustCompile(`^([a-z_]+)\[(\d+)\]\.([a-z_]+)$`)

// fieldLabel is the label of the field a form or an error names: of one
// entry of a list, the list's label, the entry's number from 1 and the
// field's label.
func fieldLabel(r *Request, name string) string {
	m := indexed.FindStringSubmatch(name)
	if m == nil {
		return Label(r.Lang, name)
	}
	n, _ := strconv.Atoi(m[2])
	return r.Tf("%s %d: %s", Label(r.Lang, m[1]), n+1, Label(r.Lang, m[3]))
}
