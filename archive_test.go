package visitarchive_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/s3"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.Stop()
	testenv.RemoveExtractChild()
	os.Exit(code)
}

// env is an Archive on real components (see internal/testenv).
type env struct{ *testenv.Env }

// unopened returns an env on the disk backend, not yet opened, whose
// Archive knows the area code of the fixtures' business area.
func unopened(t *testing.T) *env {
	e := &env{testenv.New(t)}
	e.adjust(func(c *va.Config) { c.Workflow.AreaCodes = map[string]string{"新能源": "XNY"} })
	return e
}

// adjust adds f to the changes made to the Archive's Config before it
// opens.
func (e *env) adjust(f func(*va.Config)) {
	prev := e.Adjust
	e.Adjust = func(c *va.Config) {
		if prev != nil {
			prev(c)
		}
		f(c)
	}
}

// start opens e and creates the fixtures' departments.
func (e *env) start(t *testing.T) *env {
	t.Helper()
	e.Open(t, true)
	e.addDepartments(t)
	return e
}

// backends open the store of an env; the same env reopens the same store.
// nil is the disk backend of testenv.
var backends = map[string]func(t *testing.T) func(t *testing.T) va.Store{
	"disk": func(*testing.T) func(*testing.T) va.Store { return nil },
	"minio": func(t *testing.T) func(t *testing.T) va.Store {
		cfg := s3test.Config(t, true)
		return func(t *testing.T) va.Store {
			s, err := s3.Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	},
}

// forEachBackend runs test on a fresh env over each storage backend.
func forEachBackend(t *testing.T, test func(t *testing.T, e *env)) {
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			e := unopened(t)
			e.OpenStore = backend(t)
			test(t, e.start(t))
		})
	}
}

// newEnv is an env on the disk backend, for tests of the Archive's own
// rules.
func newEnv(t *testing.T) *env {
	t.Helper()
	return unopened(t).start(t)
}

// addDepartments creates the departments that the fixtures' records and
// plans name: they must exist.
func (e *env) addDepartments(t *testing.T) {
	t.Helper()
	for _, d := range []string{"sales1", "sales2"} {
		if _, err := e.Archive.Accounts().CreateDepartment(as(t, "root"), va.Department{ID: va.DepartmentID(d), Name: d}); err != nil {
			t.Fatal(err)
		}
	}
}

func as(t *testing.T, who va.UserName) context.Context {
	return va.WithActor(t.Context(), who)
}

func customer(id, name string) va.Customer {
	return va.Customer{ID: va.CustomerID(id), Name: name, Type: "key", BusinessArea: "新能源", Country: "CN"}
}

func record(customer, summary string, day int) va.Record {
	start := time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC)
	return va.Record{CustomerID: va.CustomerID(customer), VisitStart: start, VisitEnd: start.Add(time.Hour),
		Topic: "拜访", Summary: summary, Visitors: []va.UserName{"alice"}, Department: "sales1", CooperationIntent: "medium"}
}

func mustCreate(t *testing.T, a *va.Archive, ctx context.Context, r va.Record) *va.Record {
	t.Helper()
	got, err := a.CreateRecord(ctx, r)
	if err != nil {
		t.Fatalf("create record: %v", err)
	}
	return got
}

