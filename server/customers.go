package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// customerAPI adapts the Archive's customer methods to objectAPI.
func (s *Server) customerAPI() *objectAPI[visitarchive.Customer] {
	a := s.archive
	return &objectAPI[visitarchive.Customer]{
		archive: a,
		what:    "customer",
		prefix:  apiPrefix + "/customers",
		get: func(ctx context.Context, id string) (*visitarchive.Customer, error) {
			return a.GetCustomer(ctx, visitarchive.CustomerID(id))
		},
		create: a.CreateCustomer,
		update: a.UpdateCustomer,
		ident: func(c *visitarchive.Customer) (string, int) {
			return string(c.ID), c.Version
		},
		manage: func(c, cur *visitarchive.Customer, id string, version int) {
			c.ID, c.Version, c.Audit = visitarchive.CustomerID(id), version, visitarchive.Audit{}
			if cur != nil {
				c.Audit = cur.Audit
			}
		},
	}
}

// customerList is the answer of GET /customers.
type customerList struct {
	Total     int                      `json:"total"`
	Customers []*visitarchive.Customer `json:"customers"`
}

func (s *Server) listCustomers(c *fiber.Ctx) error {
	const op = "customer.list"
	p, err := queryParams(c, op, "page", "size")
	if err != nil {
		return err
	}
	q, err := s.searchQuery(op, p)
	if err != nil {
		return err
	}
	list, total, err := s.archive.ListCustomers(c.UserContext(), q.Page, q.Size)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*visitarchive.Customer{}
	}
	return c.JSON(customerList{Total: total, Customers: list})
}
