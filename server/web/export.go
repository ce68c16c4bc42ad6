package web

import (
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Exports: the form of the export the API provides (GET
// /api/v1/export/records: every record a filter selects, as JSON lines,
// with sensitive fields only as the exporter's roles allow, logged in
// the access log). The page checks the filter as a search reads it and
// shows its errors beside the fields; a good one goes to the API, which
// the browser downloads with the same session.

// exportAPI is where the API's export is.
const exportAPI = "/api/v1/export/records"

// exportFields are the filters the form offers, named as the API's.
var exportFields = []string{"q", "from", "to", "status", "department", "customer_type", "intent", "retention"}

// exportView is the content of the export page.
type exportView struct {
	Form    map[string]string
	Errors  map[string]string
	Selects []choice // status, department, customer type, intent, retention
}

func (w *Web) export(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermExport, visitarchive.KindRecord); err != nil {
		return err
	}
	v := exportView{Form: queryValues(c, exportFields...)}
	if c.Query("download") != "" {
		params, query := map[string]string{}, url.Values{}
		for _, f := range exportFields {
			if v.Form[f] != "" {
				params[f] = v.Form[f]
				query.Set(f, v.Form[f])
			}
		}
		_, err := w.searchQuery(params)
		if err == nil {
			return redirect(c, exportAPI+"?"+query.Encode())
		}
		if !visitarchive.IsKind(err, visitarchive.Invalid) {
			return err
		}
		v.Errors = fieldErrors(r.Lang, err)
		c.Status(http.StatusUnprocessableEntity)
	}
	if err := w.exportChoices(c, r, &v); err != nil {
		return err
	}
	return w.render(c, r, "export", msg("Export records"), v)
}

// exportChoices fills in the form's selects.
func (w *Web) exportChoices(c *fiber.Ctx, r *Request, v *exportView) error {
	depts, err := w.archive.Accounts().ListDepartments(c.UserContext())
	if err != nil {
		return err
	}
	ids, names := make([]string, len(depts)), map[string]string{}
	for i, d := range depts {
		ids[i], names[string(d.ID)] = string(d.ID), d.Name
	}
	for _, s := range []struct {
		name, labels string // labels: the field whose value labels the options
		values       []string
	}{
		{"status", "status", visitarchive.RecordStatuses},
		{"department", "", ids},
		{"customer_type", "customer_type", []string{"key", "regular", "prospect"}},
		{"intent", "cooperation_intent", visitarchive.Intents},
		{"retention", "retention", visitarchive.Retentions},
	} {
		ch := choice{field: newField(r, s.name, "select", v.Form[s.name], v.Errors),
			Options: []selectOption{{Value: "", Label: r.T("Any"), Selected: v.Form[s.name] == ""}}}
		for _, val := range s.values {
			label := Value(r.Lang, s.labels, val)
			if s.name == "department" {
				label = departmentName(names, visitarchive.DepartmentID(val))
			}
			ch.Options = append(ch.Options, selectOption{Value: val, Label: label, Selected: v.Form[s.name] == val})
		}
		v.Selects = append(v.Selects, ch)
	}
	return nil
}
