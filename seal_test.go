package visitarchive_test

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/keyring"
)

// Secrets of the fixtures: none may appear at rest.
const (
	secretPhone    = "+86 138 0013 8000"
	secretEmail    = "wang.secret@example.cn"
	secretDecider  = "王秘密"
	secretNote     = "私下同意降价"
	secretContact  = "+49 30 7654321"
	importedPhone  = "+1 415 555 0199"
	importedEmails = "imported.secret@example.com"
)

// sensitiveRecord is a record with every kind of sensitive field.
func sensitiveRecord(customer string, day int) va.Record {
	r := record(customer, "讨论 LX-3021B 报价", day)
	r.ContactName, r.ContactPhone, r.ContactEmail = "王经理", secretPhone, secretEmail
	r.DecisionChain = []va.DecisionMaker{{Name: secretDecider, Role: "采购总监", Attitude: "support", Notes: secretNote}}
	return r
}

const sealedImport = `{"customer":{"id":"C2","name":"Imported Ltd","customer_type":"regular","contacts":[{"name":"Ann","phone":"` + secretContact + `"}]}}
{"record":{"id":"R9","customer_id":"C2","visit_start":"2026-03-05T09:00:00Z","visit_end":"2026-03-05T10:00:00Z","summary":"导入","contact_phone":"` + importedPhone + `","contact_email":"` + importedEmails + `"}}
`

// TestNoPlaintextAtRest writes every sensitive field through create,
// update and import, then reads every stored object and every index file:
// none may hold a phone number, e-mail or decision-chain secret in clear.
func TestNoPlaintextAtRest(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		c := customer("C1", "Acme")
		c.Contacts = []va.Contact{{Name: "Hans", Phone: secretContact, Email: secretEmail}}
		if _, err := e.Archive.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		r := mustCreate(t, e.Archive, ctx, sensitiveRecord("C1", 1))
		r.Summary = "更新后 LX-3021B"
		if _, err := e.Archive.UpdateRecord(ctx, *r); err != nil {
			t.Fatal(err)
		}
		if rep, err := e.Archive.Import(ctx, strings.NewReader(sealedImport), nil); err != nil || len(rep.Rejected) > 0 {
			t.Fatalf("import: %v %+v", err, rep)
		}
		secrets := []string{secretPhone, "13800138000", secretEmail, secretDecider, secretNote, secretContact,
			importedPhone, importedEmails}
		n := 0
		for _, prefix := range []string{"customers/", "records/", "datakeys/", "journal/", "checkpoints/"} {
			for info, err := range e.Store.List(t.Context(), prefix, "") {
				if err != nil {
					t.Fatal(err)
				}
				n++
				checkNoSecret(t, info.Key, readObject(t, e.Store, info.Key), secrets)
			}
		}
		if n < 8 {
			t.Errorf("only %d objects checked", n)
		}
		filepath.WalkDir(filepath.Join(e.Dir, "index"), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				checkNoSecret(t, path, b, secrets)
			}
			return err
		})

		// The owner still reads them all.
		got, err := e.Archive.GetRecord(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ContactPhone != secretPhone || got.ContactEmail != secretEmail || got.DecisionChain[0].Name != secretDecider ||
			got.DecisionChain[0].Notes != secretNote || got.DecisionChain[0].Role != "采购总监" || len(got.Hidden) != 0 {
			t.Errorf("opened record = %+v", got)
		}
		cu, err := e.Archive.GetCustomer(ctx, "C2")
		if err != nil || len(cu.Contacts) != 1 || cu.Contacts[0].Phone != secretContact {
			t.Errorf("imported customer = %+v, %v", cu, err)
		}
	})
}

func readObject(t *testing.T, s va.Store, key string) []byte {
	t.Helper()
	rc, _, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkNoSecret(t *testing.T, where string, b []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s holds %q in clear", where, s)
		}
	}
}

