package visitarchive

import "context"

// Every Archive method that touches content asks the policy first. A
// context with a Principal is checked against the policy; a context with
// only a trusted actor (WithActor: the CLI run by an operator who holds
// the store's credentials) is not; a context with neither is refused.

// caller returns the Principal that ctx acts for, or nil for a trusted
// actor. Nobody named is Unauthenticated; a principal who must change
// their password first is Forbidden (PasswordChangeRequired).
func caller(ctx context.Context, op string) (*Principal, error) {
	switch p := anyPrincipal(ctx); {
	case p != nil && p.MustChangePassword:
		return nil, PasswordChangeRequired(op)
	case p != nil:
		return p, nil
	case ActorFrom(ctx) != "":
		return nil, nil
	}
	return nil, E(op, Unauthenticated, nil, "the request does not say who makes it")
}

// signedIn returns the Principal that ctx acts for: what is personal
// (tokens, an inbox) needs one, and a trusted actor is told to sign in.
func signedIn(ctx context.Context, op string) (*Principal, error) {
	p, err := caller(ctx, op)
	if err == nil && p == nil {
		err = E(op, Unauthenticated, nil, "sign in first")
	}
	return p, err
}

// allow returns nil when the caller in ctx may do perm on res, Forbidden
// when they may not, and the error of caller when there is no caller.
func (a *Archive) allow(ctx context.Context, op string, perm Permission, res Resource) error {
	p, err := caller(ctx, op)
	if p == nil {
		return err
	}
	if a.policy.Allowed(p, perm, res) {
		return nil
	}
	return E(op, Forbidden, nil, "your roles do not allow you to %s this %s", Word(perm), Word(res.Kind))
}

// mayEver refuses a caller whose roles allow perm on nothing of kind,
// before the checks of what they send: those checks say which customers
// and plans exist, which such a caller is not to learn.
func (a *Archive) mayEver(ctx context.Context, op string, perm Permission, kind ResourceKind) error {
	s, err := a.scope(ctx, op, perm, kind)
	if err != nil || s == nil || s.All || len(s.Clauses) > 0 {
		return err
	}
	return E(op, Forbidden, nil, "your roles do not allow you to %s this %s", Word(perm), Word(kind))
}

// visible is allow for reading, except that what the caller may not read
// is NotFound, so that guessing ids teaches nothing: the answer is the
// one of object id of res's kind not existing (see kind.get).
func (a *Archive) visible(ctx context.Context, op string, res Resource, id string) error {
	err := a.allow(ctx, op, PermRead, res)
	if IsKind(err, Forbidden) && PrincipalFrom(ctx) != nil { // the policy's refusal
		return E(op, NotFound, nil, "%s %s not found", Word(res.Kind), id)
	}
	return err
}

// reveals reports whether the caller may see the sensitive fields of res.
func (a *Archive) reveals(ctx context.Context, res Resource) bool {
	return a.allow(ctx, "", PermReadSensitive, res) == nil
}

// recordRevealer decides, for a page of records, whether the caller may
// see each one's sensitive fields: from the policy's scope, fetched once,
// rather than one policy decision per record.
func (a *Archive) recordRevealer(ctx context.Context) func(Resource) bool {
	s, err := a.scope(ctx, "", PermReadSensitive, KindRecord)
	switch {
	case err != nil:
		return func(Resource) bool { return false }
	case s == nil: // a trusted actor
		return func(Resource) bool { return true }
	}
	return s.Match
}

// scope returns what the caller may do perm on, for the index; nil for a
// trusted actor (no limit).
func (a *Archive) scope(ctx context.Context, op string, perm Permission, kind ResourceKind) (*Scope, error) {
	p, err := caller(ctx, op)
	if p == nil {
		return nil, err
	}
	s := a.policy.Scope(p, perm, kind)
	return &s, nil
}

// Allowed reports whether the caller in ctx may do perm on res; the server
// uses it to refuse early and to show what a user may do.
func (a *Archive) Allowed(ctx context.Context, perm Permission, res Resource) bool {
	return a.allow(ctx, "", perm, res) == nil
}

// MayEver reports whether the caller's roles allow perm on anything of
// kind at all: the pages ask it which links to show (Search to whoever may
// read some record, Users to whoever may manage them), so that a menu
// never offers what the policy refuses and nothing but the policy decides.
func (a *Archive) MayEver(ctx context.Context, perm Permission, kind ResourceKind) bool {
	return a.mayEver(ctx, "", perm, kind) == nil
}

// MayWrite tells, before anything a request sends is read, whether the
// caller may make the write move on the object of kind with id ("" and
// move "create" for a new one): NotFound when they may not read the
// object or there is none, Forbidden when their roles never allow the
// move on it, Conflict when its state does not allow the move now, nil
// otherwise. The write checks again, with what is sent. The server asks
// first, so that a caller who may not write is refused alike whatever the
// body holds: authentication, then authorization, then the request.
//
// The moves: create, update (PUT and PATCH); submit, return, approve,
// archive, annotate and attach (files) of a record; submit, approve, reject and cancel
// of a plan; password of a user (another's, set by an administrator).
func (a *Archive) MayWrite(ctx context.Context, kind ResourceKind, id, move string) error {
	op := string(kind) + "." + move
	if move == "create" {
		if kind == KindRecord || kind == KindPlan {
			return a.mayEver(ctx, op, PermCreate, kind)
		}
		return a.allow(ctx, op, PermCreate, Resource{Kind: kind})
	}
	switch kind {
	case KindRecord:
		if move == "attach" {
			_, err := a.mayAttach(ctx, op, RecordID(id))
			return err
		}
		_, err := a.recordFor(ctx, op, RecordID(id), move, movePerms[move])
		return err
	case KindPlan:
		p, err := a.visiblePlan(ctx, op, PlanID(id))
		if err != nil {
			return err
		}
		if move == "update" && p.Status == StatusApproved {
			move = "change"
		}
		return a.mayMovePlan(ctx, op, movePerms[move], p, move)
	case KindCustomer:
		return a.mayChange(ctx, op, customerResource, id, a.customer(CustomerID(id)) != nil)
	case KindUser:
		if err := a.mayChange(ctx, op, userResource, id, a.accounts.user(UserName(id)) != nil); err != nil || move != "password" {
			return err
		}
		return notOwnPassword(ctx, op, UserName(id))
	case KindDepartment:
		// Everyone may read the departments.
		if a.accounts.dept(DepartmentID(id)) == nil {
			return E(op, NotFound, nil, "department %s not found", id)
		}
		return a.allow(ctx, op, PermUpdate, deptResource)
	}
	return E(op, Internal, nil, "no write %s of a %s", move, kind)
}

// movePerms are the permissions the moves of MayWrite need.
var movePerms = map[string]Permission{
	"update": PermUpdate, "change": PermUpdate, "submit": PermUpdate,
	"return": PermReview, "approve": PermReview, "reject": PermReview,
	"archive": PermArchive, "annotate": PermAnnotate, "cancel": PermCancel,
}

// mayChange checks that the caller may read res (NotFound otherwise, as
// when there is no such object) and update it (Forbidden otherwise).
func (a *Archive) mayChange(ctx context.Context, op string, res Resource, id string, exists bool) error {
	if err := a.visible(ctx, op, res, id); err != nil {
		return err
	}
	if !exists {
		return E(op, NotFound, nil, "%s %s not found", Word(res.Kind), id)
	}
	return a.allow(ctx, op, PermUpdate, res)
}
