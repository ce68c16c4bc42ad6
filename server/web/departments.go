package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Departments, for administrators (auditors read them too): the list
// with the form of a new one, and a department's name changed — the
// Accounts methods the API's /departments calls.

// departmentsPageSize is how many departments a page lists.
const departmentsPageSize = 50

// departmentsView is the content of the list of departments.
type departmentsView struct {
	Departments []*visitarchive.Department // this page's, by id
	Total       int
	Pager       Pager
	MayCreate   bool
	MayEdit     bool
	Fields      []field // of a new one: id, name
	formState
}

func (w *Web) departments(c *fiber.Ctx, r *Request) error {
	return w.renderDepartments(c, r, map[string]string{}, formState{})
}

func (w *Web) createDepartment(c *fiber.Ctx, r *Request) error {
	typed := typedValues(c, []string{"id", "name"})
	_, err := w.archive.Accounts().CreateDepartment(c.UserContext(),
		visitarchive.Department{ID: visitarchive.DepartmentID(typed["id"]), Name: typed["name"]})
	if err == nil {
		w.flash(c, flashDepartmentSaved)
		return redirect(c, "/admin/departments")
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	return w.renderDepartments(c, r, typed, st)
}

// renderDepartments renders the list, the form of a new one filled with
// typed.
func (w *Web) renderDepartments(c *fiber.Ctx, r *Request, typed map[string]string, st formState) error {
	if err := w.mayUse(c, visitarchive.PermRead, visitarchive.KindDepartment); err != nil {
		return err
	}
	ctx := c.UserContext()
	list, err := w.archive.Accounts().ListDepartments(ctx)
	if err != nil {
		return err
	}
	page := pageNumber(c)
	v := departmentsView{Departments: pageOf(list, page, departmentsPageSize), Total: len(list), formState: st,
		Pager:     newPager(c, page, departmentsPageSize, len(list)),
		MayCreate: w.archive.MayEver(ctx, visitarchive.PermCreate, visitarchive.KindDepartment),
		MayEdit:   w.archive.MayEver(ctx, visitarchive.PermUpdate, visitarchive.KindDepartment)}
	v.Fields = []field{newField(r, "id", "text", typed["id"], st.Errors), newField(r, "name", "text", typed["name"], st.Errors)}
	v.Fields[0].Required, v.Fields[0].Max = true, 64
	v.Fields[0].Hint = r.T("A short code of letters, digits, '-' and '_', such as sales-eu; it cannot be changed later.")
	v.Fields[1].Label, v.Fields[1].Required = r.T("Department name"), true
	return w.render(c, r, "departments", msg("Departments"), v)
}

// departmentView is the content of the page of a department.
type departmentView struct {
	D       *visitarchive.Department
	Version int
	Name    field
	formState
}

func (w *Web) department(c *fiber.Ctx, r *Request) error {
	d, err := w.departmentOfPath(c)
	if err != nil {
		return err
	}
	return w.renderDepartment(c, r, d, d.Name, formState{})
}

func (w *Web) updateDepartment(c *fiber.Ctx, r *Request) error {
	cur, err := w.departmentOfPath(c)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(c.FormValue("name"))
	version, _ := strconv.Atoi(c.FormValue("version"))
	_, err = w.archive.Accounts().UpdateDepartment(c.UserContext(), visitarchive.Department{ID: cur.ID, Version: version, Name: name})
	if err == nil {
		w.flash(c, flashDepartmentSaved)
		return redirect(c, "/admin/departments")
	}
	st, err := refused(c, r, err, map[string]string{"name": name}, ifStale(version, cur.Version, map[string]string{"name": cur.Name}))
	if err != nil {
		return err
	}
	return w.renderDepartment(c, r, cur, name, st)
}

// departmentOfPath is the department the path names, for a caller who
// may change departments.
func (w *Web) departmentOfPath(c *fiber.Ctx) (*visitarchive.Department, error) {
	if err := w.mayUse(c, visitarchive.PermUpdate, visitarchive.KindDepartment); err != nil {
		return nil, err
	}
	id := visitarchive.DepartmentID(c.Params("id"))
	if !visitarchive.ValidID(string(id)) {
		return nil, fiber.ErrNotFound
	}
	return w.archive.Accounts().GetDepartment(c.UserContext(), id)
}

// renderDepartment renders the form of d (at its current version: after
// a conflict, sending it again saves over it), its name as typed.
func (w *Web) renderDepartment(c *fiber.Ctx, r *Request, d *visitarchive.Department, name string, st formState) error {
	v := departmentView{D: d, Version: d.Version, Name: newField(r, "name", "text", name, st.Errors), formState: st}
	v.Name.Label, v.Name.Required = r.T("Department name"), true
	return w.render(c, r, "department", msg("Department"), v)
}
