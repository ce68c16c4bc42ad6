package web

import (
	"crypto/rand"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Accounts, for administrators: the list (auditors read it too), a new
// account with its first password, changes of roles, department, heads
// and grants, disabling and enabling, and a new password set by the
// administrator, which its user must change at their next sign-in — the
// Accounts methods the API's /users calls. Separation of duties (三员分立)
// is the Archive's: a sysadmin holds no content role, nobody changes
// their own roles or disables themselves; the form shows its refusals
// beside the fields.

// usersPageSize is how many accounts a page lists.
const usersPageSize = 50

// usersView is the content of the list of accounts.
type usersView struct {
	Users       []userRow // this page's, by name
	Total       int
	MayCreate   bool
	MayEdit     bool
	Departments map[string]string
	Pager       Pager
}

type userRow struct {
	*visitarchive.User
	DepartmentName string
}

func (w *Web) users(c *fiber.Ctx, r *Request) error {
	ctx := c.UserContext()
	list, err := w.archive.Accounts().ListUsers(ctx)
	if err != nil {
		return err
	}
	page := pageNumber(c)
	v := usersView{Total: len(list), Pager: newPager(c, page, usersPageSize, len(list)),
		MayCreate: w.archive.MayEver(ctx, visitarchive.PermCreate, visitarchive.KindUser),
		MayEdit:   w.archive.MayEver(ctx, visitarchive.PermUpdate, visitarchive.KindUser), Departments: w.departmentNames(ctx)}
	for _, u := range pageOf(list, page, usersPageSize) {
		v.Users = append(v.Users, userRow{User: u, DepartmentName: departmentName(v.Departments, u.Department)})
	}
	return w.render(c, r, "users", msg("Users"), v)
}

// userView is the content of the page of an account, or of a new one.
type userView struct {
	U          *visitarchive.User // nil for a new one
	Self       bool               // the account is the caller's
	Version    int
	Fields     []field // name (a new one's), full name, e-mail
	Department choice
	Roles      choice
	Heads      choice
	Grants     choice
	Password   field // a new one's, or the reset's
	Generate   bool  // a password is generated rather than typed
	formState
}

func (w *Web) newUser(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermCreate, visitarchive.KindUser); err != nil {
		return err
	}
	return w.renderUser(c, r, nil, visitarchive.User{}, true, formState{})
}

func (w *Web) createUser(c *fiber.Ctx, r *Request) error {
	ctx := c.UserContext()
	u := userOfForm(c)
	u.Name = visitarchive.UserName(strings.TrimSpace(c.FormValue("name")))
	pw, generate := newPassword(c)
	st := formState{}
	if err := visitarchive.CheckPassword(pw); err != nil {
		if st, err = refused(c, r, err, nil, nil); err != nil {
			return err
		}
		return w.renderUser(c, r, nil, u, generate, st)
	}
	created, err := w.archive.Accounts().CreateUser(ctx, u)
	if err == nil {
		_, err = w.archive.Accounts().SetPassword(ctx, created.Name, pw)
	}
	if err != nil {
		if st, err = refused(c, r, err, nil, nil); err != nil {
			return err
		}
		return w.renderUser(c, r, nil, u, generate, st)
	}
	c.Status(http.StatusCreated)
	return w.renderPassword(c, r, created.Name, pw, generate, true)
}

func (w *Web) user(c *fiber.Ctx, r *Request) error {
	cur, err := w.userOfPath(c)
	if err != nil {
		return err
	}
	return w.renderUser(c, r, cur, *cur, true, formState{})
}

func (w *Web) updateUser(c *fiber.Ctx, r *Request) error {
	cur, err := w.userOfPath(c)
	if err != nil {
		return err
	}
	u := userOfForm(c)
	u.Name, u.Disabled = cur.Name, cur.Disabled
	return w.saveUser(c, r, cur, u)
}

// setDisabled disables or enables an account.
func (w *Web) setDisabled(c *fiber.Ctx, r *Request) error {
	cur, err := w.userOfPath(c)
	if err != nil {
		return err
	}
	u := *cur
	u.Version, _ = strconv.Atoi(c.FormValue("version"))
	u.Disabled = c.FormValue("disabled") == "true"
	return w.saveUser(c, r, cur, u)
}

