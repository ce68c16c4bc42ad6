package visitarchive

import "context"

// Every Archive method that touches content asks the policy first. A
// context with a Principal is checked against the policy; a context with
// only a trusted actor (WithActor: the CLI run by an operator who holds
// the store's credentials) is not; a context with neither is refused.

// allow returns nil when the caller in ctx may do act on res, Forbidden
// when they may not, and Unauthenticated when nobody is named.
func (a *Archive) allow(ctx context.Context, op string, act Action, res Resource) error {
	p := PrincipalFrom(ctx)
	if p == nil {
		if ActorFrom(ctx) != "" {
			return nil
		}
		return E(op, Unauthenticated, nil, "the request does not say who makes it")
	}
	if a.policy.Allowed(p, act, res) {
		return nil
	}
	return E(op, Forbidden, nil, "your roles do not allow you to %s this %s", act, res.Kind)
}

// mayEver refuses a caller whose roles allow act on nothing of kind,
// before the checks of what they send: those checks say which customers
// and plans exist, which such a caller is not to learn.
func (a *Archive) mayEver(ctx context.Context, op string, act Action, kind ResourceKind) error {
	s, err := a.scope(ctx, op, act, kind)
	if err != nil || s == nil || s.All || len(s.Clauses) > 0 {
		return err
	}
	return E(op, Forbidden, nil, "your roles do not allow you to %s this %s", act, kind)
}

// visible is allow for reading, except that what the caller may not read
// is NotFound, so that guessing ids teaches nothing.
func (a *Archive) visible(ctx context.Context, op string, res Resource, what string) error {
	err := a.allow(ctx, op, ActRead, res)
	if IsKind(err, Forbidden) {
		return E(op, NotFound, nil, "%s not found", what)
	}
	return err
}

// reveals reports whether the caller may see the sensitive fields of res.
func (a *Archive) reveals(ctx context.Context, res Resource) bool {
	return a.allow(ctx, "", ActReadSensitive, res) == nil
}

// recordRevealer decides, for a page of records, whether the caller may
// see each one's sensitive fields: from the policy's scope, fetched once,
// rather than one policy decision per record.
func (a *Archive) recordRevealer(ctx context.Context) func(Resource) bool {
	s, err := a.scope(ctx, "", ActReadSensitive, KindRecord)
	switch {
	case err != nil:
		return func(Resource) bool { return false }
	case s == nil: // a trusted actor
		return func(Resource) bool { return true }
	}
	return s.Match
}

// scope returns what the caller may do act on, for the index; nil for a
// trusted actor (no limit).
func (a *Archive) scope(ctx context.Context, op string, act Action, kind ResourceKind) (*Scope, error) {
	p := PrincipalFrom(ctx)
	if p == nil {
		if ActorFrom(ctx) != "" {
			return nil, nil
		}
		return nil, E(op, Unauthenticated, nil, "the request does not say who makes it")
	}
	s := a.policy.Scope(p, act, kind)
	return &s, nil
}

// Allowed reports whether the caller in ctx may do act on res; the server
// uses it to refuse early and to show what a user may do.
func (a *Archive) Allowed(ctx context.Context, act Action, res Resource) bool {
	return a.allow(ctx, "", act, res) == nil
}
