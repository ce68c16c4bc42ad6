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
	Department DepartmentID
	Roles      []Role
	Heads      []DepartmentID
	Grants     []Grant
	Addr       string

	// MustChangePassword is set while the user must replace a password
	// someone else chose. Such a principal may only change it, ask who
	// they are and sign out: PrincipalFrom does not return it, so every
	// Archive method refuses it unless it was written to serve it.
	MustChangePassword bool
}

// PrincipalOf returns the Principal of an enabled user u.
func PrincipalOf(u *User) *Principal {
	return &Principal{Name: u.Name, Department: u.Department, Roles: slices.Clone(u.Roles),
		Heads: slices.Clone(u.Heads), Grants: slices.Clone(u.Grants), MustChangePassword: u.MustChangePassword}
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

// PrincipalFrom returns the Principal carried by ctx, or nil. It is nil
// too while the principal must change their password, so that a method
// that forgets to check refuses them rather than serve them.
func PrincipalFrom(ctx context.Context) *Principal {
	if p := anyPrincipal(ctx); p != nil && !p.MustChangePassword {
		return p
	}
	return nil
}

// anyPrincipal returns the Principal carried by ctx, even one who must
// change their password first: for the methods that serve the change.
func anyPrincipal(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}

// PasswordChangeRequired is the refusal of every request of a user who
// must change their password first, but for the change itself, asking
// who they are and signing out.
func PasswordChangeRequired(op string) error {
	return E(op, Forbidden, nil, "change your password first: it was set by an administrator, and until you choose your own you may only change it, see your account and sign out")
}
