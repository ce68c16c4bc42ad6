package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// matrix is the whole policy as a reviewer should read it: for every kind
// and action, what each role may do. A cell is "-" (never), "all"
// (always), or alternatives joined by " | ", each a list of facts joined
// by "&" that must all hold:
//
//	home      the resource is in the caller's department (employee) or in
//	          one the caller heads (supervisor)
//	own       the caller created it
//	part      the caller took part in it (is a participant)
//	granted   the caller holds the sensitive grant
//	draft, submitted, returned, approved, rejected, archived: its state
//	released  approved, archived or cancelled
//	major     a major plan; ordinary: not major
//
// The test evaluates these facts itself, independently of the table and
// of casbin, for every role against representative resources: records
// and plans in the caller's department and another, the caller's own and
// someone else's, with and without the caller as participant, in every
// state, major and ordinary.
var matrix = []struct {
	kind va.ResourceKind
	act  va.Permission
	// One column per role.
	employee, supervisor, marketing, service, archivist, auditor, manager, sysadmin string
}{
	// kind, action: employee, supervisor, marketing, service, archivist, auditor, manager, sysadmin
	{va.KindRecord, va.PermRead, "own | part", "home", "released", "released", "released", "all", "released", "-"},
	{va.KindRecord, va.PermReadSensitive, "own | part", "home", "released&granted", "released&granted", "archived", "all", "-", "-"},
	{va.KindRecord, va.PermCreate, "home&own", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindRecord, va.PermUpdate, "own&draft | own&returned", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindRecord, va.PermReview, "-", "home", "-", "-", "-", "-", "-", "-"},
	{va.KindRecord, va.PermArchive, "-", "-", "-", "-", "approved", "-", "-", "-"},
	{va.KindRecord, va.PermAnnotate, "own&archived | part&archived", "home&archived", "-", "-", "archived", "-", "-", "-"},
	{va.KindRecord, va.PermExport, "-", "-", "-", "-", "archived", "all", "released", "-"},
	{va.KindRecord, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindRecord, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindRecord, va.PermAttach, "own&draft | own&returned", "-", "-", "-", "archived", "-", "-", "-"},

	{va.KindPlan, va.PermRead, "own | part", "home", "released", "released", "-", "all", "all", "-"},
	{va.KindPlan, va.PermReadSensitive, "own | part", "home", "released&granted", "released&granted", "-", "all", "-", "-"},
	{va.KindPlan, va.PermCreate, "home&own", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermUpdate, "own&draft | own&approved | part&approved", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermReview, "-", "home&ordinary", "-", "-", "-", "-", "major", "-"},
	{va.KindPlan, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermCancel, "own", "home", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindCustomer, va.PermRead, "all", "all", "all", "all", "all", "all", "all", "-"},
	{va.KindCustomer, va.PermReadSensitive, "all", "all", "granted", "granted", "-", "all", "-", "-"},
	{va.KindCustomer, va.PermCreate, "all", "all", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermUpdate, "all", "all", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindUser, va.PermRead, "-", "-", "-", "-", "-", "all", "-", "all"},
	{va.KindUser, va.PermReadSensitive, "-", "-", "-", "-", "-", "all", "-", "-"},
	{va.KindUser, va.PermCreate, "-", "-", "-", "-", "-", "-", "-", "all"},
	{va.KindUser, va.PermUpdate, "-", "-", "-", "-", "-", "-", "-", "all"},
	{va.KindUser, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindUser, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindUser, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindUser, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindUser, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "all"},
	{va.KindUser, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindUser, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindDepartment, va.PermRead, "-", "-", "-", "-", "-", "all", "-", "all"},
	{va.KindDepartment, va.PermReadSensitive, "-", "-", "-", "-", "-", "all", "-", "-"},
	{va.KindDepartment, va.PermCreate, "-", "-", "-", "-", "-", "-", "-", "all"},
	{va.KindDepartment, va.PermUpdate, "-", "-", "-", "-", "-", "-", "-", "all"},
	{va.KindDepartment, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDepartment, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDepartment, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDepartment, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDepartment, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "all"},
	{va.KindDepartment, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDepartment, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindJournal, va.PermRead, "-", "-", "-", "-", "-", "all", "-", "-"},
	{va.KindJournal, va.PermReadSensitive, "-", "-", "-", "-", "-", "all", "-", "-"},
	{va.KindJournal, va.PermCreate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermUpdate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindAccessLog, va.PermRead, "-", "-", "-", "-", "-", "all", "-", "-"},
	{va.KindAccessLog, va.PermReadSensitive, "-", "-", "-", "-", "-", "all", "-", "-"},
	{va.KindAccessLog, va.PermCreate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermUpdate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindPaper, va.PermRead, "-", "-", "-", "-", "all", "all", "all", "-"},
	{va.KindPaper, va.PermReadSensitive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermCreate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermUpdate, "-", "-", "-", "-", "all", "-", "-", "-"},
	{va.KindPaper, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindDestruction, va.PermRead, "-", "-", "-", "-", "all", "all", "all", "-"},
	{va.KindDestruction, va.PermReadSensitive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermCreate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermUpdate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},
	// Retention and disposition (issue 19): appraisal lists and legal holds.
	{va.KindAppraisal, va.PermRead, "-", "-", "-", "-", "all", "all", "all", "-"},
	{va.KindAppraisal, va.PermReadSensitive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAppraisal, va.PermCreate, "-", "-", "-", "-", "all", "-", "-", "-"},
	{va.KindAppraisal, va.PermUpdate, "-", "-", "-", "-", "all", "-", "-", "-"},
	{va.KindAppraisal, va.PermReview, "-", "-", "-", "-", "-", "-", "all", "-"},
	{va.KindAppraisal, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAppraisal, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAppraisal, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAppraisal, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAppraisal, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAppraisal, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermRead, "-", "-", "-", "-", "all", "all", "all", "-"},
	{va.KindHold, va.PermReadSensitive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermCreate, "-", "-", "-", "-", "-", "all", "all", "-"},
	{va.KindHold, va.PermUpdate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermManage, "-", "-", "-", "-", "-", "-", "all", "-"},
	{va.KindHold, va.PermCancel, "-", "-", "-", "-", "-", "all", "all", "-"},
	{va.KindHold, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},

	{va.KindScan, va.PermRead, "-", "-", "-", "-", "all", "all", "-", "-"},
	{va.KindScan, va.PermReadSensitive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermCreate, "-", "-", "-", "-", "all", "-", "-", "-"},
	{va.KindScan, va.PermUpdate, "-", "-", "-", "-", "all", "-", "-", "-"},
	{va.KindScan, va.PermReview, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermArchive, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermAnnotate, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermExport, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermManage, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermCancel, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermAttach, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindScan, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	// Witnessing and executing an approved appraisal list (监销).
	{va.KindRecord, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindRecord, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPlan, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindCustomer, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindUser, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindUser, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDepartment, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDepartment, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindJournal, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAccessLog, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindPaper, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindDestruction, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindAppraisal, va.PermWitness, "-", "-", "-", "-", "all", "all", "all", "-"},
	{va.KindAppraisal, va.PermExecute, "-", "-", "-", "-", "all", "-", "all", "-"},
	{va.KindHold, va.PermWitness, "-", "-", "-", "-", "-", "-", "-", "-"},
	{va.KindHold, va.PermExecute, "-", "-", "-", "-", "-", "-", "-", "-"},
}

// matrixUsers are the callers of the matrix: one per role, and marketing
// and service also with the sensitive grant. The business departments are
// "sales" (home) and "export" (another).
var matrixUsers = []*va.User{
	user("emp", "sales", va.RoleEmployee),
	heads(user("sup", "sales"), "sales"),
	user("mkt", "marketing", va.RoleMarketing),
	withGrant(user("mkt-g", "marketing", va.RoleMarketing)),
	user("svc", "service", va.RoleService),
	withGrant(user("svc-g", "service", va.RoleService)),
	user("arc", "admin", va.RoleArchivist),
	user("aud", "audit", va.RoleAuditor),
	user("mgr", "board", va.RoleManager),
	user("sys", "it", va.RoleSysadmin),
}

func TestMatrix(t *testing.T) {
	t.Parallel()
	e := newEnforcer(t, matrixUsers...)
	checkMatrixComplete(t)
	for _, u := range matrixUsers {
		p := va.PrincipalOf(u)
		for _, row := range matrix {
			cell := matrixCell(row.employee, row.supervisor, row.marketing, row.service,
				row.archivist, row.auditor, row.manager, row.sysadmin, u.Roles[0])
			for _, res := range representative(row.kind, p.Name) {
				want := expect(cell, u, res)
				if got := e.Allowed(p, row.act, res); got != want {
					t.Errorf("%s (%s) %s %s: got %v, want %v (cell %q)",
						u.Name, u.Roles[0], row.act, describe(res, p.Name), got, want, cell)
				}
			}
		}
	}
}

// checkMatrixComplete fails unless the matrix has exactly one row for
// every kind and action, so that nothing escapes it.
func checkMatrixComplete(t *testing.T) {
	t.Helper()
	seen := map[string]int{}
	for _, row := range matrix {
		seen[string(row.kind)+" "+string(row.act)]++
	}
	for _, k := range kinds {
		for _, a := range actions {
			if n := seen[string(k)+" "+string(a)]; n != 1 {
				t.Errorf("matrix has %d rows for %s %s, want 1", n, k, a)
			}
		}
	}
}

func matrixCell(emp, sup, mkt, svc, arc, aud, mgr, sys string, r va.Role) string {
	return map[va.Role]string{
		va.RoleEmployee: emp, va.RoleSupervisor: sup, va.RoleMarketing: mkt, va.RoleService: svc,
		va.RoleArchivist: arc, va.RoleAuditor: aud, va.RoleManager: mgr, va.RoleSysadmin: sys,
	}[r]
}

// representative returns the resources of kind the matrix tries.
func representative(kind va.ResourceKind, me va.UserName) []va.Resource {
	if !departmental(kind) {
		return []va.Resource{
			{Kind: kind},
			{Kind: kind, Owner: me},
			{Kind: kind, Owner: "someone", Department: "export"},
		}
	}
	var out []va.Resource
	for _, dept := range []string{"sales", "export"} {
		for _, owner := range []va.UserName{me, "someone"} {
			for _, parts := range [][]va.UserName{{"someone", "third"}, {"someone", me}} {
				for _, st := range allStatuses {
					for _, major := range []bool{false, true} {
						out = append(out, va.Resource{Kind: kind, Department: va.DepartmentID(dept), Owner: owner,
							Participants: parts, Status: st, Major: major})
					}
				}
			}
		}
	}
	return out
}

// expect evaluates a matrix cell for u and res.
func expect(cell string, u *va.User, res va.Resource) bool {
	if cell == "-" {
		return false
	}
	for alt := range strings.SplitSeq(cell, " | ") {
		all := true
		for f := range strings.SplitSeq(alt, "&") {
			all = all && fact(f, u, res)
		}
		if all {
			return true
		}
	}
	return false
}

func fact(f string, u *va.User, res va.Resource) bool {
	switch f {
	case "all":
		return true
	case "home":
		home := u.Heads
		if u.Has(va.RoleEmployee) {
			home = []va.DepartmentID{u.Department}
		}
		return slices.Contains(home, res.Department)
	case "own":
		return res.Owner == u.Name
	case "part":
		return slices.Contains(res.Participants, u.Name)
	case "granted":
		return slices.Contains(u.Grants, va.GrantSensitive)
	case "released":
		return res.Status == va.StatusApproved || res.Status == va.StatusArchived || res.Status == va.StatusCancelled
	case "major":
		return res.Major
	case "ordinary":
		return !res.Major
	}
	if slices.Contains(allStatuses, va.RecordStatus(f)) {
		return res.Status == va.RecordStatus(f)
	}
	panic("matrix: unknown fact " + f)
}

// describe says what res is to me, for failure messages.
func describe(res va.Resource, me va.UserName) string {
	owner := "someone's"
	if res.Owner == me {
		owner = "own"
	}
	part := ""
	if slices.Contains(res.Participants, me) {
		part = " with me as participant"
	}
	major := ""
	if res.Major {
		major = " major"
	}
	return fmt.Sprintf("%s %s%s %s in %q%s", owner, res.Status, major, res.Kind, res.Department, part)
}