// TestContactLookup finds a record by its phone or e-mail written another
// way, through the blind index, and by nothing else.
func TestContactLookup(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	e.Archive.CreateCustomer(ctx, customer("C1", "Acme"))
	r := mustCreate(t, e.Archive, ctx, sensitiveRecord("C1", 1))
	mustCreate(t, e.Archive, ctx, record("C1", "没有联系方式", 2))
	for _, tt := range []struct {
		q    va.SearchQuery
		want []va.RecordID
	}{
		{va.SearchQuery{ContactPhone: "+8613800138000"}, []va.RecordID{r.ID}},
		{va.SearchQuery{ContactPhone: "+86 (138) 0013-8000"}, []va.RecordID{r.ID}},
		{va.SearchQuery{ContactEmail: "Wang.Secret@Example.CN"}, []va.RecordID{r.ID}},
		{va.SearchQuery{ContactPhone: "+86 138 0013 8001"}, nil},
		{va.SearchQuery{ContactEmail: "wang@example.cn"}, nil},
		{va.SearchQuery{ContactPhone: "+8613800138000", Text: "报价"}, []va.RecordID{r.ID}},
		{va.SearchQuery{ContactPhone: "+8613800138000", Text: "没有"}, nil},
	} {
		if got := searchIDs(t, e.Archive, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: got %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestDestroyedDataKey makes a record's sensitive fields unreadable for
// good, while the rest of the record and the journal stay intact.
func TestDestroyedDataKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		e.Archive.CreateCustomer(ctx, customer("C1", "Acme"))
		r := mustCreate(t, e.Archive, ctx, sensitiveRecord("C1", 1))
		if ok, err := e.Archive.DestroyRecordKey(ctx, r.ID); err != nil || !ok {
			t.Fatalf("destroy: %v %v", ok, err)
		}
		e.Close(t)
		e.Open(t, true) // no cached key survives
		got, err := e.Archive.GetRecord(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ContactPhone != "" || got.ContactEmail != "" || got.DecisionChain[0].Name != "" || len(got.Hidden) == 0 {
			t.Errorf("after destroying the key: %+v", got)
		}
		if got.Summary != r.Summary {
			t.Errorf("the rest of the record changed: %q", got.Summary)
		}
		if n := countKeys(t, e.Store, va.DataKeysPrefix); n != 1 {
			t.Errorf("%d data key objects left, want only the mark of the destruction", n)
		}
		// No new key is made: sensitive fields cannot come back.
		got.ContactPhone, got.DecisionChain = "+86 10 1234 5678", nil
		if _, err := e.Archive.UpdateRecord(ctx, *got); !va.IsKind(err, va.Conflict) {
			t.Errorf("update with a phone after the destruction: %v, want Conflict", err)
		}
		got.ContactPhone, got.Summary = "", "更正"
		if _, err := e.Archive.UpdateRecord(ctx, *got); err != nil {
			t.Errorf("update without sensitive fields after the destruction: %v", err)
		}
		if ok, err := e.Archive.DestroyRecordKey(ctx, r.ID); err != nil || ok {
			t.Errorf("second destruction: %v %v, want false, nil", ok, err)
		}
		if n, err := e.Archive.RewrapDataKeys(ctx, nil); err != nil || n != 0 {
			t.Errorf("rewrap after the destruction: %d %v", n, err)
		}
		rep, err := journal.Verify(t.Context(), e.Store, nil)
		if err != nil || !rep.OK() {
			t.Errorf("verify after a destruction: %v %v", err, rep.Problems)
		}
	})
}

// TestKeyRotation re-wraps data keys under a new master key without
// rewriting a record; after the old master key is retired the records
// still open.
func TestKeyRotation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		e.Archive.CreateCustomer(ctx, customer("C1", "Acme"))
		r := mustCreate(t, e.Archive, ctx, sensitiveRecord("C1", 1))
		before := objectHashes(t, e.Store, va.RecordsPrefix)
		path := filepath.Join(e.Dir, "keyring.json")
		old := e.Keyring(t).Current()
		if _, err := keyring.Rotate(path, time.Now()); err != nil {
			t.Fatal(err)
		}
		e.Close(t)
		e.Open(t, true)
		n, err := e.Archive.RewrapDataKeys(ctx, nil)
		if err != nil || n != 1 { // the record's (the customer has no contacts)
			t.Fatalf("rewrap: %d, %v", n, err)
		}
		if n, err := e.Archive.RewrapDataKeys(ctx, nil); err != nil || n != 0 {
			t.Errorf("second rewrap: %d, %v", n, err)
		}
		if after := objectHashes(t, e.Store, va.RecordsPrefix); !slices.Equal(before, after) {
			t.Errorf("records were rewritten: %v → %v", before, after)
		}
		if _, err := keyring.Retire(path, old); err != nil {
			t.Fatal(err)
		}
		e.Close(t)
		e.Open(t, true)
		got, err := e.Archive.GetRecord(ctx, r.ID)
		if err != nil || got.ContactPhone != secretPhone {
			t.Errorf("after rotation and retirement: %+v, %v", got, err)
		}
		if rep, err := journal.Verify(t.Context(), e.Store, nil); err != nil || !rep.OK() {
			t.Errorf("verify after rotation: %v %v", err, rep.Problems)
		}
	})
}

