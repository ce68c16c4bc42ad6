package policy

import (
	va "github.com/visitarchive/visitarchive"
	"slices"
	"strings"
	"testing"
)

func TestTableIsTheFile(t *testing.T) {
	e := newEnforcer(t)
	rows := e.Table()
	var want int
	for line := range strings.SplitSeq(permissionsCSV, "\n") {
		if strings.HasPrefix(line, "p, ") {
			want++
		}
	}
	if len(rows) != want {
		t.Errorf("Table() has %d rows, permissions.csv %d", len(rows), want)
	}
	if !slices.ContainsFunc(rows, func(r []string) bool {
		return slices.Equal(r, []string{"self", "record", "update", "own+draft"})
	}) {
		t.Errorf("Table() lacks self record update own+draft: %v", rows)
	}
}

// TestTableMistakes: a typo in the table stops New instead of becoming a
// permission that silently never applies.
func TestTableMistakes(t *testing.T) {
	tests := []struct{ csv, want string }{
		{"p, employe, record, read, own", `line 1: unknown role "employe"`},
		{"# c\np, employee, records, read, own", `line 2: unknown resource kind "records"`},
		{"p, employee, record, view, own", `unknown action "view"`},
		{"p, employee, record, read, mine", `unknown condition "mine"`},
		{"p, employee, record, read, own+", `unknown condition ""`},
		{"p, employee, record, read, any+own", `"any" stands alone`},
		{"p, employee, record, read", `want "p, role, kind, action, condition"`},
		{"p, supervisor, record, review, major", `major applies only to plans`},
		{"p, archivist, record, annotate, ordinary+archived", `ordinary applies only to plans`},
		{"p, employee, record, annotate, own+archive", `unknown condition "archive"`},
		{"p, employee, record, amend, own", `unknown action "amend"`},
		{"g, alice, employee, sales", `want "p, role, kind, action, condition"`},
		{`p, employee, "record, read, own`, `permissions.csv`},
	}
	for _, tt := range tests {
		_, err := parseTable(tt.csv)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseTable(%q) = %v, want an error with %q", tt.csv, err, tt.want)
		}
	}
}

// TestConditions checks each condition by itself.
func TestConditions(t *testing.T) {
	a := &attrs{name: "me"}
	a.res.Owner, a.res.Participants, a.res.Status = "me", []va.UserName{"x"}, "approved"
	a.res.Major = true
	tests := []struct {
		cond string
		want bool
	}{
		{"any", true}, {"own", true}, {"participant", false}, {"granted", false},
		{"approved", true}, {"released", true}, {"archived", false}, {"draft", false},
		{"returned", false}, {"own+released", true}, {"own+archived", false}, {"nonsense", false},
		{"major", true}, {"ordinary", false}, {"own+approved+major", true}, {"major+ordinary", false},
	}
	for _, tt := range tests {
		if got := holds(tt.cond, a); got != tt.want {
			t.Errorf("holds(%q) = %v, want %v", tt.cond, got, tt.want)
		}
	}
}
