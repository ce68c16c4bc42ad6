package web

import (
	"context"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// NavLink is one link of the menu, translated.
type NavLink struct {
	Label   string
	Path    string
	Current bool
}

// navItem is an entry of the menu: shown to whoever the policy allows
// what it needs on some object of its kind (Archive.MayEver), or on the
// resource res stands for when it is set (Archive.Allowed), or to
// everyone signed in when it needs nothing. The menu never decides a
// permission itself; the page it leads to asks the Archive again.
type navItem struct {
	label string // English key
	path  string
	perm  visitarchive.Permission // "" for every signed-in user
	kind  visitarchive.ResourceKind
	// res, if set, is the kind of object the page lists, as the policy
	// sees it: a plan with no department stands for the plans of every
	// department, which only roles held for all of them reach.
	res *visitarchive.Resource
	// some, if set, are the objects the page lists for user u, one per
	// department where u may act: the entry is shown when the policy
	// allows perm on one of them.
	some func(u *visitarchive.User) []visitarchive.Resource
	// unless is the path of an earlier entry that, shown, lists all this
	// one would: then this one is left out, so that no page is offered
	// twice.
	unless string
}

// menu is the navigation, in order. A page family adds its entry here.
// (The inbox, the API tokens and the password are in the header, beside
// the user's name, for everyone.)
var menu = []navItem{
	{label: msg("Search"), path: "/search", perm: visitarchive.PermRead, kind: visitarchive.KindRecord},

	// The employee's and the supervisor's work.
	{label: msg("My plans"), path: "/plans", perm: visitarchive.PermCreate, kind: visitarchive.KindPlan},
	{label: msg("My records"), path: "/records", perm: visitarchive.PermCreate, kind: visitarchive.KindRecord},
	{label: msg("Plans to decide"), path: "/review/plans", perm: visitarchive.PermReview, kind: visitarchive.KindPlan,
		some: ordinaryPlans},
	{label: msg("Records to review"), path: "/review/records", perm: visitarchive.PermReview, kind: visitarchive.KindRecord},
	{label: msg("Overdue and missing"), path: "/review/overdue", perm: visitarchive.PermReview, kind: visitarchive.KindRecord},
	// The pages of marketing and customer service, managers, archivists,
	// auditors and administrators (admin.go).
	{label: msg("Approved plans"), path: "/approved-plans", perm: visitarchive.PermRead, res: &releasedPlans},
	// A manager decides major plans only: their page is theirs. Whoever
	// decides ordinary plans too finds every plan they decide, major or
	// not, in Plans to decide (the Archive lists what the caller decides).
	{label: msg("Major plans to decide"), path: "/major-plans", perm: visitarchive.PermReview, res: &majorPlans,
		unless: "/review/plans"},
	{label: msg("To archive"), path: "/archiving", perm: visitarchive.PermArchive, kind: visitarchive.KindRecord},
	{label: msg("Customers"), path: "/customers", perm: visitarchive.PermRead, kind: visitarchive.KindCustomer},
	{label: msg("Audit"), path: "/audit", perm: visitarchive.PermRead, kind: visitarchive.KindJournal},
	{label: msg("Export"), path: "/export", perm: visitarchive.PermExport, kind: visitarchive.KindRecord},
	{label: msg("Users"), path: "/admin/users", perm: visitarchive.PermRead, kind: visitarchive.KindUser},
	{label: msg("Departments"), path: "/admin/departments", perm: visitarchive.PermRead, kind: visitarchive.KindDepartment},

	// The paper originals of archived records (paper.go).
	{label: msg("Paper originals"), path: "/paper", perm: visitarchive.PermRead, res: &paperResource},
	// The scans that belong to no record yet (scans.go).
	{label: msg("Scan inbox"), path: "/scans", perm: visitarchive.PermRead, res: &scanResource},
	// Retention and disposition (retention.go).
	{label: msg("Retention"), path: "/retention", perm: visitarchive.PermRead, res: &appraisalResource},
}

// nav returns the links of the menu that the user's roles allow.
func (w *Web) nav(c *fiber.Ctx, r *Request) []NavLink {
	var out []NavLink
	shown := map[string]bool{}
	for _, it := range menu {
		if !w.shows(c.UserContext(), r.User, it) || shown[it.unless] {
			continue
		}
		shown[it.path] = true
		out = append(out, NavLink{Label: r.T(it.label), Path: it.path,
			Current: c.Path() == it.path || strings.HasPrefix(c.Path(), it.path+"/")})
	}
	return out
}

// menuItem is the entry of the menu that leads to path.
func menuItem(path string) navItem {
	for _, it := range menu {
		if it.path == path {
			return it
		}
	}
	panic("web: no menu entry leads to " + path)
}

// shows reports whether the policy lets user u reach what entry it
// leads to.
func (w *Web) shows(ctx context.Context, u *visitarchive.User, it navItem) bool {
	switch {
	case it.res != nil:
		return w.archive.Allowed(ctx, it.perm, *it.res)
	case it.some != nil:
		if u == nil || !w.archive.MayEver(ctx, it.perm, it.kind) {
			return false
		}
		return slices.ContainsFunc(it.some(u), func(res visitarchive.Resource) bool { return w.archive.Allowed(ctx, it.perm, res) })
	case it.perm != "":
		return w.archive.MayEver(ctx, it.perm, it.kind)
	}
	return true
}

// ordinaryPlans stands for the ordinary plans waiting for a decision in
// the departments where u may act: every department at once (a role held
// for all of them), their own, and those they head.
func ordinaryPlans(u *visitarchive.User) []visitarchive.Resource {
	depts := append([]visitarchive.DepartmentID{"", u.Department}, u.Heads...)
	out := make([]visitarchive.Resource, len(depts))
	for i, d := range depts {
		out[i] = visitarchive.Resource{Kind: visitarchive.KindPlan, Status: visitarchive.StatusSubmitted, Department: d}
	}
	return out
}

// mayUse refuses (Forbidden) a user whose roles allow perm on nothing of
// kind, asking the Archive as the menu does: a page of things that none
// of their roles reach says so rather than show an empty list.
func (w *Web) mayUse(c *fiber.Ctx, perm visitarchive.Permission, kind visitarchive.ResourceKind) error {
	if w.archive.MayEver(c.UserContext(), perm, kind) {
		return nil
	}
	return visitarchive.E("web", visitarchive.Forbidden, nil, "your roles do not allow you to %s any %s", perm, kind)
}

// mayDo refuses (Forbidden) a user whom the policy does not allow perm
// on res, which stands for the objects a page lists (navItem.res).
func (w *Web) mayDo(c *fiber.Ctx, perm visitarchive.Permission, res visitarchive.Resource) error {
	if w.archive.Allowed(c.UserContext(), perm, res) {
		return nil
	}
	return visitarchive.E("web", visitarchive.Forbidden, nil, "your roles do not allow you to %s these %s", perm, res.Kind)
}