func objectHashes(t *testing.T, s va.Store, prefix string) []string {
	t.Helper()
	var out []string
	for info, err := range s.List(t.Context(), prefix, "") {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, info.Key+" "+info.SHA256)
	}
	return out
}

// TestReadsAreLogged: every read of a record's content and every search
// hit is in the journal, and the access log lists them by user, record and
// period.
func TestReadsAreLogged(t *testing.T) {
	e := newEnv(t)
	alice, bob := as(t, "alice"), as(t, "bob")
	e.Archive.CreateCustomer(alice, customer("C1", "Acme"))
	r1 := mustCreate(t, e.Archive, alice, sensitiveRecord("C1", 1))
	r2 := mustCreate(t, e.Archive, alice, record("C1", "第二次拜访", 2))
	start := time.Now()
	if _, err := e.Archive.GetRecord(bob, r1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Archive.Search(alice, va.SearchQuery{Text: "第二次"}); err != nil {
		t.Fatal(err)
	}
	all, err := e.Archive.AccessLog(alice, va.AccessFilter{From: start})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range all {
		got = append(got, string(ev.User)+" "+ev.Action+" "+string(ev.Record)+" "+strings.Join(ev.Fields, ","))
	}
	want := []string{
		"bob record.read " + string(r1.ID) + " content,contact_phone,contact_email,decision_chain",
		"alice record.hit " + string(r2.ID) + " topic,fragments",
	}
	if !slices.Equal(got, want) {
		t.Errorf("access log:\n got %q\nwant %q", got, want)
	}
	byBob, _ := e.Archive.AccessLog(alice, va.AccessFilter{User: "bob"})
	byRecord, _ := e.Archive.AccessLog(alice, va.AccessFilter{Record: r2.ID})
	later, _ := e.Archive.AccessLog(alice, va.AccessFilter{From: time.Now().Add(time.Hour)})
	if len(byBob) != 1 || len(byRecord) != 1 || len(later) != 0 {
		t.Errorf("filters: by bob %d, by record %d, later %d; want 1, 1, 0", len(byBob), len(byRecord), len(later))
	}
}

// TestReimportSealed: importing lines whose objects exist rejects them by
// their object, not their data key, and leaves no stray data key behind.
func TestReimportSealed(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	if _, err := e.Archive.Import(ctx, strings.NewReader(sealedImport), nil); err != nil {
		t.Fatal(err)
	}
	keys := countKeys(t, e.Store, va.DataKeysPrefix)
	rep, err := e.Archive.Import(ctx, strings.NewReader(sealedImport), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Rejected {
		got = append(got, va.ErrorMessage(r.Error))
	}
	// The customer is refused when parsed (the cache knows it); the record
	// when its objects are written.
	want := []string{"customer C2 already exists", "records/R9/0000000001.json already exists"}
	if !slices.Equal(got, want) {
		t.Errorf("rejections %q, want %q", got, want)
	}
	if n := countKeys(t, e.Store, va.DataKeysPrefix); n != keys {
		t.Errorf("%d data keys after the second import, want %d", n, keys)
	}
}