// saveUser saves u over cur and goes back to the list, or shows the
// form again with what the Archive refused.
func (w *Web) saveUser(c *fiber.Ctx, r *Request, cur *visitarchive.User, u visitarchive.User) error {
	_, err := w.archive.Accounts().UpdateUser(c.UserContext(), u)
	if err == nil {
		w.flash(c, flashUserSaved)
		return redirect(c, "/admin/users")
	}
	current := ifStale(u.Version, cur.Version, w.userForm(c, r, cur))
	u.Version = cur.Version // after a stale edit, sending the form again saves over it
	st, err := refused(c, r, err, w.userForm(c, r, &u), current)
	if err != nil {
		return err
	}
	return w.renderUser(c, r, cur, u, true, st)
}

// resetPassword sets a new password for an account, generated or
// typed, which its user must change at their next sign-in: their
// sessions end and their API tokens are revoked.
func (w *Web) resetPassword(c *fiber.Ctx, r *Request) error {
	cur, err := w.userOfPath(c)
	if err != nil {
		return err
	}
	pw, generate := newPassword(c)
	if _, err := w.archive.Accounts().SetPassword(c.UserContext(), cur.Name, pw); err != nil {
		st, err := refused(c, r, err, nil, nil)
		if err != nil {
			return err
		}
		return w.renderUser(c, r, cur, *cur, generate, st)
	}
	return w.renderPassword(c, r, cur.Name, pw, generate, false)
}

// userOfPath is the account the path names, for a caller who may change
// accounts.
func (w *Web) userOfPath(c *fiber.Ctx) (*visitarchive.User, error) {
	if err := w.mayUse(c, visitarchive.PermUpdate, visitarchive.KindUser); err != nil {
		return nil, err
	}
	name := visitarchive.UserName(c.Params("name"))
	if !visitarchive.ValidUserName(string(name)) {
		return nil, fiber.ErrNotFound
	}
	return w.archive.Accounts().GetUser(c.UserContext(), name)
}

// userOfForm is the account the form makes, at the version it names.
func userOfForm(c *fiber.Ctx) visitarchive.User {
	f := typedValues(c, []string{"display_name", "email", "department"})
	u := visitarchive.User{DisplayName: f["display_name"], Email: f["email"], Department: visitarchive.DepartmentID(f["department"])}
	u.Version, _ = strconv.Atoi(c.FormValue("version"))
	for _, v := range formList(c, "roles") {
		u.Roles = append(u.Roles, visitarchive.Role(v))
	}
	for _, v := range formList(c, "heads") {
		u.Heads = append(u.Heads, visitarchive.DepartmentID(v))
	}
	for _, v := range formList(c, "grants") {
		u.Grants = append(u.Grants, visitarchive.Grant(v))
	}
	return u
}

// formList is every value of the form's field name (checkboxes).
func formList(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// newPassword is the password the form asks for: the one typed, or
// (password_mode generate) a generated one.
func newPassword(c *fiber.Ctx) (string, bool) {
	if c.FormValue("password_mode") == "set" {
		return c.FormValue("password"), false
	}
	return generatePassword(), true
}

// generatePassword returns a random password of 20 letters and digits
// that cannot be mistaken for one another, in four groups.
func generatePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	var b strings.Builder
	for i := range 20 {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[randomIndex(len(alphabet))])
	}
	return b.String()
}

// randomIndex is a random number in [0, n), uniform.
func randomIndex(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}

// userForm is the values of u as the form shows them, for the current
// values after a conflict.
func (w *Web) userForm(c *fiber.Ctx, r *Request, u *visitarchive.User) map[string]string {
	depts := w.departmentNames(c.UserContext())
	names := func(values []string, label func(string) string) string {
		out := make([]string, len(values))
		for i, v := range values {
			out[i] = label(v)
		}
		slices.Sort(out)
		return strings.Join(out, ", ")
	}
	dept := func(v string) string { return departmentName(depts, visitarchive.DepartmentID(v)) }
	return map[string]string{"display_name": u.DisplayName, "email": u.Email, "department": dept(string(u.Department)),
		"roles":    names(strs(u.Roles), func(v string) string { return Value(r.Lang, "role", v) }),
		"heads":    names(strs(u.Heads), dept),
		"grants":   names(strs(u.Grants), func(v string) string { return Value(r.Lang, "grants", v) }),
		"disabled": Value(r.Lang, "disabled", strconv.FormatBool(u.Disabled))}
}

