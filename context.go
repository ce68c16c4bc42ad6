package visitarchive

import "context"

type ctxKey int

const actorKey ctxKey = iota

// WithActor returns a context that carries the user on whose behalf the work
// is done; the actor is written into every object and journal entry.
func WithActor(ctx context.Context, u UserName) context.Context {
	return context.WithValue(ctx, actorKey, u)
}

// ActorFrom returns the actor carried by ctx, or "" when there is none.
func ActorFrom(ctx context.Context) UserName {
	u, _ := ctx.Value(actorKey).(UserName)
	return u
}
