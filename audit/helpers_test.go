package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/audit"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// The sensitive values of the fixture's records: record i has phone
// phoneOf(i), and every record the decision chain below.
const (
	chainName  = "李建国"
	chainNotes = "倾向于年内签约"
)

func phoneOf(i int) string { return "1391234567" + string(rune('0'+i)) }

// fixture is an archive of four records of one key customer: three
// archived (the first with a PDF attached), the fourth approved.
type fixture struct {
	*testenv.Env
	ctx     map[string]context.Context
	records []*va.Record
	pdf     *va.Attachment
}

func newFixture(t *testing.T, openStore func(*testing.T) va.Store) *fixture {
	t.Helper()
	e := testenv.New(t)
	e.OpenStore = openStore
	e.Clock.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
	e.Open(t, true)
	f := &fixture{Env: e, ctx: people(t, e.Archive)}
	for i := range 4 {
		f.records = append(f.records, f.approved(t, i))
	}
	for i, r := range f.records[:3] {
		got, err := e.Archive.ArchiveRecord(f.ctx["ann"], r.ID, va.ArchiveRequest{Version: r.Version})
		if err != nil {
			t.Fatal(err)
		}
		f.records[i] = got
	}
	att, err := e.Archive.AddAttachment(f.ctx["ann"], f.records[0].ID, "纪要.pdf", va.MediaPDF, bytes.NewReader(testenv.TextPDF("minutes")))
	if err != nil {
		t.Fatal(err)
	}
	f.pdf = att
	// An auditor's read, logged as every read is.
	if _, err := e.Archive.GetRecord(f.ctx["aud"], f.records[1].ID); err != nil {
		t.Fatal(err)
	}
	return f
}

func people(t *testing.T, a *va.Archive) map[string]context.Context {
	t.Helper()
	root := va.WithActor(t.Context(), "root")
	if _, err := a.Accounts().CreateDepartment(root, va.Department{ID: "sales1", Name: "销售一部"}); err != nil {
		t.Fatal(err)
	}
	users := []va.User{
		{Name: "alice", Department: "sales1", Roles: []va.Role{va.RoleEmployee}},
		{Name: "sam", Department: "sales1", Roles: []va.Role{va.RoleSupervisor}, Heads: []va.DepartmentID{"sales1"}},
		{Name: "ann", Roles: []va.Role{va.RoleArchivist}},
		{Name: "aud", Roles: []va.Role{va.RoleAuditor}},
	}
	ctx := map[string]context.Context{}
	for _, u := range users {
		got, err := a.Accounts().CreateUser(root, u)
		if err != nil {
			t.Fatal(err)
		}
		ctx[string(u.Name)] = va.WithPrincipal(t.Context(), va.PrincipalOf(got))
	}
	c := va.Customer{ID: "C1", Name: "华东电气", Type: "key", BusinessArea: "energy", Country: "CN"}
	if _, err := a.CreateCustomer(root, c); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// approved files, submits and approves record i.
func (f *fixture) approved(t *testing.T, i int) *va.Record {
	t.Helper()
	start := time.Date(2026, 3, 2+i, 9, 0, 0, 0, time.UTC)
	r := va.Record{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(time.Hour), Location: "上海",
		Visitors: []va.UserName{"alice"}, Department: "sales1", ContactName: "王经理", ContactPhone: phoneOf(i),
		ContactEmail: "wang" + string(rune('0'+i)) + "@example.com", Topic: "储能柜报价", Summary: "讨论储能柜 LX-3021B 的报价",
		CooperationIntent: "medium", FollowUp: "下周发报价", OnsiteNotes: "客户工厂参观",
		DecisionChain: []va.DecisionMaker{{Name: chainName, Role: "CEO", Attitude: "support", Notes: chainNotes}}}
	a := f.Archive
	got, err := a.CreateRecord(f.ctx["alice"], r)
	if err == nil {
		got, err = a.SubmitRecord(f.ctx["alice"], got.ID, got.Version)
	}
	if err == nil {
		got, err = a.ApproveRecord(f.ctx["sam"], got.ID, got.Version, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// audit runs the report as the auditor.
func (f *fixture) audit(t *testing.T) *audit.Report {
	t.Helper()
	rep, err := audit.Run(f.ctx["aud"], audit.Sources{Archive: f.Archive, Store: f.Store, Index: f.Index,
		IndexDir: filepath.Join(f.Dir, "index"), KeyFile: filepath.Join(f.Dir, "keyring.json"), Now: f.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// journalWrite puts obj under key around the API and journals it, as a
// forger with access to the store and the journal would.
func (f *fixture) journalWrite(t *testing.T, action, key string, obj any) {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	info, err := f.Store.Put(t.Context(), key, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Journal.Append(t.Context(), va.Change{Actor: "mallory", Action: action, Key: key, SHA256: info.SHA256}); err != nil {
		t.Fatal(err)
	}
	if err := f.Archive.SyncIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
}
