package policy

import (
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// TestSimplify covers merges the shipped table does not produce yet.
func TestSimplify(t *testing.T) {
	draft, returned := va.StatusDraft, va.StatusReturned
	type C = va.ScopeClause
	tests := []struct {
		name string
		in   []C
		want va.Scope
	}{
		{"nothing", nil, va.Scope{}},
		{"empty clause is everything", []C{{Owner: "a"}, {}}, va.Scope{All: true}},
		{"departments join", []C{{Departments: []string{"b"}, Owner: "a"}, {Departments: []string{"a"}, Owner: "a"}},
			va.Scope{Clauses: []C{{Departments: []string{"a", "b"}, Owner: "a"}}}},
		{"any department absorbs", []C{{Departments: []string{"b"}, Owner: "a"}, {Owner: "a"}},
			va.Scope{Clauses: []C{{Owner: "a"}}}},
		{"states join in workflow order", []C{{Owner: "a", Statuses: []va.RecordStatus{returned}}, {Owner: "a", Statuses: []va.RecordStatus{draft}}},
			va.Scope{Clauses: []C{{Owner: "a", Statuses: []va.RecordStatus{draft, returned}}}}},
		{"narrower clause dropped", []C{{Departments: []string{"x"}, Owner: "a", Statuses: []va.RecordStatus{draft}}, {Departments: []string{"x", "y"}, Owner: "a"}},
			va.Scope{Clauses: []C{{Departments: []string{"x", "y"}, Owner: "a"}}}},
		{"two differences stay apart", []C{{Departments: []string{"x"}, Statuses: []va.RecordStatus{draft}}, {Departments: []string{"y"}, Statuses: []va.RecordStatus{returned}}},
			va.Scope{Clauses: []C{{Departments: []string{"x"}, Statuses: []va.RecordStatus{draft}}, {Departments: []string{"y"}, Statuses: []va.RecordStatus{returned}}}}},
		{"owner and participant stay apart", []C{{Owner: "a"}, {Participant: "a"}},
			va.Scope{Clauses: []C{{Owner: "a"}, {Participant: "a"}}}},
	}
	for _, tt := range tests {
		if got := simplify(tt.in); !sameScope(got, tt.want) {
			t.Errorf("%s: simplify = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
