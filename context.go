package visitarchive

import "context"

type ctxKey int

const actorKey ctxKey = iota

// WithActor returns a context for trusted local work (the CLI run by an
// operator who holds the store's credentials): it names the actor written
// into every object and journal entry, and the policy is not consulted.
// The server never uses it; requests carry a Principal.
func WithActor(ctx context.Context, u UserName) context.Context {
	return context.WithValue(ctx, actorKey, u)
}

// ActorFrom returns the actor carried by ctx: the principal's name, or
// the trusted actor of WithActor, or "" when there is none. A principal
// always wins over a trusted actor, and one who must change their
// password first is no actor.
func ActorFrom(ctx context.Context) UserName {
	if p := anyPrincipal(ctx); p != nil {
		if p.MustChangePassword {
			return ""
		}
		return p.Name
	}
	u, _ := ctx.Value(actorKey).(UserName)
	return u
}