func searchIDs(t *testing.T, a *va.Archive, q va.SearchQuery) []va.RecordID {
	t.Helper()
	q.Size = va.MaxPageSize
	res, err := a.Search(as(t, "tester"), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	var ids []va.RecordID
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestCustomerVersions(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	c, err := e.Archive.CreateCustomer(ctx, customer("C1", "宁德新能源科技有限公司"))
	if err != nil || c.Version != 1 || c.CreatedBy != "alice" {
		t.Fatalf("create = %+v, %v", c, err)
	}
	if _, err := e.Archive.CreateCustomer(ctx, customer("C1", "again")); !va.IsKind(err, va.Conflict) {
		t.Errorf("second create of C1: %v, want Conflict", err)
	}
	upd := *c
	upd.Name = "宁德新能源"
	c2, err := e.Archive.UpdateCustomer(as(t, "bob"), upd)
	if err != nil || c2.Version != 2 || c2.UpdatedBy != "bob" || c2.CreatedBy != "alice" {
		t.Fatalf("update = %+v, %v", c2, err)
	}
	if _, err := e.Archive.UpdateCustomer(ctx, upd); !va.IsKind(err, va.Conflict) {
		t.Errorf("update of stale version 1: %v, want Conflict", err)
	}
	got, err := e.Archive.GetCustomer(ctx, "C1")
	if err != nil || got.Name != "宁德新能源" || got.Version != 2 {
		t.Errorf("get = %+v, %v", got, err)
	}
	if _, err := e.Archive.GetCustomer(ctx, "C9"); !va.IsKind(err, va.NotFound) {
		t.Errorf("get C9: %v, want NotFound", err)
	}
}

func TestWritesNeedAnActor(t *testing.T) {
	e := newEnv(t)
	if _, err := e.Archive.CreateCustomer(t.Context(), customer("C1", "x")); !va.IsKind(err, va.Unauthenticated) {
		t.Errorf("create without actor: %v, want Unauthenticated", err)
	}
}

func TestRecordNeedsItsCustomer(t *testing.T) {
	e := newEnv(t)
	_, err := e.Archive.CreateRecord(as(t, "alice"), record("NOPE", "x", 1))
	if !va.IsKind(err, va.Invalid) || len(va.ErrorFields(err)) != 1 || va.ErrorFields(err)[0].Field != "customer_id" {
		t.Errorf("record of a missing customer: %v (fields %v), want Invalid on customer_id", err, va.ErrorFields(err))
	}
	if n := countKeys(t, e.Store, va.RecordsPrefix); n != 0 {
		t.Errorf("%d record objects stored after a rejected create", n)
	}
}

// TestRecordAndPlanNeedTheirDepartment refuses a record or plan of a
// department that does not exist, and a change of department, even from
// a trusted actor whom the policy does not limit.
func TestRecordAndPlanNeedTheirDepartment(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	e.Archive.CreateCustomer(ctx, customer("C1", "客户"))
	wantDepartment := func(what string, err error) {
		t.Helper()
		if !va.IsKind(err, va.Invalid) || !slices.Contains(fieldsOf(err), "department") {
			t.Errorf("%s: %v (fields %v), want Invalid on department", what, err, fieldsOf(err))
		}
	}
	r := record("C1", "x", 1)
	r.Department = "nowhere"
	_, err := e.Archive.CreateRecord(ctx, r)
	wantDepartment("a record of a missing department", err)
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := va.Plan{CustomerID: "C1", Department: "nowhere", VisitStart: start, VisitEnd: start.Add(time.Hour),
		Location: "Hamburg", Purpose: "offer", Visitors: []va.UserName{"alice"}}
	_, err = e.Archive.CreatePlan(ctx, p)
	wantDepartment("a plan of a missing department", err)

	created := mustCreate(t, e.Archive, ctx, record("C1", "x", 1))
	for _, d := range []string{"nowhere", "sales2"} {
		next := *created
		next.Department = va.DepartmentID(d)
		_, err := e.Archive.UpdateRecord(ctx, next)
		wantDepartment("a record moved to "+d, err)
	}
	if n := countKeys(t, e.Store, va.RecordsPrefix); n != 1 {
		t.Errorf("%d record objects stored, want 1", n)
	}
}

func countKeys(t *testing.T, s va.Store, prefix string) int {
	n := 0
	for _, err := range s.List(t.Context(), prefix, "") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func TestConcurrentUpdatesOneWins(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		e.Archive.CreateCustomer(ctx, customer("C1", "客户"))
		r := mustCreate(t, e.Archive, ctx, record("C1", "初稿", 1))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				upd := *r
				upd.Summary = fmt.Sprintf("修改 %d", i)
				_, errs[i] = e.Archive.UpdateRecord(as(t, va.UserName(fmt.Sprintf("u%d", i))), upd)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !va.IsKind(err, va.Conflict):
				t.Errorf("update: %v, want success or Conflict", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent updates of version 1 succeeded, want exactly 1", won, n)
		}
		h, err := e.Archive.RecordHistory(ctx, r.ID)
		if err != nil || len(h) != 2 || h[0].Actor != "alice" || h[1].Version != 2 {
			t.Errorf("history = %+v, %v; want versions 1 (alice) and 2", h, err)
		}
	})
}

func TestIndexCatchesUpFromTheJournal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		e.Archive.CreateCustomer(ctx, customer("C1", "客户"))
		first := mustCreate(t, e.Archive, ctx, record("C1", "讨论储能电池", 1))
		e.Close(t)

		// Writes while no index is open, as by an offline import or a crash
		// between the journal and the index.
		e.Open(t, false)
		second := mustCreate(t, e.Archive, as(t, "bob"), record("C1", "储能电池报价", 2))
		e.Close(t)

		e.Open(t, true)
		want := []va.RecordID{first.ID, second.ID}
		slices.Sort(want)
		if got := searchIDs(t, e.Archive, va.SearchQuery{Text: "储能电池"}); !slices.Equal(got, want) {
			t.Errorf("after catch-up search found %v, want %v", got, want)
		}
	})
}

func TestReindexRebuildsFromTheStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		e.Archive.CreateCustomer(ctx, customer("C1", "客户"))
		var want []va.RecordID
		for day := 1; day <= 5; day++ {
			want = append(want, mustCreate(t, e.Archive, ctx, record("C1", "光伏组件", day)).ID)
		}
		e.Close(t)
		if err := os.RemoveAll(filepath.Join(e.Dir, "index")); err != nil {
			t.Fatal(err)
		}
		var calls []int
		e.Open(t, true) // an empty index is rebuilt by Open
		if err := e.Archive.Reindex(t.Context(), func(done, total int) { calls = append(calls, done, total) }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		if got := searchIDs(t, e.Archive, va.SearchQuery{Text: "光伏"}); !slices.Equal(got, want) {
			t.Errorf("after reindex search found %v, want %v", got, want)
		}
		if !slices.Equal(calls, []int{5, 5}) {
			t.Errorf("progress calls %v, want [5 5]", calls)
		}
	})
}

// Over several batches the progress never shows more done than its
// total, the total never shrinks, and it ends at every record.
func TestReindexProgressHasTheTotal(t *testing.T) {
	e := newEnv(t)
	const n = 2500
	lines := []string{`{"customer":{"id":"C1","name":"Acme","customer_type":"key"}}`}
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"record":{"id":"R%05d","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z"}}`, i))
	}
	if rep, err := e.Archive.Import(as(t, "carol"), strings.NewReader(strings.Join(lines, "\n")), nil); err != nil || rep.Records != n {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	var calls [][2]int
	if err := e.Archive.Reindex(t.Context(), func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil {
		t.Fatal(err)
	}
	for i, c := range calls {
		if c[0] > c[1] || (i > 0 && c[1] < calls[i-1][1]) {
			t.Fatalf("progress calls %v: done above total, or the total shrank", calls)
		}
	}
	if len(calls) != 3 || calls[2] != [2]int{n, n} {
		t.Errorf("progress calls %v, want 3 ending at [%d %d]", calls, n, n)
	}
}

func TestCustomerChangeReachesItsRecords(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	c, _ := e.Archive.CreateCustomer(ctx, customer("C1", "客户"))
	r := mustCreate(t, e.Archive, ctx, record("C1", "x", 1))
	upd := *c
	upd.Type = "prospect"
	if _, err := e.Archive.UpdateCustomer(ctx, upd); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, e.Archive, va.SearchQuery{CustomerType: "prospect"}); !slices.Equal(got, []va.RecordID{r.ID}) {
		t.Errorf("records of prospect customers = %v, want [%s]", got, r.ID)
	}
	if got := searchIDs(t, e.Archive, va.SearchQuery{CustomerType: "key"}); len(got) != 0 {
		t.Errorf("records of key customers = %v, want none", got)
	}
}

func TestImport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		lines := []string{
			`{"customer":{"id":"C1","name":"Acme Trading Ltd","customer_type":"regular","country":"US"}}`,
			`{"record":{"id":"R1","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z","summary":"讨论 LX-3021B 报价"}}`,
			``,
			`{"record":{"customer_id":"C9","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z"}}`,
			`{"record":{"id":"R1","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z"}}`,
			`{"customer":{"id":"C1","name":"dup","customer_type":"regular"}}`,
			`{"record":{"customer_id":"C1","visit_start":"2026-03-01T09:00:00Z"}}`,
			`{"record":{"customer_id":"C1"},"customer":{"id":"C2","name":"x","customer_type":"key"}}`,
			`{"recrod":{}}`,
			`[1,2]`,
		}
		var last va.ImportProgress
		rep, err := e.Archive.Import(as(t, "carol"), strings.NewReader(strings.Join(lines, "\n")), func(p va.ImportProgress) { last = p })
		if err != nil {
			t.Fatal(err)
		}
		var rejected []int
		for _, r := range rep.Rejected {
			rejected = append(rejected, r.Line)
		}
		if rep.Customers != 1 || rep.Records != 1 || !slices.Equal(rejected, []int{4, 5, 6, 7, 8, 9, 10}) {
			t.Errorf("import: %d customers, %d records, rejected lines %v; want 1, 1, [4 5 6 7 8 9 10]", rep.Customers, rep.Records, rejected)
		}
		if last != (va.ImportProgress{Lines: 10, Imported: 2, Rejected: 7}) {
			t.Errorf("last progress %+v", last)
		}
		if n := countKeys(t, e.Store, va.RecordsPrefix); n != 1 {
			t.Errorf("%d record objects stored, want 1", n)
		}
		if got := searchIDs(t, e.Archive, va.SearchQuery{Text: "LX-3021B"}); !slices.Equal(got, []va.RecordID{"R1"}) {
			t.Errorf("search after import = %v, want [R1]", got)
		}
		r, err := e.Archive.GetRecord(as(t, "tester"), "R1")
		if err != nil || r.CustomerName != "Acme Trading Ltd" || r.CreatedBy != "carol" || r.Status != va.StatusDraft {
			t.Errorf("imported record = %+v, %v", r, err)
		}
	})
}

// failingJournal refuses every append: the fault a real journal cannot be
// made to show on demand.
type failingJournal struct{ va.Journal }

func (failingJournal) Append(context.Context, ...va.Change) (uint64, error) {
	return 0, errors.New("journal down")
}

func TestUnjournaledWriteIsRemoved(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	e.Archive.CreateCustomer(ctx, customer("C1", "客户"))
	a := va.New(va.Config{Store: e.Store, Journal: failingJournal{e.Journal}, Index: e.Index,
		Policy: testenv.Policy(t), Keys: e.Keyring(t), Passwords: testenv.Hasher(t)})
	if err := a.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateRecord(ctx, record("C1", "x", 1)); err == nil {
		t.Fatal("create succeeded with the journal down")
	}
	if n := countKeys(t, e.Store, va.RecordsPrefix); n != 0 {
		t.Errorf("%d record objects left behind by a write the journal refused", n)
	}
}

// TestUnloggedSearchIsNotServed: a search whose hits cannot be written to
// the access log answers nothing.
func TestUnloggedSearchIsNotServed(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	e.Archive.CreateCustomer(ctx, customer("C1", "客户"))
	mustCreate(t, e.Archive, ctx, record("C1", "样品测试", 1))
	a := va.New(va.Config{Store: e.Store, Journal: failingJournal{e.Journal}, Index: e.Index,
		Policy: testenv.Policy(t), Keys: e.Keyring(t), Passwords: testenv.Hasher(t)})
	if err := a.Open(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := a.Search(ctx, va.SearchQuery{Text: "样品"})
	if !va.IsKind(err, va.Unavailable) || res != nil {
		t.Fatalf("search with the access log down = %+v, %v; want nothing and Unavailable", res, err)
	}
	if res, err := a.Search(ctx, va.SearchQuery{Text: "没有"}); err != nil || res.Total != 0 {
		t.Errorf("a search without hits, which logs nothing = %+v, %v; want an empty answer", res, err)
	}
}
