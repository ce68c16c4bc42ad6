package web

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Customers: the list, a page a time; a customer with its contacts; and
// for whom the policy lets (employees and supervisors), a new customer
// and changes, as the API's /customers makes them. Contacts are personal
// data: the Archive shows them only to whom the policy reveals them, and
// logs it; to the others the page says they are hidden, and a change
// keeps them as they are.

// customersPageSize is how many customers a page lists.
const customersPageSize = 50

// customersView is the content of the list of customers.
type customersView struct {
	Customers []*visitarchive.Customer
	Total     int
	MayCreate bool
	Pager     Pager
}

func (w *Web) customers(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermRead, visitarchive.KindCustomer); err != nil {
		return err
	}
	ctx := c.UserContext()
	page := pageNumber(c)
	list, total, err := w.archive.ListCustomers(ctx, page, customersPageSize)
	if err != nil {
		return err
	}
	v := customersView{Customers: list, Total: total, Pager: newPager(c, page, customersPageSize, total),
		MayCreate: w.archive.MayEver(ctx, visitarchive.PermCreate, visitarchive.KindCustomer)}
	return w.render(c, r, "customers", msg("Customers"), v)
}

// customerView is the content of the page of a customer, or of a new
// one.
type customerView struct {
	C        *visitarchive.Customer // nil for a new one
	Editable bool
	Version  int
	Fields   []field // id (a new one's), name, business area, country
	Type     choice
	// Contacts are the inputs of the contacts, a row of four each, with
	// empty rows to add more; nil when they are hidden from the caller.
	Contacts       []contactRow
	ContactsHidden bool
	formState
}

// contactRow is the inputs of one contact; Number counts from 1.
type contactRow struct {
	Number int
	Fields []field
}

// contactFields are the fields of a contact, in the order of the form.
var contactFields = []string{"name", "title", "phone", "email"}

// blankContacts is how many empty rows of contacts a form offers.
const blankContacts = 2

func (w *Web) newCustomer(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermCreate, visitarchive.KindCustomer); err != nil {
		return err
	}
	return w.renderCustomer(c, r, nil, map[string]string{"customer_type": string(visitarchive.CustomerTypeRegular)}, formState{})
}