// strs is values as strings.
func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// renderUser renders the page of account cur (nil: a new one), its form
// filled with u.
func (w *Web) renderUser(c *fiber.Ctx, r *Request, cur *visitarchive.User, u visitarchive.User, generate bool, st formState) error {
	ctx := c.UserContext()
	errs := groupErrors(st.Errors, "roles", "heads", "grants")
	v := userView{U: cur, Version: u.Version, Generate: generate, formState: st}
	if cur == nil {
		v.Fields = append(v.Fields, newField(r, "name", "text", string(u.Name), errs))
		v.Fields[0].Required, v.Fields[0].Hint = true, r.T("Letters, digits, '.', '-' and '_', such as li.wei: how they sign in.")
	} else {
		v.Self = cur.Name == r.User.Name
	}
	v.Fields = append(v.Fields, newField(r, "display_name", "text", u.DisplayName, errs), newField(r, "email", "email", u.Email, errs))
	depts, err := w.archive.Accounts().ListDepartments(ctx)
	if err != nil {
		return err
	}
	v.Department = choice{field: newField(r, "department", "select", string(u.Department), errs),
		Options: []selectOption{{Value: "", Label: r.T("None"), Selected: u.Department == ""}}}
	v.Heads = choice{field: newField(r, "heads", "checkbox", "", errs)}
	for _, d := range depts {
		v.Department.Options = append(v.Department.Options, selectOption{Value: string(d.ID), Label: d.Name, Selected: d.ID == u.Department})
		v.Heads.Options = append(v.Heads.Options, selectOption{Value: string(d.ID), Label: d.Name, Selected: slices.Contains(u.Heads, d.ID)})
	}
	v.Heads.Hint = r.T("Only a supervisor heads departments; a supervisor heads at least one.")
	v.Roles = choice{field: newField(r, "roles", "checkbox", "", errs)}
	for _, role := range visitarchive.Roles {
		v.Roles.Options = append(v.Roles.Options, selectOption{Value: role, Label: Value(r.Lang, "role", role),
			Selected: slices.Contains(u.Roles, visitarchive.Role(role))})
	}
	v.Roles.Hint = r.T("Separation of duties: a system administrator holds no other role and no grant.")
	v.Grants = choice{field: newField(r, "grants", "checkbox", "", errs)}
	for _, g := range visitarchive.Grants {
		v.Grants.Options = append(v.Grants.Options, selectOption{Value: g, Label: Value(r.Lang, "grants", g),
			Selected: slices.Contains(u.Grants, visitarchive.Grant(g))})
	}
	v.Password = newField(r, "password", "password", "", errs)
	v.Password.Hint = r.T("At least 12 characters. Its user must change it when they next sign in.")
	title := msg("Account")
	if cur == nil {
		title = msg("New account")
	}
	return w.render(c, r, "user", title, v)
}

// groupErrors is errs with the messages of the entries of lists
// (roles[1]) joined under the list's name (roles), whose inputs show
// them.
func groupErrors(errs map[string]string, lists ...string) map[string]string {
	out := map[string]string{}
	for k, m := range errs {
		if name, _, ok := strings.Cut(k, "["); ok && slices.Contains(lists, name) {
			if k = name; out[k] != "" {
				m = out[k] + " " + m
			}
		}
		out[k] = m
	}
	return out
}

// passwordSetView is the content of the page that shows a password set.
type passwordSetView struct {
	Name      visitarchive.UserName
	Password  string // shown once, when generated
	Generated bool
	Created   bool // the account is new
}

// renderPassword shows the password just set for name, once.
func (w *Web) renderPassword(c *fiber.Ctx, r *Request, name visitarchive.UserName, pw string, generated, created bool) error {
	v := passwordSetView{Name: name, Generated: generated, Created: created}
	if generated {
		v.Password = pw
	}
	return w.render(c, r, "user-password", msg("Password set"), v)
}
