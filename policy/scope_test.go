package policy

import (
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// TestSimplify covers merges the shipped table does not produce yet.
func TestSimplify(t *testing.T) {
	draft, returned := va.StatusDraft, va.StatusReturned
	yes, no := true, false
	type C = va.ScopeClause
	tests := []struct {
		name string
		in   []C
		want va.Scope
	}{
		{"nothing", nil, va.Scope{}},
		{"empty clause is everything", []C{{Owner: "a"}, {}}, va.Scope{All: true}},
		{"departments join", []C{{Departments: []va.DepartmentID{"b"}, Owner: "a"}, {Departments: []va.DepartmentID{"a"}, Owner: "a"}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"a", "b"}, Owner: "a"}}}},
		{"any department absorbs", []C{{Departments: []va.DepartmentID{"b"}, Owner: "a"}, {Owner: "a"}},
			va.Scope{Clauses: []C{{Owner: "a"}}}},
		{"states join in workflow order", []C{{Owner: "a", Statuses: []va.RecordStatus{returned}}, {Owner: "a", Statuses: []va.RecordStatus{draft}}},
			va.Scope{Clauses: []C{{Owner: "a", Statuses: []va.RecordStatus{draft, returned}}}}},
		{"narrower clause dropped", []C{{Departments: []va.DepartmentID{"x"}, Owner: "a", Statuses: []va.RecordStatus{draft}}, {Departments: []va.DepartmentID{"x", "y"}, Owner: "a"}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x", "y"}, Owner: "a"}}}},
		{"two differences stay apart", []C{{Departments: []va.DepartmentID{"x"}, Statuses: []va.RecordStatus{draft}}, {Departments: []va.DepartmentID{"y"}, Statuses: []va.RecordStatus{returned}}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x"}, Statuses: []va.RecordStatus{draft}}, {Departments: []va.DepartmentID{"y"}, Statuses: []va.RecordStatus{returned}}}}},
		{"owner and participant stay apart", []C{{Owner: "a"}, {Participant: "a"}},
			va.Scope{Clauses: []C{{Owner: "a"}, {Participant: "a"}}}},
		{"major or ordinary is either", []C{{Departments: []va.DepartmentID{"x"}, Major: &yes}, {Departments: []va.DepartmentID{"x"}, Major: &no}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x"}}}}},
		{"major and ordinary everywhere is everything", []C{{Major: &no}, {Major: &yes}}, va.Scope{All: true}},
		{"either absorbs major", []C{{Departments: []va.DepartmentID{"x"}, Major: &yes}, {Departments: []va.DepartmentID{"x", "y"}}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x", "y"}}}}},
		{"major does not absorb either", []C{{Departments: []va.DepartmentID{"x", "y"}, Major: &yes}, {Departments: []va.DepartmentID{"x"}}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x", "y"}, Major: &yes}, {Departments: []va.DepartmentID{"x"}}}}},
		{"major and ordinary in other departments stay apart", []C{{Departments: []va.DepartmentID{"x"}, Major: &no}, {Major: &yes}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x"}, Major: &no}, {Major: &yes}}}},
		{"major departments join", []C{{Departments: []va.DepartmentID{"y"}, Major: &yes}, {Departments: []va.DepartmentID{"x"}, Major: &yes}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x", "y"}, Major: &yes}}}},
		{"major states do not join ordinary ones", []C{{Owner: "a", Statuses: []va.RecordStatus{draft}, Major: &yes}, {Owner: "a", Statuses: []va.RecordStatus{returned}, Major: &no}},
			va.Scope{Clauses: []C{{Owner: "a", Statuses: []va.RecordStatus{draft}, Major: &yes}, {Owner: "a", Statuses: []va.RecordStatus{returned}, Major: &no}}}},
	}
	for _, tt := range tests {
		if got := simplify(tt.in); !sameScope(got, tt.want) {
			t.Errorf("%s: simplify = %s, want %s", tt.name, showScope(got), showScope(tt.want))
		}
	}
}

// TestIntersectMajor covers visitarchive.Scope.Intersect on Major, which
// the scopes of the shipped table rarely bring together.
func TestIntersectMajor(t *testing.T) {
	yes, no := true, false
	type C = va.ScopeClause
	tests := []struct {
		name string
		a, b va.Scope
		want va.Scope
	}{
		{"major and ordinary exclude each other", va.Scope{Clauses: []C{{Major: &yes}}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x"}, Major: &no}}}, va.Scope{Clauses: []C{}}},
		{"major and major", va.Scope{Clauses: []C{{Major: &yes}}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x"}, Major: &yes}}},
			va.Scope{Clauses: []C{{Departments: []va.DepartmentID{"x"}, Major: &yes}}}},
		{"either and ordinary", va.Scope{Clauses: []C{{Owner: "a"}}},
			va.Scope{Clauses: []C{{Major: &no}}}, va.Scope{Clauses: []C{{Owner: "a", Major: &no}}}},
		{"ordinary and either", va.Scope{Clauses: []C{{Major: &no}}},
			va.Scope{Clauses: []C{{Owner: "a"}}}, va.Scope{Clauses: []C{{Owner: "a", Major: &no}}}},
		{"all and major", va.Scope{All: true}, va.Scope{Clauses: []C{{Major: &yes}}},
			va.Scope{Clauses: []C{{Major: &yes}}}},
	}
	for _, tt := range tests {
		got := tt.a.Intersect(tt.b)
		if !sameScope(got, tt.want) {
			t.Errorf("%s: Intersect = %s, want %s", tt.name, showScope(got), showScope(tt.want))
		}
		for _, major := range []bool{false, true} {
			res := va.Resource{Kind: va.KindPlan, Department: "x", Owner: "a", Major: major}
			if got, want := got.Match(res), tt.a.Match(res) && tt.b.Match(res); got != want {
				t.Errorf("%s: intersection matches %+v: %v, want %v", tt.name, res, got, want)
			}
		}
	}
}
