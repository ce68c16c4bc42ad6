package policy

import (
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// TestCases spells out the cases a reviewer asks about first: other
// departments, other people's records, states, grants.
func TestCases(t *testing.T) {
	users := []*va.User{
		user("alice", "sales", va.RoleEmployee),
		user("bob", "sales", va.RoleEmployee),
		user("carol", "export", va.RoleEmployee),
		heads(user("sam", "sales"), "sales", "export"),
		heads(user("eve", "sales", va.RoleEmployee), "export"), // files in sales, heads export
		user("mia", "marketing", va.RoleMarketing),
		withGrant(user("max", "marketing", va.RoleMarketing)),
		user("ann", "admin", va.RoleArchivist),
		user("mo", "board", va.RoleManager),
	}
	e := newEnforcer(t, users...)
	rec := func(dept va.DepartmentID, owner va.UserName, st va.RecordStatus, parts ...va.UserName) va.Resource {
		return va.Resource{Kind: va.KindRecord, Department: dept, Owner: owner, Status: st, Participants: parts}
	}
	plan := func(dept va.DepartmentID, owner va.UserName, st va.RecordStatus, parts ...va.UserName) va.Resource {
		return va.Resource{Kind: va.KindPlan, Department: dept, Owner: owner, Status: st, Participants: parts}
	}
	major := func(res va.Resource) va.Resource {
		res.Major = true
		return res
	}
	tests := []struct {
		name string
		who  va.UserName
		act  va.Permission
		res  va.Resource
		want bool
	}{
		{"employee reads own draft", "alice", va.PermRead, rec("sales", "alice", va.StatusDraft), true},
		{"employee reads colleague's record", "alice", va.PermRead, rec("sales", "bob", va.StatusApproved), false},
		{"employee reads colleague's record as participant", "alice", va.PermRead, rec("sales", "bob", va.StatusApproved, "bob", "alice"), true},
		{"own record follows the person into another department", "alice", va.PermRead, rec("export", "alice", va.StatusApproved), true},
		{"participant from another department (a joint visit)", "carol", va.PermRead, rec("sales", "bob", va.StatusApproved, "bob", "carol"), true},
		{"another department's record without taking part", "carol", va.PermRead, rec("sales", "bob", va.StatusApproved, "bob"), false},
		{"employee updates own draft", "alice", va.PermUpdate, rec("sales", "alice", va.StatusDraft), true},
		{"employee corrects own returned record", "alice", va.PermUpdate, rec("sales", "alice", va.StatusReturned), true},
		{"employee updates own submitted record", "alice", va.PermUpdate, rec("sales", "alice", va.StatusSubmitted), false},
		{"employee updates own approved record", "alice", va.PermUpdate, rec("sales", "alice", va.StatusApproved), false},
		{"employee updates colleague's draft as participant", "alice", va.PermUpdate, rec("sales", "bob", va.StatusDraft, "alice"), false},
		{"employee creates in own department", "alice", va.PermCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "alice"}, true},
		{"employee creates in another department", "alice", va.PermCreate, va.Resource{Kind: va.KindRecord, Department: "export", Owner: "alice"}, false},
		{"employee creates for someone else", "alice", va.PermCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "bob"}, false},
		{"employee reviews own record", "alice", va.PermReview, rec("sales", "alice", va.StatusSubmitted), false},
		{"employee reads own record without department", "alice", va.PermRead, rec("", "alice", va.StatusDraft), true},
		{"employee creates a record without department", "alice", va.PermCreate, rec("", "alice", va.StatusDraft), false},
		{"supervisor reviews in headed department", "sam", va.PermReview, rec("export", "carol", va.StatusSubmitted), true},
		{"supervisor reviews in other headed department", "sam", va.PermReview, rec("sales", "bob", va.StatusSubmitted), true},
		{"supervisor reviews outside headed departments", "sam", va.PermReview, rec("import", "x", va.StatusSubmitted), false},
		{"supervisor updates a record", "sam", va.PermUpdate, rec("sales", "bob", va.StatusDraft), false},
		{"supervisor creates a record (not an employee)", "sam", va.PermCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "sam"}, false},
		{"employee-supervisor files in own department", "eve", va.PermCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "eve"}, true},
		{"employee-supervisor reviews in own, unheaded department", "eve", va.PermReview, rec("sales", "bob", va.StatusSubmitted), false},
		{"employee-supervisor reviews headed department", "eve", va.PermReview, rec("export", "carol", va.StatusSubmitted), true},
		{"marketing reads approved record", "mia", va.PermRead, rec("sales", "bob", va.StatusApproved), true},
		{"marketing reads submitted record", "mia", va.PermRead, rec("sales", "bob", va.StatusSubmitted), false},
		{"marketing reads sensitive without grant", "mia", va.PermReadSensitive, rec("sales", "bob", va.StatusApproved), false},
		{"marketing reads sensitive with grant", "max", va.PermReadSensitive, rec("sales", "bob", va.StatusApproved), true},
		{"marketing with grant, sensitive of a draft", "max", va.PermReadSensitive, rec("sales", "bob", va.StatusDraft), false},
		{"archivist archives approved", "ann", va.PermArchive, rec("sales", "bob", va.StatusApproved), true},
		{"archivist archives archived", "ann", va.PermArchive, rec("sales", "bob", va.StatusArchived), false},
		{"archivist archives submitted", "ann", va.PermArchive, rec("sales", "bob", va.StatusSubmitted), false},
		{"archivist sensitive of approved", "ann", va.PermReadSensitive, rec("sales", "bob", va.StatusApproved), false},
		{"archivist sensitive of archived", "ann", va.PermReadSensitive, rec("sales", "bob", va.StatusArchived), true},
		{"manager reads draft record", "mo", va.PermRead, rec("sales", "bob", va.StatusDraft), false},
		{"manager reviews major plan", "mo", va.PermReview, major(plan("sales", "bob", va.StatusSubmitted)), true},
		{"manager reviews major plan of any department", "mo", va.PermReview, major(plan("export", "carol", va.StatusSubmitted)), true},
		{"manager reviews ordinary plan", "mo", va.PermReview, plan("sales", "bob", va.StatusSubmitted), false},
		{"supervisor reviews ordinary plan of headed department", "sam", va.PermReview, plan("sales", "bob", va.StatusSubmitted), true},
		{"supervisor reviews major plan of headed department", "sam", va.PermReview, major(plan("sales", "bob", va.StatusSubmitted)), false},
		{"supervisor reviews ordinary plan outside headed departments", "sam", va.PermReview, plan("import", "x", va.StatusSubmitted), false},
		{"employee updates own draft plan", "alice", va.PermUpdate, plan("sales", "alice", va.StatusDraft), true},
		{"employee updates own submitted plan", "alice", va.PermUpdate, plan("sales", "alice", va.StatusSubmitted), false},
		{"employee changes own approved plan", "alice", va.PermUpdate, plan("sales", "alice", va.StatusApproved), true},
		{"employee updates own rejected plan", "alice", va.PermUpdate, plan("sales", "alice", va.StatusRejected), false},
		{"plans are never returned", "alice", va.PermUpdate, plan("sales", "alice", va.StatusReturned), false},
		{"visitor changes approved plan", "alice", va.PermUpdate, plan("sales", "bob", va.StatusApproved, "bob", "alice"), true},
		{"visitor from another department changes approved plan", "carol", va.PermUpdate, plan("sales", "bob", va.StatusApproved, "carol"), true},
		{"visitor updates submitted plan", "alice", va.PermUpdate, plan("sales", "bob", va.StatusSubmitted, "alice"), false},
		{"visitor updates draft plan", "alice", va.PermUpdate, plan("sales", "bob", va.StatusDraft, "alice"), false},
		{"colleague changes approved plan without taking part", "alice", va.PermUpdate, plan("sales", "bob", va.StatusApproved, "bob"), false},
		{"marketing reads approved plan", "mia", va.PermRead, plan("sales", "bob", va.StatusApproved), true},
		{"marketing reads submitted plan", "mia", va.PermRead, plan("sales", "bob", va.StatusSubmitted), false},
		{"marketing reads rejected plan", "max", va.PermRead, plan("sales", "bob", va.StatusRejected), false},
		{"author reads own rejected plan", "alice", va.PermRead, plan("sales", "alice", va.StatusRejected), true},
		{"supervisor reads rejected plan of headed department", "sam", va.PermRead, plan("sales", "bob", va.StatusRejected), true},
		{"archivist reads a plan", "ann", va.PermRead, plan("sales", "bob", va.StatusApproved), false},
		{"employee annotates own archived record", "alice", va.PermAnnotate, rec("sales", "alice", va.StatusArchived), true},
		{"employee annotates own approved record", "alice", va.PermAnnotate, rec("sales", "alice", va.StatusApproved), false},
		{"employee annotates own draft", "alice", va.PermAnnotate, rec("sales", "alice", va.StatusDraft), false},
		{"visitor annotates archived record", "carol", va.PermAnnotate, rec("sales", "bob", va.StatusArchived, "bob", "carol"), true},
		{"colleague annotates archived record", "alice", va.PermAnnotate, rec("sales", "bob", va.StatusArchived), false},
		{"supervisor annotates archived record of headed department", "sam", va.PermAnnotate, rec("export", "carol", va.StatusArchived), true},
		{"supervisor annotates approved record", "sam", va.PermAnnotate, rec("export", "carol", va.StatusApproved), false},
		{"supervisor annotates outside headed departments", "sam", va.PermAnnotate, rec("import", "x", va.StatusArchived), false},
		{"archivist annotates archived record", "ann", va.PermAnnotate, rec("sales", "bob", va.StatusArchived), true},
		{"archivist annotates approved record", "ann", va.PermAnnotate, rec("sales", "bob", va.StatusApproved), false},
		{"manager annotates archived record", "mo", va.PermAnnotate, rec("sales", "bob", va.StatusArchived), false},
		{"marketing annotates archived record", "max", va.PermAnnotate, rec("sales", "bob", va.StatusArchived), false},
		{"nobody annotates a plan", "alice", va.PermAnnotate, plan("sales", "alice", va.StatusArchived), false},
		{"manager reads sensitive", "mo", va.PermReadSensitive, rec("sales", "bob", va.StatusApproved), false},
		{"unknown action", "ann", va.Permission("destroy"), rec("sales", "bob", va.StatusArchived), false},
		{"unknown kind", "ann", va.PermRead, va.Resource{Kind: "secret"}, false},
	}
	for _, tt := range tests {
		p := &va.Principal{Name: tt.who}
		if tt.who == "max" {
			p.Grants = []va.Grant{va.GrantSensitive}
		}
		if got := e.Allowed(p, tt.act, tt.res); got != tt.want {
			t.Errorf("%s: Allowed(%s, %s, %+v) = %v, want %v", tt.name, tt.who, tt.act, tt.res, got, tt.want)
		}
	}
}
