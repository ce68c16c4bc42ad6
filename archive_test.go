package visitarchive_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index"
	"github.com/visitarchive/visitarchive/policy"
	"github.com/visitarchive/visitarchive/retention"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/keyring"
	"github.com/visitarchive/visitarchive/storage/s3"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

func TestMain(m *testing.M) { s3test.Main(m) }

// env is an Archive on real components: a store, the journal over it, and
// a Bleve index in a temporary directory.
type env struct {
	dir       string
	openStore func(t *testing.T) va.Store
	store     va.Store
	journal   *journal.Journal
	index     *index.Index
	archive   *va.Archive
	clock     atomic.Pointer[time.Time] // the Archive's time when set
	mailer    va.Mailer                 // set before open to mail notifications
	adjust    func(*va.Config)          // set before open to change the Config
}

// now is the Archive's clock: the time set with setNow, or the real one.
func (e *env) now() time.Time {
	if t := e.clock.Load(); t != nil {
		return *t
	}
	return time.Now()
}

// setNow stops the Archive's clock at t.
func (e *env) setNow(t time.Time) { e.clock.Store(&t) }

// backends open the store of an env; the same env reopens the same store.
var backends = map[string]func(t *testing.T, dir string) func(t *testing.T) va.Store{
	"disk": func(t *testing.T, dir string) func(t *testing.T) va.Store {
		return func(t *testing.T) va.Store {
			s, err := disk.Open(filepath.Join(dir, "store"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	},
	"minio": func(t *testing.T, dir string) func(t *testing.T) va.Store {
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
			e := &env{dir: t.TempDir()}
			e.openStore = backend(t, e.dir)
			e.open(t, true)
			e.addDepartments(t)
			test(t, e)
		})
	}
}

// newEnv is an env on the disk backend, for tests of the Archive's own
// rules.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{dir: t.TempDir()}
	e.openStore = backends["disk"](t, e.dir)
	e.open(t, true)
	e.addDepartments(t)
	return e
}

// addDepartments creates the departments that the fixtures' records and
// plans name: they must exist.
func (e *env) addDepartments(t *testing.T) {
	t.Helper()
	for _, d := range []string{"sales1", "sales2"} {
		if _, err := e.archive.Accounts().CreateDepartment(as(t, "root"), va.Department{ID: va.DepartmentID(d), Name: d}); err != nil {
			t.Fatal(err)
		}
	}
}

