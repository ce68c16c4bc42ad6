package visitarchive

import (
	"context"
	"slices"
)

// Principal is the signed-in user a request acts for, as the policy sees
// them: name, department, roles, the departments they head and their
// grants, plus the address the request came from (for the access log).
type Principal struct {
	Name       UserName
	Department string
	Roles      []Role
	Heads      []string
	Grants     []Grant
	Addr       string
}

// PrincipalOf returns the Principal of an enabled user u.
func PrincipalOf(u *User) *Principal {
	return &Principal{Name: u.Name, Department: u.Department, Roles: slices.Clone(u.Roles),
		Heads: slices.Clone(u.Heads), Grants: slices.Clone(u.Grants)}
}

// Has reports whether p holds role r.
func (p *Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// Granted reports whether p holds grant g.
func (p *Principal) Granted(g Grant) bool { return slices.Contains(p.Grants, g) }

const principalKey ctxKey = actorKey + 1

// WithPrincipal returns a context that acts for p: every Archive call made
// with it is checked against the policy and recorded with p.Name as the
// actor. The server puts one on every authenticated request.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFrom returns the Principal carried by ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}
