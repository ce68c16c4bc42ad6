package server

import (
	"context"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// userAPI adapts the Archive's user methods to objectAPI. Passwords are
// not part of a user: PUT /users/{id}/password sets one.
func (s *Server) userAPI() *objectAPI[visitarchive.User] {
	a := s.archive
	return &objectAPI[visitarchive.User]{
		archive: a,
		what:    "user",
		prefix:  apiPrefix + "/users",
		get: func(ctx context.Context, id string) (*visitarchive.User, error) {
			return a.Accounts().GetUser(ctx, visitarchive.UserName(id))
		},
		create:       a.Accounts().CreateUser,
		update:       a.Accounts().UpdateUser,
		ident:        func(u *visitarchive.User) (string, int) { return string(u.Name), u.Version },
		idField:      "name",
		validID:      visitarchive.ValidUserName,
		serverFields: userFields,
		manage: func(u, cur *visitarchive.User, id string, version int) {
			u.Name, u.Version, u.Audit = visitarchive.UserName(id), version, visitarchive.Audit{}
			if cur != nil {
				u.Audit = cur.Audit
			}
		},
	}
}

// userFields are the fields of a user that the server sets.
var userFields = map[string]string{
	"must_change_password": "is set when someone else sets the password (PUT %s/password) " +
		"and cleared when the user chooses their own (PUT " + apiPrefix + "/auth/password)",
}

// departmentAPI adapts the Archive's department methods to objectAPI.
func (s *Server) departmentAPI() *objectAPI[visitarchive.Department] {
	a := s.archive
	return &objectAPI[visitarchive.Department]{
		archive: a,
		what:    "department",
		prefix:  apiPrefix + "/departments",
		get: func(ctx context.Context, id string) (*visitarchive.Department, error) {
			return a.Accounts().GetDepartment(ctx, visitarchive.DepartmentID(id))
		},
		create: a.Accounts().CreateDepartment,
		update: a.Accounts().UpdateDepartment,
		ident:  func(d *visitarchive.Department) (string, int) { return string(d.ID), d.Version },
		manage: func(d, cur *visitarchive.Department, id string, version int) {
			d.ID, d.Version, d.Audit = visitarchive.DepartmentID(id), version, visitarchive.Audit{}
			if cur != nil {
				d.Audit = cur.Audit
			}
		},
	}
}

// userCreate is the body of POST /users: a user, and optionally its first
// password (PUT /users/{id}/password sets one later).
type userCreate struct {
	visitarchive.User
	Password string `json:"password,omitempty"`
}

// createUser creates a user and, when the body has one, sets its
// password, which the user must change at the first sign-in. A password
// that breaks the rules creates nothing.
func (s *Server) createUser(c *fiber.Ctx) error {
	const op = "user.create"
	if err := s.users.authorize(c, "", "create"); err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	req, _, err := decodeBody[userCreate](c, op)
	if err != nil {
		return err
	}
	if req.Password != "" {
		if err := visitarchive.CheckPassword(req.Password); err != nil {
			return err
		}
	}
	u := req.User
	u.Version, u.Audit = 0, visitarchive.Audit{}
	created, err := s.archive.Accounts().CreateUser(c.UserContext(), u)
	if err != nil {
		return err
	}
	if req.Password != "" {
		if _, err := s.archive.Accounts().SetPassword(c.UserContext(), created.Name, req.Password); err != nil {
			return err
		}
		if created, err = s.archive.Accounts().GetUser(c.UserContext(), created.Name); err != nil {
			return err
		}
	}
	c.Location(apiPrefix + "/users/" + string(created.Name))
	return s.users.render(c, http.StatusCreated, created)
}

// userList is the answer of GET /users.
type userList struct {
	Users []*visitarchive.User `json:"users"`
}

func (s *Server) listUsers(c *fiber.Ctx) error {
	if _, err := queryParams(c, "user.list"); err != nil {
		return err
	}
	list, err := s.archive.Accounts().ListUsers(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(userList{Users: list})
}

// departmentList is the answer of GET /departments.
type departmentList struct {
	Departments []*visitarchive.Department `json:"departments"`
}

func (s *Server) listDepartments(c *fiber.Ctx) error {
	if _, err := queryParams(c, "department.list"); err != nil {
		return err
	}
	list, err := s.archive.Accounts().ListDepartments(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(departmentList{Departments: list})
}

// passwordSet is the body of PUT /users/{id}/password.
type passwordSet struct {
	Password string `json:"password"`
}

func (s *Server) setPassword(c *fiber.Ctx) error {
	const op = "user.password"
	id, err := s.users.pathID(c, op)
	if err != nil {
		return err
	}
	if err := s.users.authorize(c, id, "password"); err != nil {
		return err
	}
	req, _, err := decodeBody[passwordSet](c, op)
	if err != nil {
		return err
	}
	n, err := s.archive.Accounts().SetPassword(c.UserContext(), visitarchive.UserName(id), req.Password)
	if err != nil {
		return err
	}
	return c.JSON(passwordSetResult{MustChangePassword: true, TokensRevoked: n})
}
