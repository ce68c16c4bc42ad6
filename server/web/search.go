package web

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The search page: words, a date range, the sort, facets with their
// counts (a click filters, a second click lets go), highlighted fragments
// and pages. The parameters are those of GET /api/v1/search, read by the
// same code (Config.SearchQuery), so a page's URL and the API's agree.

// facetParams maps each facet of a search result to the parameter that
// filters by it, in the order the page shows them.
var facetParams = []struct{ facet, param string }{
	{"status", "status"},
	{"customer_id", "customer"},
	{"customer_type", "customer_type"},
	{"business_area", "business_area"},
	{"department", "department"},
	{"visitors", "visitor"},
	{"cooperation_intent", "intent"},
	{"country", "country"},
	{"late", "late"},
	{visitarchive.FacetOverdue, "overdue"},
	{"reviewer", "reviewer"},
	{"retention", "retention"},
}

// searchFields are the parameters the page reads, besides the facets'.
var searchFields = []string{"q", "from", "to", "sort", "page"}

// searchPageSize is how many hits a page shows.
const searchPageSize = 20

// searchView is the content of the search page.
type searchView struct {
	Form    map[string]string // the parameters as sent, to fill the form again
	Errors  map[string]string // by parameter
	Total   uint64
	Hits    []hitView
	Facets  []facetView
	Filters []filterView // the facet filters in force, each with its link to let go
	Sorts   []sortChoice
	Pager   Pager
	Ran     bool // the search ran (false when its parameters are invalid)
}

type hitView struct {
	URL          string
	CustomerName string
	VisitStart   time.Time
	Topic        string
	Fragments    []fragmentView
}

type fragmentView struct {
	Label string // the field's, "" for the text as a whole
	Text  string // the index's fragment: render it with marked
}

type facetView struct {
	Label  string
	Values []facetValue
}

type facetValue struct {
	Label  string
	Count  int
	URL    string
	Active bool
}

type filterView struct {
	Label, Value, Remove string
}

type sortChoice struct {
	Value, Label string
	Selected     bool
}

func (w *Web) search(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermRead, visitarchive.KindRecord); err != nil {
		return err
	}
	params := searchParams(c)
	v := searchView{Form: params}
	q, err := w.searchQuery(withDefaults(params))
	var res *visitarchive.SearchResult
	if err == nil {
		res, err = w.archive.Search(c.UserContext(), q)
	}
	names := facetNames{depts: w.departmentNames(c.UserContext()), customers: map[string]string{}}
	switch {
	case visitarchive.IsKind(err, visitarchive.Invalid):
		v.Errors = fieldErrors(r.Lang, err)
		c.Status(http.StatusUnprocessableEntity)
	case err != nil:
		return err
	default:
		w.fillResults(c, r, &v, q, res, names)
	}
	v.Sorts = sortChoices(r, params)
	v.Filters = activeFilters(c, r, params, names)
	return w.render(c, r, "search", msg("Search"), v)
}

// searchParams are the page's non-empty parameters that a search reads.
func searchParams(c *fiber.Ctx) map[string]string {
	params := map[string]string{}
	add := func(name string) {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			params[name] = v
		}
	}
	for _, name := range searchFields {
		add(name)
	}
	for _, f := range facetParams {
		add(f.param)
	}
	return params
}

// withDefaults adds what the page chooses and the API leaves to the
// client: the page size, and without words the newest visits first.
func withDefaults(params map[string]string) map[string]string {
	q := map[string]string{"size": strconv.Itoa(searchPageSize)}
	for k, v := range params {
		q[k] = v
	}
	if q["sort"] == "" && q["q"] == "" {
		q["sort"] = visitarchive.SortVisitStartDesc
	}
	return q
}

// facetNames are the names that facets show for ids: of the customers
// of the hits, and of the departments.
type facetNames struct{ customers, depts map[string]string }

