package policy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/visitarchive/visitarchive"
)

// rule is one row of the permission table.
type rule struct {
	role visitarchive.Role
	kind visitarchive.ResourceKind
	act  visitarchive.Permission
	cond string // as written, such as "own+draft"
}

// kinds and actions are those the table may name; a row naming anything
// else is a typo that New reports instead of a permission that silently
// never applies.
var (
	kinds = []visitarchive.ResourceKind{
		visitarchive.KindRecord, visitarchive.KindPlan, visitarchive.KindCustomer,
		visitarchive.KindUser, visitarchive.KindDepartment, visitarchive.KindJournal,
		visitarchive.KindAccessLog, visitarchive.KindPaper, visitarchive.KindDestruction,
		visitarchive.KindAppraisal, visitarchive.KindHold, visitarchive.KindScan,
	}
	actions = []visitarchive.Permission{
		visitarchive.PermRead, visitarchive.PermReadSensitive, visitarchive.PermCreate,
		visitarchive.PermUpdate, visitarchive.PermReview, visitarchive.PermArchive,
		visitarchive.PermAnnotate, visitarchive.PermExport, visitarchive.PermManage,
		visitarchive.PermCancel, visitarchive.PermAttach, visitarchive.PermWitness,
		visitarchive.PermExecute,
	}
)

// attrs is r.obj of the model: what the conditions look at.
type attrs struct {
	res     visitarchive.Resource
	name    visitarchive.UserName // the caller
	granted bool                  // the caller holds the sensitive grant
}

// statusConditions are the conditions on a resource's workflow state, with
// the states each allows. Scope turns them into ScopeClause.Statuses.
var statusConditions = map[string][]visitarchive.RecordStatus{
	"draft":    {visitarchive.StatusDraft},
	"returned": {visitarchive.StatusReturned},
	"approved": {visitarchive.StatusApproved},
	"archived": {visitarchive.StatusArchived},
	"released": {visitarchive.StatusApproved, visitarchive.StatusArchived, visitarchive.StatusCancelled},
}

// majorConditions are the conditions on whether a plan is major, with the
// value of Resource.Major each wants. Scope turns them into
// ScopeClause.Major.
var majorConditions = map[string]bool{
	"major":    true,
	"ordinary": false,
}

// otherConditions are the conditions on who the caller is.
var otherConditions = map[string]func(a *attrs) bool{
	"any":         func(*attrs) bool { return true },
	"own":         func(a *attrs) bool { return a.res.Owner == a.name },
	"participant": func(a *attrs) bool { return slices.Contains(a.res.Participants, a.name) },
	"granted":     func(a *attrs) bool { return a.granted },
}

// holds reports whether every +-joined part of cond holds for a. An
// unknown part never holds (New refuses a table that has one).
func holds(cond string, a *attrs) bool {
	for part := range strings.SplitSeq(cond, "+") {
		if !holdsOne(part, a) {
			return false
		}
	}
	return true
}

func holdsOne(part string, a *attrs) bool {
	if test, ok := otherConditions[part]; ok {
		return test(a)
	}
	if major, ok := majorConditions[part]; ok {
		return a.res.Major == major
	}
	states, ok := statusConditions[part]
	return ok && slices.Contains(states, a.res.Status)
}

// cond is the model's cond(p.cond, r.obj).
func cond(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("policy: cond takes 2 arguments, got %d", len(args))
	}
	c, ok1 := args[0].(string)
	a, ok2 := args[1].(*attrs)
	if !ok1 || !ok2 {
		return false, fmt.Errorf("policy: cond(%T, %T): want a string and *attrs", args[0], args[1])
	}
	return holds(c, a), nil
}

// parseTable reads permissions.csv and checks every row.
func parseTable(text string) ([]rule, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var table []rule
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return table, nil
		}
		if err != nil {
			return nil, fmt.Errorf("policy: permissions.csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		row, err := parseRow(rec)
		if err != nil {
			return nil, fmt.Errorf("policy: permissions.csv line %d: %w", line, err)
		}
		table = append(table, row)
	}
}

func parseRow(rec []string) (rule, error) {
	if len(rec) != 5 || rec[0] != "p" {
		return rule{}, fmt.Errorf("want \"p, role, kind, action, condition\", got %q", rec)
	}
	row := rule{role: visitarchive.Role(rec[1]), kind: visitarchive.ResourceKind(rec[2]),
		act: visitarchive.Permission(rec[3]), cond: rec[4]}
	switch {
	case !slices.Contains(visitarchive.Roles, rec[1]) && rec[1] != selfRole:
		return rule{}, fmt.Errorf("unknown role %q; want one of %v", rec[1], visitarchive.Roles)
	case !slices.Contains(kinds, row.kind):
		return rule{}, fmt.Errorf("unknown resource kind %q; want one of %v", rec[2], kinds)
	case !slices.Contains(actions, row.act):
		return rule{}, fmt.Errorf("unknown action %q; want one of %v", rec[3], actions)
	}
	return row, checkCond(row.cond, row.kind)
}

// checkCond reports an unknown condition, "any" mixed with others (which
// would read as a restriction that is none), or major or ordinary on a
// kind other than plans: only plans are major, and the index, which
// turns record scopes into queries, does not know the flag.
func checkCond(cond string, kind visitarchive.ResourceKind) error {
	parts := strings.Split(cond, "+")
	for _, p := range parts {
		_, other := otherConditions[p]
		_, major := majorConditions[p]
		_, status := statusConditions[p]
		switch {
		case !other && !major && !status:
			return fmt.Errorf("unknown condition %q in %q", p, cond)
		case p == "any" && len(parts) > 1:
			return fmt.Errorf("condition %q: \"any\" stands alone", cond)
		case major && kind != visitarchive.KindPlan:
			return fmt.Errorf("condition %q: %s applies only to plans", cond, p)
		}
	}
	return nil
}

// policyRows returns table as casbin p rules.
func policyRows(table []rule) [][]string {
	rows := make([][]string, len(table))
	for i, r := range table {
		rows[i] = []string{string(r.role), string(r.kind), string(r.act), r.cond}
	}
	return rows
}
