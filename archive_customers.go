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

func (c *customerCache) load(ctx context.Context, store Store) error {
	m := map[CustomerID]*Customer{}
	latest, err := latestKeys(ctx, store, CustomersPrefix)
	if err != nil {
		return E("open", Unavailable, err, "cannot list customers in the store")
	}
	for _, key := range latest {
		cu, err := readCustomer(ctx, store, key)
		if err != nil {
			return err
		}
		m[cu.ID] = cu
	}
	c.mu.Lock()
	c.m = m
	c.mu.Unlock()
	return nil
}

func readCustomer(ctx context.Context, store Store, key string) (*Customer, error) {
	var cu Customer
	if _, err := readJSON(ctx, store, key, &cu); err != nil {
		return nil, err
	}
	return &cu, nil
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
	if err := c.Validate(); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	if c.ID == "" {
		c.ID = CustomerID(NewID("C", now))
	}
	c.Version = 1
	c.Audit = Audit{CreatedAt: now, CreatedBy: u, UpdatedAt: now, UpdatedBy: u}
	return &c, a.writeCustomer(ctx, op, &c)
}

func (a *Archive) writeCustomer(ctx context.Context, op string, c *Customer) error {
	key := CustomerKey(c.ID, c.Version)
	info, err := a.put(ctx, key, c)
	if IsKind(err, Conflict) {
		if c.Version == 1 {
			return E(op, Conflict, err, "customer %s already exists", c.ID)
		}
		return E(op, Conflict, err, "customer %s was changed by someone else (version %d exists); reload it and apply your change again", c.ID, c.Version)
	}
	if err != nil {
		return err
	}
	if err := a.commit(ctx, op, key, info, c); err != nil {
		return err
	}
	a.customers.put(c)
	return nil
}

// GetCustomer returns the latest version of customer id, or NotFound.
func (a *Archive) GetCustomer(ctx context.Context, id CustomerID) (*Customer, error) {
	if !ValidID(string(id)) {
		return nil, E("customer.get", NotFound, nil, "customer %q not found", id)
	}
	key, err := a.latestKey(ctx, CustomersPrefix+string(id)+"/", "customer "+string(id))
	if err != nil {
		return nil, err
	}
	return readCustomer(ctx, a.store, key)
}

// ListCustomers returns one page of customers ordered by ID, and the total.
func (a *Archive) ListCustomers(ctx context.Context, page, size int) ([]*Customer, int, error) {
	if page < 1 || size < 1 || size > MaxPageSize {
		return nil, 0, E("customer.list", Invalid, nil, "page must be at least 1 and size between 1 and %d", MaxPageSize)
	}
	all := a.customers.sorted()
	from := min((page-1)*size, len(all))
	to := min(from+size, len(all))
	return all[from:to], len(all), nil
}

// UpdateCustomer replaces customer c.ID with c. c.Version must be the
// version being changed: a stale version is Conflict. Returns the new
// version.
func (a *Archive) UpdateCustomer(ctx context.Context, c Customer) (*Customer, error) {
	const op = "customer.update"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	cur, err := a.GetCustomer(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if c.Version != cur.Version {
		return nil, E(op, Conflict, nil, "customer %s is at version %d, not %d; reload it and apply your change again", c.ID, cur.Version, c.Version)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Version = cur.Version + 1
	c.Audit = Audit{CreatedAt: cur.CreatedAt, CreatedBy: cur.CreatedBy, UpdatedAt: a.now().UTC(), UpdatedBy: u}
	return &c, a.writeCustomer(ctx, op, &c)
}
