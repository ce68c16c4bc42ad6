package visitarchive

import (
	"context"
)

// customer returns the current version of customer id, contacts sealed
// away, from the cache; nil when there is none. Records are indexed with
// their customer's attributes, and imports check thousands of customer
// references, so these reads must not go to the store.
func (a *Archive) customer(id CustomerID) *Customer {
	if s := a.customers.get(id); s != nil {
		return &s.Customer
	}
	return nil
}

// CreateCustomer validates c and stores it as version 1. c.ID may be chosen
// by the client; it is generated when empty. An existing ID is Conflict.
func (a *Archive) CreateCustomer(ctx context.Context, c Customer) (*Customer, error) {
	const op = "customer.create"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, op, PermCreate, customerResource); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	if c.ID == "" {
		c.ID = CustomerID(NewID("C", now))
	}
	c.Version, c.Hidden = 1, nil
	c.Audit = Audit{CreatedAt: now, CreatedBy: u, UpdatedAt: now, UpdatedBy: u}
	return &c, a.writeCustomer(ctx, op, &c)
}

// customerResource is every customer, as the policy sees it: customers
// belong to the company, not to a department.
var customerResource = Resource{Kind: KindCustomer}

func (a *Archive) writeCustomer(ctx context.Context, op string, c *Customer) error {
	s, keyDone, err := a.sealCustomer(ctx, c)
	var ch Change
	if err == nil {
		ch, err = customerKind.put(ctx, a, op, s) // beside the data key's
	}
	if err := a.commitSealed(ctx, op, ch, s, err, keyDone, nil); err != nil {
		return err
	}
	a.customers.put(s)
	return nil
}

// loadCustomer returns the stored form of the latest version of customer
// id, or NotFound.
func (a *Archive) loadCustomer(ctx context.Context, op string, id CustomerID) (*storedCustomer, error) {
	return customerKind.current(ctx, a, op, id)
}

// GetCustomer returns the latest version of customer id, with contacts if
// the caller may see them, or NotFound. Contacts shown are logged as a
// read.
func (a *Archive) GetCustomer(ctx context.Context, id CustomerID) (*Customer, error) {
	const op = "customer.get"
	if err := a.visible(ctx, op, customerResource, string(id)); err != nil {
		return nil, err
	}
	s, err := a.loadCustomer(ctx, op, id)
	if err != nil {
		return nil, err
	}
	c, err := a.openCustomer(ctx, s, a.reveals(ctx, customerResource))
	if err != nil || len(c.Contacts) == 0 {
		return c, err
	}
	ev := Change{Action: ActionCustomerRead, Key: CustomerKey(c.ID, c.Version), Fields: []string{"contacts"}}
	return c, a.logAccess(ctx, op, []Change{ev})
}

// ListCustomers returns one page of customers ordered by ID, and the
// total. Contacts are not listed (GetCustomer shows them, and logs it):
// the rest of a customer is the company's, not personal data.
func (a *Archive) ListCustomers(ctx context.Context, page, size int) ([]*Customer, int, error) {
	const op = "customer.list"
	if err := a.allow(ctx, op, PermRead, customerResource); err != nil {
		return nil, 0, err
	}
	if page < 1 || size < 1 || size > MaxPageSize {
		return nil, 0, E(op, Invalid, nil, "page must be at least 1 and size between 1 and %d", MaxPageSize)
	}
	all := a.customers.all()
	from := min((page-1)*size, len(all))
	out := make([]*Customer, 0, min(from+size, len(all))-from)
	for _, s := range all[from:min(from+size, len(all))] {
		out = append(out, &s.Customer)
	}
	return out, len(all), nil
}

// UpdateCustomer replaces customer c.ID with c. c.Version must be the
// version being changed: a stale version is Conflict. Contacts the caller
// may not see keep their stored values. An update that changes nothing
// writes nothing and returns the current version.
func (a *Archive) UpdateCustomer(ctx context.Context, c Customer) (*Customer, error) {
	const op = "customer.update"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	if err := a.visible(ctx, op, customerResource, string(c.ID)); err != nil {
		return nil, err
	}
	if err := a.allow(ctx, op, PermUpdate, customerResource); err != nil {
		return nil, err
	}
	cur, err := a.loadCustomer(ctx, op, c.ID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(op, "customer", string(c.ID), cur.Version, c.Version); err != nil {
		return nil, err
	}
	old, err := a.openCustomer(ctx, cur, true)
	if err != nil {
		return nil, err
	}
	reveal := a.reveals(ctx, customerResource)
	if !reveal {
		c.Contacts = old.Contacts
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if unchanged(old, &c, "hidden") {
		return a.openCustomer(ctx, cur, reveal)
	}
	c.Version, c.Hidden = cur.Version+1, nil
	c.Audit = Audit{CreatedAt: cur.CreatedAt, CreatedBy: cur.CreatedBy, UpdatedAt: a.now().UTC(), UpdatedBy: u}
	return &c, a.writeCustomer(ctx, op, &c)
}
