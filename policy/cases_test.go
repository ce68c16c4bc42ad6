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
	rec := func(dept string, owner va.UserName, st va.RecordStatus, parts ...va.UserName) va.Resource {
		return va.Resource{Kind: va.KindRecord, Department: dept, Owner: owner, Status: st, Participants: parts}
	}
	tests := []struct {
		name string
		who  va.UserName
		act  va.Action
		res  va.Resource
		want bool
	}{
		{"employee reads own draft", "alice", va.ActRead, rec("sales", "alice", va.StatusDraft), true},
		{"employee reads colleague's record", "alice", va.ActRead, rec("sales", "bob", va.StatusApproved), false},
		{"employee reads colleague's record as participant", "alice", va.ActRead, rec("sales", "bob", va.StatusApproved, "bob", "alice"), true},
		{"own record follows the person into another department", "alice", va.ActRead, rec("export", "alice", va.StatusApproved), true},
		{"participant from another department (a joint visit)", "carol", va.ActRead, rec("sales", "bob", va.StatusApproved, "bob", "carol"), true},
		{"another department's record without taking part", "carol", va.ActRead, rec("sales", "bob", va.StatusApproved, "bob"), false},
		{"employee updates own draft", "alice", va.ActUpdate, rec("sales", "alice", va.StatusDraft), true},
		{"employee corrects own returned record", "alice", va.ActUpdate, rec("sales", "alice", va.StatusReturned), true},
		{"employee updates own submitted record", "alice", va.ActUpdate, rec("sales", "alice", va.StatusSubmitted), false},
		{"employee updates own approved record", "alice", va.ActUpdate, rec("sales", "alice", va.StatusApproved), false},
		{"employee updates colleague's draft as participant", "alice", va.ActUpdate, rec("sales", "bob", va.StatusDraft, "alice"), false},
		{"employee creates in own department", "alice", va.ActCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "alice"}, true},
		{"employee creates in another department", "alice", va.ActCreate, va.Resource{Kind: va.KindRecord, Department: "export", Owner: "alice"}, false},
		{"employee creates for someone else", "alice", va.ActCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "bob"}, false},
		{"employee reviews own record", "alice", va.ActReview, rec("sales", "alice", va.StatusSubmitted), false},
		{"employee reads own record without department", "alice", va.ActRead, rec("", "alice", va.StatusDraft), true},
		{"employee creates a record without department", "alice", va.ActCreate, rec("", "alice", va.StatusDraft), false},
		{"supervisor reviews in headed department", "sam", va.ActReview, rec("export", "carol", va.StatusSubmitted), true},
		{"supervisor reviews in other headed department", "sam", va.ActReview, rec("sales", "bob", va.StatusSubmitted), true},
		{"supervisor reviews outside headed departments", "sam", va.ActReview, rec("import", "x", va.StatusSubmitted), false},
		{"supervisor updates a record", "sam", va.ActUpdate, rec("sales", "bob", va.StatusDraft), false},
		{"supervisor creates a record (not an employee)", "sam", va.ActCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "sam"}, false},
		{"employee-supervisor files in own department", "eve", va.ActCreate, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "eve"}, true},
		{"employee-supervisor reviews in own, unheaded department", "eve", va.ActReview, rec("sales", "bob", va.StatusSubmitted), false},
		{"employee-supervisor reviews headed department", "eve", va.ActReview, rec("export", "carol", va.StatusSubmitted), true},
		{"marketing reads approved record", "mia", va.ActRead, rec("sales", "bob", va.StatusApproved), true},
		{"marketing reads submitted record", "mia", va.ActRead, rec("sales", "bob", va.StatusSubmitted), false},
		{"marketing reads sensitive without grant", "mia", va.ActReadSensitive, rec("sales", "bob", va.StatusApproved), false},
		{"marketing reads sensitive with grant", "max", va.ActReadSensitive, rec("sales", "bob", va.StatusApproved), true},
		{"marketing with grant, sensitive of a draft", "max", va.ActReadSensitive, rec("sales", "bob", va.StatusDraft), false},
		{"archivist archives approved", "ann", va.ActArchive, rec("sales", "bob", va.StatusApproved), true},
		{"archivist archives archived", "ann", va.ActArchive, rec("sales", "bob", va.StatusArchived), false},
		{"archivist archives submitted", "ann", va.ActArchive, rec("sales", "bob", va.StatusSubmitted), false},
		{"archivist sensitive of approved", "ann", va.ActReadSensitive, rec("sales", "bob", va.StatusApproved), false},
		{"archivist sensitive of archived", "ann", va.ActReadSensitive, rec("sales", "bob", va.StatusArchived), true},
		{"manager reads draft record", "mo", va.ActRead, rec("sales", "bob", va.StatusDraft), false},
		{"manager reviews draft plan", "mo", va.ActReview, va.Resource{Kind: va.KindPlan, Department: "sales", Status: va.StatusSubmitted}, true},
		{"manager reads sensitive", "mo", va.ActReadSensitive, rec("sales", "bob", va.StatusApproved), false},
		{"unknown action", "ann", va.Action("destroy"), rec("sales", "bob", va.StatusArchived), false},
		{"unknown kind", "ann", va.ActRead, va.Resource{Kind: "secret"}, false},
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