func (w *Web) createCustomer(c *fiber.Ctx, r *Request) error {
	typed, cu := customerOfForm(c)
	created, err := w.archive.CreateCustomer(c.UserContext(), cu)
	if err == nil {
		w.flash(c, flashCustomerSaved)
		return redirect(c, "/customers/"+string(created.ID))
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	return w.renderCustomer(c, r, nil, typed, st)
}

func (w *Web) customer(c *fiber.Ctx, r *Request) error {
	cur, err := w.customerOfPath(c)
	if err != nil {
		return err
	}
	return w.renderCustomer(c, r, cur, customerForm(cur), formState{})
}

func (w *Web) updateCustomer(c *fiber.Ctx, r *Request) error {
	cur, err := w.customerOfPath(c)
	if err != nil {
		return err
	}
	typed, cu := customerOfForm(c)
	cu.ID = cur.ID
	if slices.Contains(cur.Hidden, "contacts") {
		cu.Contacts = nil // kept by the Archive
	}
	_, err = w.archive.UpdateCustomer(c.UserContext(), cu)
	if err == nil {
		w.flash(c, flashCustomerSaved)
		return redirect(c, "/customers/"+string(cur.ID))
	}
	st, err := refused(c, r, err, typed, ifStale(cu.Version, cur.Version, customerForm(cur)))
	if err != nil {
		return err
	}
	return w.renderCustomer(c, r, cur, typed, st)
}

// customerOfPath is the customer the path names, as the caller may see
// it.
func (w *Web) customerOfPath(c *fiber.Ctx) (*visitarchive.Customer, error) {
	id := visitarchive.CustomerID(c.Params("id"))
	if !visitarchive.ValidID(string(id)) {
		return nil, fiber.ErrNotFound
	}
	return w.archive.GetCustomer(c.UserContext(), id)
}

// customerForm is the values of the form of cu.
func customerForm(cu *visitarchive.Customer) map[string]string {
	f := map[string]string{"id": string(cu.ID), "name": cu.Name, "customer_type": string(cu.Type),
		"business_area": cu.BusinessArea, "country": cu.Country}
	for i, p := range cu.Contacts {
		for _, name := range contactFields {
			f[contactField(i, name)] = map[string]string{"name": p.Name, "title": p.Title, "phone": p.Phone, "email": p.Email}[name]
		}
	}
	return f
}

// contactField is the form's name of field name of contact i, which is
// also the Archive's name of it in its messages.
func contactField(i int, name string) string { return "contacts[" + strconv.Itoa(i) + "]." + name }

// customerOfForm reads the form of a customer: its values as typed, and
// the customer they make, at the version the form names. Rows of
// contacts left empty are no contacts.
func customerOfForm(c *fiber.Ctx) (map[string]string, visitarchive.Customer) {
	typed := typedValues(c, []string{"id", "name", "customer_type", "business_area", "country"})
	cu := visitarchive.Customer{ID: visitarchive.CustomerID(typed["id"]), Name: typed["name"],
		Type: visitarchive.CustomerType(typed["customer_type"]), BusinessArea: typed["business_area"], Country: typed["country"]}
	cu.Version, _ = strconv.Atoi(c.FormValue("version"))
	rows, _ := strconv.Atoi(c.FormValue("contact_rows"))
	for i := range min(rows, 100+blankContacts) {
		names := make([]string, len(contactFields))
		for j, f := range contactFields {
			names[j] = contactField(i, f)
		}
		row := typedValues(c, names)
		p := visitarchive.Contact{Name: row[names[0]], Title: row[names[1]], Phone: row[names[2]], Email: row[names[3]]}
		if p == (visitarchive.Contact{}) {
			continue
		}
		for j, f := range contactFields { // renumbered without the empty rows
			typed[contactField(len(cu.Contacts), f)] = row[names[j]]
		}
		cu.Contacts = append(cu.Contacts, p)
	}
	return typed, cu
}

// renderCustomer renders the page of cu (nil: a new customer), its form
// filled with typed.
func (w *Web) renderCustomer(c *fiber.Ctx, r *Request, cu *visitarchive.Customer, typed map[string]string, st formState) error {
	ctx := c.UserContext()
	v := customerView{C: cu, formState: st}
	if cu == nil {
		v.Editable = true
		v.Fields = append(v.Fields, newField(r, "id", "text", typed["id"], st.Errors))
		v.Fields[0].Hint, v.Fields[0].Max = r.T("Optional: left empty, one is given."), 64
	} else {
		v.Editable = w.archive.MayEver(ctx, visitarchive.PermUpdate, visitarchive.KindCustomer)
		// The current version, also after a conflict: sending the form
		// again saves what was typed over it.
		v.Version, v.ContactsHidden = cu.Version, len(cu.Hidden) > 0
	}
	name := newField(r, "name", "text", typed["name"], st.Errors)
	name.Label, name.Required = r.T("Customer name"), true
	v.Fields = append(v.Fields, name, newField(r, "business_area", "text", typed["business_area"], st.Errors),
		newField(r, "country", "text", typed["country"], st.Errors))
	v.Type = choice{newField(r, "customer_type", "select", typed["customer_type"], st.Errors), customerTypes(r, typed["customer_type"])}
	if !v.ContactsHidden {
		v.Contacts = contactRows(r, typed, st.Errors)
	}
	title := msg("Customer")
	if cu == nil {
		title = msg("New customer")
	}
	return w.render(c, r, "customer", title, v)
}

// customerTypes are the choices of a customer's type: the well-known
// ones, and cur if it is another.
func customerTypes(r *Request, cur string) []selectOption {
	known := []string{string(visitarchive.CustomerTypeKey), string(visitarchive.CustomerTypeRegular), string(visitarchive.CustomerTypeProspect)}
	if cur != "" && !slices.Contains(known, cur) {
		known = append(known, cur)
	}
	out := make([]selectOption, len(known))
	for i, t := range known {
		out[i] = selectOption{Value: t, Label: Value(r.Lang, "customer_type", t), Selected: t == cur}
	}
	return out
}

// contactRows are the inputs of the contacts typed, and blank rows.
func contactRows(r *Request, typed map[string]string, errs map[string]string) []contactRow {
	n := 0
	for typed[contactField(n, "name")] != "" || typed[contactField(n, "phone")] != "" ||
		typed[contactField(n, "title")] != "" || typed[contactField(n, "email")] != "" {
		n++
	}
	rows := make([]contactRow, n+blankContacts)
	for i := range rows {
		rows[i].Number = i + 1
		for _, f := range contactFields {
			name := contactField(i, f)
			typ := map[string]string{"phone": "tel", "email": "email"}[f]
			rows[i].Fields = append(rows[i].Fields, newField(r, name, cmp.Or(typ, "text"), typed[name], errs))
		}
	}
	return rows
}
