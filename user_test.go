package visitarchive_test

import (
	"slices"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// TestUserValidateDuties: separation of duties (三员分立) as User.Validate
// applies it: a sysadmin holds no role that reads content and no grant.
func TestUserValidateDuties(t *testing.T) {
	tests := []struct {
		name string
		u    va.User
		want []string // the fields refused; none when valid
	}{
		{"sysadmin alone", va.User{Roles: []va.Role{va.RoleSysadmin}}, nil},
		{"marketing with a grant", va.User{Roles: []va.Role{va.RoleMarketing}, Grants: []va.Grant{va.GrantSensitive}}, nil},
		{"sysadmin and auditor", va.User{Roles: []va.Role{va.RoleSysadmin, va.RoleAuditor}}, []string{"roles"}},
		{"sysadmin and supervisor", va.User{Department: "d1", Heads: []va.DepartmentID{"d1"},
			Roles: []va.Role{va.RoleSupervisor, va.RoleSysadmin}}, []string{"roles"}},
		{"sysadmin and employee", va.User{Department: "d1", Roles: []va.Role{va.RoleSysadmin, va.RoleEmployee}}, []string{"roles"}},
		{"sysadmin and marketing, granted", va.User{Roles: []va.Role{va.RoleSysadmin, va.RoleMarketing},
			Grants: []va.Grant{va.GrantSensitive}}, []string{"roles", "grants"}},
		{"sysadmin with a grant", va.User{Roles: []va.Role{va.RoleSysadmin}, Grants: []va.Grant{va.GrantSensitive}}, []string{"grants"}},
	}
	for _, r := range va.ContentRoles {
		tests = append(tests, struct {
			name string
			u    va.User
			want []string
		}{"sysadmin and " + string(r), va.User{Department: "d1", Roles: []va.Role{va.RoleSysadmin, r}}, []string{"roles"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.u.Name = "u1"
			var got []string
			for _, f := range va.ErrorFields(tt.u.Validate()) {
				if f.Field == "roles" || f.Field == "grants" {
					got = append(got, f.Field)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("refused fields = %v, want %v (%v)", got, tt.want, tt.u.Validate())
			}
		})
	}
}

// TestUserNames: first.last logins are user names; a name that could be
// unsafe as a segment of an object key, or be taken for another, is not.
// IDs of other kinds keep their stricter rule.
func TestUserNames(t *testing.T) {
	for _, name := range []string{"alice", "li.wei", "first.last", "a.b.c", "a_b-c", "x.-y", "bob_", "a--b", "A1", strings.Repeat("a", 64)} {
		if !va.ValidUserName(name) {
			t.Errorf("ValidUserName(%q) = false", name)
		}
	}
	for _, name := range []string{"", ".", "..", ".x", "x.", "a..b", "a/b", "a b", "-a", "_a", "é", "a\x00", "li.wei.", strings.Repeat("a", 65),
		strings.Repeat("a.", 32) + "a"} {
		if va.ValidUserName(name) {
			t.Errorf("ValidUserName(%q) = true", name)
		}
	}
	if va.ValidID("li.wei") {
		t.Error(`ValidID("li.wei") = true: other ids stay without dots`)
	}
	u := va.User{Name: "li.wei", Roles: []va.Role{va.RoleMarketing}}
	if err := u.Validate(); err != nil {
		t.Errorf("a user li.wei: %v", err)
	}
	u.Name = "li..wei"
	if err := u.Validate(); !va.IsKind(err, va.Invalid) {
		t.Errorf("a user li..wei: %v", err)
	}
}