// open (re)opens the components over e.dir; withIndex false leaves the
// index out, as an offline import does.
func (e *env) open(t *testing.T, withIndex bool) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	var err error
	e.store = e.openStore(t)
	if e.journal, err = journal.Open(t.Context(), e.store, log); err != nil {
		t.Fatal(err)
	}
	cfg := va.Config{Store: e.store, Journal: e.journal, Logger: log, Keys: e.keyring(t), Now: e.now,
		Workflow: va.WorkflowConfig{Schedule: retention.DefaultSchedule(), AreaCodes: map[string]string{"新能源": "XNY"}}}
	cfg.Policy, cfg.Passwords, cfg.Mailer = mustPolicy(t), testHasher(t), e.mailer
	if e.adjust != nil {
		e.adjust(&cfg)
	}
	if withIndex {
		if e.index, err = index.Open(filepath.Join(e.dir, "index"), log); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.index.Close() })
		cfg.Index = e.index
	}
	e.archive = va.New(cfg)
	if err := e.archive.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func mustPolicy(t *testing.T) *policy.Enforcer {
	t.Helper()
	p, err := policy.New()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testHasher is argon2id with small parameters, so that tests stay fast.
func testHasher(t *testing.T) policy.Argon2id {
	t.Helper()
	h, err := policy.NewArgon2id(1024, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// keyring loads the key file of e, creating it the first time.
func (e *env) keyring(t *testing.T) *keyring.Keyring {
	t.Helper()
	path := filepath.Join(e.dir, "keyring.json")
	kr, err := keyring.Load(path)
	if va.IsKind(err, va.NotFound) {
		kr, err = keyring.Init(path, time.Now())
	}
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func (e *env) close(t *testing.T) {
	t.Helper()
	if e.index != nil {
		if err := e.index.Close(); err != nil {
			t.Fatal(err)
		}
		e.index = nil
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
	c, err := e.archive.CreateCustomer(ctx, customer("C1", "宁德新能源科技有限公司"))
	if err != nil || c.Version != 1 || c.CreatedBy != "alice" {
		t.Fatalf("create = %+v, %v", c, err)
	}
	if _, err := e.archive.CreateCustomer(ctx, customer("C1", "again")); !va.IsKind(err, va.Conflict) {
		t.Errorf("second create of C1: %v, want Conflict", err)
	}
	upd := *c
	upd.Name = "宁德新能源"
	c2, err := e.archive.UpdateCustomer(as(t, "bob"), upd)
	if err != nil || c2.Version != 2 || c2.UpdatedBy != "bob" || c2.CreatedBy != "alice" {
		t.Fatalf("update = %+v, %v", c2, err)
	}
	if _, err := e.archive.UpdateCustomer(ctx, upd); !va.IsKind(err, va.Conflict) {
		t.Errorf("update of stale version 1: %v, want Conflict", err)
	}
	got, err := e.archive.GetCustomer(ctx, "C1")
	if err != nil || got.Name != "宁德新能源" || got.Version != 2 {
		t.Errorf("get = %+v, %v", got, err)
	}
	if _, err := e.archive.GetCustomer(ctx, "C9"); !va.IsKind(err, va.NotFound) {
		t.Errorf("get C9: %v, want NotFound", err)
	}
}

func TestWritesNeedAnActor(t *testing.T) {
	e := newEnv(t)
	if _, err := e.archive.CreateCustomer(t.Context(), customer("C1", "x")); !va.IsKind(err, va.Unauthenticated) {
		t.Errorf("create without actor: %v, want Unauthenticated", err)
	}
}

func TestRecordNeedsItsCustomer(t *testing.T) {
	e := newEnv(t)
	_, err := e.archive.CreateRecord(as(t, "alice"), record("NOPE", "x", 1))
	if !va.IsKind(err, va.Invalid) || len(va.ErrorFields(err)) != 1 || va.ErrorFields(err)[0].Field != "customer_id" {
		t.Errorf("record of a missing customer: %v (fields %v), want Invalid on customer_id", err, va.ErrorFields(err))
	}
	if n := countKeys(t, e.store, va.RecordsPrefix); n != 0 {
		t.Errorf("%d record objects stored after a rejected create", n)
	}
}

// TestRecordAndPlanNeedTheirDepartment refuses a record or plan of a
// department that does not exist, and a change of department, even from
// a trusted actor whom the policy does not limit.
func TestRecordAndPlanNeedTheirDepartment(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	e.archive.CreateCustomer(ctx, customer("C1", "客户"))
	wantDepartment := func(what string, err error) {
		t.Helper()
		if !va.IsKind(err, va.Invalid) || !slices.Contains(fieldsOf(err), "department") {
			t.Errorf("%s: %v (fields %v), want Invalid on department", what, err, fieldsOf(err))
		}
	}
	r := record("C1", "x", 1)
	r.Department = "nowhere"
	_, err := e.archive.CreateRecord(ctx, r)
	wantDepartment("a record of a missing department", err)
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := va.Plan{CustomerID: "C1", Department: "nowhere", VisitStart: start, VisitEnd: start.Add(time.Hour),
		Location: "Hamburg", Purpose: "offer", Visitors: []va.UserName{"alice"}}
	_, err = e.archive.CreatePlan(ctx, p)
	wantDepartment("a plan of a missing department", err)

	created := mustCreate(t, e.archive, ctx, record("C1", "x", 1))
	for _, d := range []string{"nowhere", "sales2"} {
		next := *created
		next.Department = va.DepartmentID(d)
		_, err := e.archive.UpdateRecord(ctx, next)
		wantDepartment("a record moved to "+d, err)
	}
	if n := countKeys(t, e.store, va.RecordsPrefix); n != 1 {
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
		e.archive.CreateCustomer(ctx, customer("C1", "客户"))
		r := mustCreate(t, e.archive, ctx, record("C1", "初稿", 1))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				upd := *r
				upd.Summary = fmt.Sprintf("修改 %d", i)
				_, errs[i] = e.archive.UpdateRecord(as(t, va.UserName(fmt.Sprintf("u%d", i))), upd)
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
		h, err := e.archive.RecordHistory(ctx, r.ID)
		if err != nil || len(h) != 2 || h[0].Actor != "alice" || h[1].Version != 2 {
			t.Errorf("history = %+v, %v; want versions 1 (alice) and 2", h, err)
		}
	})
}

func TestIndexCatchesUpFromTheJournal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		e.archive.CreateCustomer(ctx, customer("C1", "客户"))
		first := mustCreate(t, e.archive, ctx, record("C1", "讨论储能电池", 1))
		e.close(t)

		// Writes while no index is open, as by an offline import or a crash
		// between the journal and the index.
		e.open(t, false)
		second := mustCreate(t, e.archive, as(t, "bob"), record("C1", "储能电池报价", 2))
		e.close(t)

		e.open(t, true)
		want := []va.RecordID{first.ID, second.ID}
		slices.Sort(want)
		if got := searchIDs(t, e.archive, va.SearchQuery{Text: "储能电池"}); !slices.Equal(got, want) {
			t.Errorf("after catch-up search found %v, want %v", got, want)
		}
	})
}

func TestReindexRebuildsFromTheStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		e.archive.CreateCustomer(ctx, customer("C1", "客户"))
		var want []va.RecordID
		for day := 1; day <= 5; day++ {
			want = append(want, mustCreate(t, e.archive, ctx, record("C1", "光伏组件", day)).ID)
		}
		e.close(t)
		if err := os.RemoveAll(filepath.Join(e.dir, "index")); err != nil {
			t.Fatal(err)
		}
		var calls []int
		e.open(t, true) // an empty index is rebuilt by Open
		if err := e.archive.Reindex(t.Context(), func(done, total int) { calls = append(calls, done, total) }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		if got := searchIDs(t, e.archive, va.SearchQuery{Text: "光伏"}); !slices.Equal(got, want) {
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
	if rep, err := e.archive.Import(as(t, "carol"), strings.NewReader(strings.Join(lines, "\n")), nil); err != nil || rep.Records != n {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	var calls [][2]int
	if err := e.archive.Reindex(t.Context(), func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil {
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
	c, _ := e.archive.CreateCustomer(ctx, customer("C1", "客户"))
	r := mustCreate(t, e.archive, ctx, record("C1", "x", 1))
	upd := *c
	upd.Type = "prospect"
	if _, err := e.archive.UpdateCustomer(ctx, upd); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, e.archive, va.SearchQuery{CustomerType: "prospect"}); !slices.Equal(got, []va.RecordID{r.ID}) {
		t.Errorf("records of prospect customers = %v, want [%s]", got, r.ID)
	}
	if got := searchIDs(t, e.archive, va.SearchQuery{CustomerType: "key"}); len(got) != 0 {
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
		rep, err := e.archive.Import(as(t, "carol"), strings.NewReader(strings.Join(lines, "\n")), func(p va.ImportProgress) { last = p })
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
		if n := countKeys(t, e.store, va.RecordsPrefix); n != 1 {
			t.Errorf("%d record objects stored, want 1", n)
		}
		if got := searchIDs(t, e.archive, va.SearchQuery{Text: "LX-3021B"}); !slices.Equal(got, []va.RecordID{"R1"}) {
			t.Errorf("search after import = %v, want [R1]", got)
		}
		r, err := e.archive.GetRecord(as(t, "tester"), "R1")
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
	e.archive.CreateCustomer(ctx, customer("C1", "客户"))
	a := va.New(va.Config{Store: e.store, Journal: failingJournal{e.journal}, Index: e.index,
		Policy: mustPolicy(t), Keys: e.keyring(t), Passwords: testHasher(t)})
	if err := a.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateRecord(ctx, record("C1", "x", 1)); err == nil {
		t.Fatal("create succeeded with the journal down")
	}
	if n := countKeys(t, e.store, va.RecordsPrefix); n != 0 {
		t.Errorf("%d record objects left behind by a write the journal refused", n)
	}
}

// TestUnloggedSearchIsNotServed: a search whose hits cannot be written to
// the access log answers nothing.
func TestUnloggedSearchIsNotServed(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	e.archive.CreateCustomer(ctx, customer("C1", "客户"))
	mustCreate(t, e.archive, ctx, record("C1", "样品测试", 1))
	a := va.New(va.Config{Store: e.store, Journal: failingJournal{e.journal}, Index: e.index,
		Policy: mustPolicy(t), Keys: e.keyring(t), Passwords: testHasher(t)})
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