func (w *Web) fillResults(c *fiber.Ctx, r *Request, v *searchView, q visitarchive.SearchQuery, res *visitarchive.SearchResult, names facetNames) {
	v.Ran, v.Total = true, res.Total
	v.Pager = newPager(c, q.Page, q.Size, int(min(res.Total, uint64(maxSearchPages*q.Size))))
	for _, h := range res.Hits {
		names.customers[string(h.CustomerID)] = h.CustomerName
		v.Hits = append(v.Hits, hitView{URL: objectLink(visitarchive.KindRecord, string(h.ID)),
			CustomerName: h.CustomerName, VisitStart: h.VisitStart, Topic: h.Topic,
			Fragments: fragments(r, h.Fragments, h.Attachment)})
	}
	for _, f := range facetParams {
		counts := res.Facets[f.facet]
		if len(counts) == 0 {
			continue
		}
		fv := facetView{Label: Label(r.Lang, f.facet)}
		for _, fc := range counts {
			active := v.Form[f.param] == fc.Value
			to := fc.Value
			if active {
				to = ""
			}
			fv.Values = append(fv.Values, facetValue{Label: facetLabel(r, f.facet, fc.Value, names),
				Count: fc.Count, URL: withParam(c, f.param, to), Active: active})
		}
		v.Facets = append(v.Facets, fv)
	}
}

// maxSearchPages bounds the pages offered: deep pages cost the index
// much and help nobody; a narrower search does.
const maxSearchPages = 50

// fragments are a hit's highlighted fragments by field, under the
// field's label when it is one of the form's (the index highlights the
// record's text as a whole, one field a line: the lines are joined).
func fragments(r *Request, byField map[string][]string, file *visitarchive.HitAttachment) []fragmentView {
	var out []fragmentView
	for _, f := range slices.Sorted(maps.Keys(byField)) {
		label := ""
		if _, ok := fieldLabels[f]; ok {
			label = Label(r.Lang, f)
		}
		if f == visitarchive.FragmentFiles && file != nil {
			label = fileLabel(r, file)
		}
		for _, text := range byField[f] {
			out = append(out, fragmentView{Label: label, Text: strings.ReplaceAll(strings.TrimSpace(text), "\n", " · ")})
		}
	}
	return out
}

// facetLabel is how a facet's value is shown: a label for fixed values,
// a customer's name for its id when a hit tells it, a department's name,
// else the value.
func facetLabel(r *Request, facet, value string, names facetNames) string {
	switch {
	case facet == "customer_id" && names.customers[value] != "":
		return names.customers[value]
	case facet == "department":
		return departmentName(names.depts, visitarchive.DepartmentID(value))
	}
	return Value(r.Lang, facet, value)
}

func sortChoices(r *Request, params map[string]string) []sortChoice {
	cur := withDefaults(params)["sort"]
	if cur == "" {
		cur = visitarchive.SortRelevance
	}
	var out []sortChoice
	for _, s := range []sortChoice{
		{visitarchive.SortRelevance, msg("Best match"), false},
		{visitarchive.SortVisitStartDesc, msg("Newest visits first"), false},
		{visitarchive.SortVisitStart, msg("Oldest visits first"), false},
	} {
		out = append(out, sortChoice{Value: s.Value, Label: r.T(s.Label), Selected: s.Value == cur})
	}
	return out
}

// activeFilters are the facet filters in force, each with the link that
// lets it go.
func activeFilters(c *fiber.Ctx, r *Request, params map[string]string, names facetNames) []filterView {
	var out []filterView
	for _, f := range facetParams {
		if v, ok := params[f.param]; ok {
			out = append(out, filterView{Label: Label(r.Lang, f.facet), Value: facetLabel(r, f.facet, v, names),
				Remove: withParam(c, f.param, "")})
		}
	}
	return out
}

// fileLabel names the file, and its page, that a fragment of the text of
// a record's files comes from.
func fileLabel(r *Request, f *visitarchive.HitAttachment) string {
	if f.Page > 0 {
		return r.Tf("File %s, page %d", f.Name, f.Page)
	}
	return r.Tf("File %s", f.Name)
}
