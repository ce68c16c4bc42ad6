package visitarchive

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// customerCache holds the latest version of every customer. Records are
// indexed with their customer's attributes, and imports check thousands of
// customer references, so these reads must not go to the store. The cache
// is rebuilt from the store at Open and follows the journal after that.
type customerCache struct {
	mu sync.RWMutex
	m  map[CustomerID]*Customer
}

// loadCustomers fills the cache with the current version of every
// customer the catalog records.
func (a *Archive) loadCustomers(ctx context.Context) error {
	es := a.catalog.currents(CustomersPrefix)
	all := make([]*Customer, len(es))
	if err := parallel(ctx, len(es), func(i int) error {
		var s storedCustomer
		err := readSealed(ctx, a.store, es[i].key, es[i].sum, &s)
		all[i] = &s.Customer
		return err
	}); err != nil {
		return err
	}
	m := make(map[CustomerID]*Customer, len(all))
	for _, cu := range all {
		m[cu.ID] = cu
	}
	a.customers.mu.Lock()
	a.customers.m = m
	a.customers.mu.Unlock()
	return nil
}

func (c *customerCache) get(id CustomerID) *Customer {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[id]
}

// put keeps cu unless the cache already has a newer version.
func (c *customerCache) put(cu *Customer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[CustomerID]*Customer{}
	}
	if old := c.m[cu.ID]; old == nil || old.Version < cu.Version {
		c.m[cu.ID] = cu
	}
}

func (c *customerCache) sorted() []*Customer {
	c.mu.RLock()
	all := make([]*Customer, 0, len(c.m))
	for _, cu := range c.m {
		all = append(all, cu)
	}
	c.mu.RUnlock()
	slices.SortFunc(all, func(x, y *Customer) int { return strings.Compare(string(x.ID), string(y.ID)) })
	return all
}

// CreateCustomer validates c and stores it as version 1. c.ID may be chosen
// by the client; it is generated when empty. An existing ID is Conflict.
func (a *Archive) CreateCustomer(ctx context.Context, c Customer) (*Customer, error) {
	const op = "customer.create"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, op, ActCreate, customerResource); err != nil {
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
	s, keyChange, err := a.sealCustomer(ctx, c)
	if err != nil {
		return err
	}
	key := CustomerKey(c.ID, c.Version)
	info, err := a.putVersion(ctx, op, "customer", string(c.ID), c.Version, key, s)
	if err != nil {
		a.dropObject(ctx, keyChange.Key)
		return err
	}
	if err := a.commit(ctx, op, Change{Key: key, SHA256: info.SHA256}, s, keyChange); err != nil {
		return err
	}
	a.customers.put(&s.Customer)
	return nil
}

// loadCustomer returns the stored form of the latest version of customer
// id, or NotFound.
func (a *Archive) loadCustomer(ctx context.Context, op string, id CustomerID) (*storedCustomer, error) {
	if !ValidID(string(id)) {
		return nil, E(op, NotFound, nil, "customer %q not found", id)
	}
	var s storedCustomer
	_, err := a.readCurrent(ctx, CustomersPrefix+string(id)+"/", "customer "+string(id), &s)
	return &s, err
}

// GetCustomer returns the latest version of customer id, with contacts if
// the caller may see them, or NotFound.
func (a *Archive) GetCustomer(ctx context.Context, id CustomerID) (*Customer, error) {
	const op = "customer.get"
	if err := a.visible(ctx, op, customerResource, "customer "+string(id)); err != nil {
		return nil, err
	}
	s, err := a.loadCustomer(ctx, op, id)
	if err != nil {
		return nil, err
	}
	return a.openCustomer(ctx, s, a.reveals(ctx, customerResource))
}

// ListCustomers returns one page of customers ordered by ID, and the
// total. Contacts are not listed: GetCustomer shows them.
func (a *Archive) ListCustomers(ctx context.Context, page, size int) ([]*Customer, int, error) {
	const op = "customer.list"
	if err := a.allow(ctx, op, ActRead, customerResource); err != nil {
		return nil, 0, err
	}
	if page < 1 || size < 1 || size > MaxPageSize {
		return nil, 0, E(op, Invalid, nil, "page must be at least 1 and size between 1 and %d", MaxPageSize)
	}
	all := a.customers.sorted()
	from := min((page-1)*size, len(all))
	to := min(from+size, len(all))
	return all[from:to], len(all), nil
}

// UpdateCustomer replaces customer c.ID with c. c.Version must be the
// version being changed: a stale version is Conflict. Contacts the caller
// may not see keep their stored values.
func (a *Archive) UpdateCustomer(ctx context.Context, c Customer) (*Customer, error) {
	const op = "customer.update"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	if err := a.visible(ctx, op, customerResource, "customer "+string(c.ID)); err != nil {
		return nil, err
	}
	if err := a.allow(ctx, op, ActUpdate, customerResource); err != nil {
		return nil, err
	}
	cur, err := a.loadCustomer(ctx, op, c.ID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(op, "customer", string(c.ID), cur.Version, c.Version); err != nil {
		return nil, err
	}
	if !a.reveals(ctx, customerResource) {
		old, err := a.openCustomer(ctx, cur, true)
		if err != nil {
			return nil, err
		}
		c.Contacts = old.Contacts
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Version, c.Hidden = cur.Version+1, nil
	c.Audit = Audit{CreatedAt: cur.CreatedAt, CreatedBy: cur.CreatedBy, UpdatedAt: a.now().UTC(), UpdatedBy: u}
	return &c, a.writeCustomer(ctx, op, &c)
}
