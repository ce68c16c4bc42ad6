package visitarchive_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/scantest"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// What a destroyed record held, planted where a reader could find it: its
// summary (in clear in the record and the index), its contact phone
// (sealed), its attachment and the attachment's extracted text.
const (
	doomedSummary = "销毁摘要 QX7781 独有"
	doomedPhone   = "13800007781"
	doomedFile    = "附件内容 ZZ4242 only here"
	doomedText    = "提取文本 TT5151 only here"
)

// doomedRecord archives a record with every kind of object a record can
// have: versions, data key, paper original, a loan, an annotation, an
// attachment and its extracted text.
func doomedRecord(t *testing.T, e *env, ctx map[string]context.Context) *va.Record {
	t.Helper()
	r := keyForm(2)
	r.Summary, r.ContactPhone, r.Topic = doomedSummary, doomedPhone, "年度回访"
	got := mustCreate(t, e.Archive, ctx["alice"], r)
	got, err := e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version)
	if err == nil {
		got, err = e.Archive.ApproveRecord(ctx["sam"], got.ID, got.Version, "")
	}
	if err == nil {
		got, err = e.Archive.ArchiveRecord(ctx["ann"], got.ID, va.ArchiveRequest{Version: got.Version,
			PaperLocation: &va.PaperLocation{Cabinet: "A", Shelf: "1", Box: "7"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	att := attach(t, e.Archive, ctx["ann"], got.ID, "扫描件.txt", "text/plain", []byte(doomedFile))
	// The extracted text, as the extractor will write it.
	text := []byte(`{"text":"` + doomedText + `"}`)
	if _, err := e.Store.Put(t.Context(), va.AttachmentTextKey(got.ID, att.ID, 1), bytes.NewReader(text), int64(len(text))); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Archive.AnnotateRecord(ctx["ann"], got.ID, va.Annotation{Reason: "日期有误", Text: "更正：日期"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Archive.Papers().Lend(ctx["ann"], got.ID, va.LoanRequest{Borrower: "张三", Purpose: "查阅", DueAt: paperDay.AddDate(0, 0, 7)}); err != nil {
		t.Fatal(err)
	}
	return got
}

func destruction(id string, recs ...va.RecordID) va.Destruction {
	return va.Destruction{ID: id, List: "AL-2026-1", Reason: "保管期满，经鉴定无保存价值", Approver: "max",
		Witnesses: []va.UserName{"aud", "arc"}, Records: recs,
		Reasons: map[va.RecordID]string{recs[0]: "已过保管期限"}}
}

// TestDestroyRecords destroys an archived record on both backends: after
// it nothing of its content is in any stored object, index file or
// answer; the other record is whole; the register lists it for auditors;
// verify passes, before and after a restart.
func TestDestroyRecords(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := paperEnv(t, e)
		doomed := doomedRecord(t, e, ctx)
		kept := archivedRecord(t, e, ctx, nil)
		if _, err := e.Archive.DestroyRecords(ctx["max"], destruction("D1", doomed.ID)); !va.IsKind(err, va.Forbidden) {
			t.Errorf("destruction by a signed-in manager: %v, want Forbidden", err)
		}
		reg, err := e.Archive.DestroyRecords(as(t, "system"), destruction("D1", doomed.ID))
		if err != nil {
			t.Fatal(err)
		}
		checkRegister(t, reg, doomed)
		checkDestroyed(t, e, ctx, doomed.ID, kept.ID)
		e.Close(t)
		e.Open(t, true)
		checkDestroyed(t, e, ctx, doomed.ID, kept.ID)
		if again, err := e.Archive.DestroyRecords(as(t, "system"), destruction("D1", doomed.ID)); err != nil || !again.Ended.Equal(reg.Ended) {
			t.Errorf("the same destruction again: %+v, %v; want its register", again, err)
		}
		if _, err := e.Archive.DestroyRecords(as(t, "system"), destruction("D2", doomed.ID)); !va.IsKind(err, va.NotFound) {
			t.Errorf("destroying a destroyed record: %v, want NotFound", err)
		}
	})
}

func checkRegister(t *testing.T, reg *va.DestructionRegister, r *va.Record) {
	t.Helper()
	if len(reg.Entries) != 1 || len(reg.Witnesses) != 2 || reg.Approver != "max" {
		t.Fatalf("register = %+v", reg)
	}
	got := reg.Entries[0]
	if got.Seq != 1 || got.Record != r.ID || got.ReferenceCode != r.ReferenceCode || got.Year != 2026 ||
		got.Retention != r.Retention || got.Title() != "华东电气：年度回访" || got.Objects < 8 || got.Reason != "已过保管期限" ||
		!got.ArchivedAt.Equal(r.ArchivedAt) {
		t.Errorf("register line = %+v (of %+v)", got, r.Archival)
	}
}

// checkDestroyed checks that record gone is gone everywhere and kept is
// whole, and that verify passes.
func checkDestroyed(t *testing.T, e *env, ctx map[string]context.Context, gone, kept va.RecordID) {
	t.Helper()
	if _, err := e.Archive.GetRecord(ctx["aud"], gone); !va.IsKind(err, va.NotFound) {
		t.Errorf("get destroyed record: %v, want NotFound", err)
	}
	if _, err := e.Archive.Attachments(ctx["aud"], gone); err == nil {
		t.Errorf("attachments of the destroyed record are listed")
	}
	if _, err := e.Archive.Papers().Get(ctx["aud"], gone); err == nil {
		t.Errorf("the paper original of the destroyed record is still known")
	}
	if _, err := e.Archive.GetRecord(ctx["aud"], kept); err != nil {
		t.Errorf("the kept record: %v", err)
	}
	res, err := e.Archive.Search(ctx["aud"], va.SearchQuery{Text: "QX7781"})
	if err != nil || res.Total != 0 {
		t.Errorf("search for the destroyed summary: %+v, %v", res, err)
	}
	if ids := searchIDs(t, e.Archive, va.SearchQuery{}); len(ids) != 1 || ids[0] != kept {
		t.Errorf("indexed records = %v, want only %s", ids, kept)
	}
	if reg, err := e.Archive.Register(ctx["aud"], "D1"); err != nil || len(reg.Entries) != 1 {
		t.Errorf("the auditor reads the register: %+v, %v", reg, err)
	}
	if _, err := e.Archive.Register(ctx["alice"], "D1"); !va.IsKind(err, va.Forbidden) {
		t.Errorf("an employee reads the register: %v, want Forbidden", err)
	}
	if list, err := e.Archive.Destructions(ctx["max"]); err != nil || len(list) != 1 || !list[0].Done {
		t.Errorf("destructions = %+v, %v", list, err)
	}
	checkNoTrace(t, e)
	rep, err := journal.VerifyWith(t.Context(), e.Store, journal.Options{Grace: time.Hour})
	if err != nil || !rep.OK() {
		t.Errorf("verify: %v %+v", err, rep)
	}
}

// checkNoTrace reads every stored object and, on disk, every file under
// the data directory (store and index): none may hold what the destroyed
// record held.
func checkNoTrace(t *testing.T, e *env) {
	t.Helper()
	secrets := []string{doomedSummary, "QX7781", doomedPhone, "ZZ4242", "TT5151"}
	for info, err := range e.Store.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		checkNoSecret(t, info.Key, readObject(t, e.Store, info.Key), secrets)
	}
	if found := testenv.FileHolding(e.Dir, secrets); found != "" {
		t.Errorf("after the destruction: %s", found)
	}
}

// stoppingStore is the store of a process killed after its first n
// writes and deletes: from then on every write and delete fails, as if
// the process were gone, and what it did before stays.
type stoppingStore struct {
	va.Store
	left atomic.Int64
}

func (s *stoppingStore) stop() bool { return s.left.Add(-1) < 0 }

var errKilled = va.E("test", va.Unavailable, nil, "killed")

func (s *stoppingStore) Put(ctx context.Context, key string, r io.Reader, size int64) (va.ObjectInfo, error) {
	if s.stop() {
		return va.ObjectInfo{}, errKilled
	}
	return s.Store.Put(ctx, key, r, size)
}

func (s *stoppingStore) Delete(ctx context.Context, key string) error {
	if s.stop() {
		return errKilled
	}
	return s.Store.Delete(ctx, key)
}

// TestDestructionResumes kills a destruction after n of its writes and
// deletes, for n through every step (the intent, the removals, the data
// key, the register), and reopens: the record reads as gone as soon as
// the intent is journaled, the next Open completes it, and the end state
// is that of a destruction never interrupted.
func TestDestructionResumes(t *testing.T) {
	for _, n := range []int64{0, 2, 9, 19, 24} {
		t.Run(fmt.Sprint("after ", n), func(t *testing.T) {
			e := unopened(t)
			var st *stoppingStore
			var ds *disk.Store
			e.OpenStore = func(t *testing.T) va.Store {
				var err error
				if ds, err = disk.Open(filepath.Join(e.Dir, "store")); err != nil {
					t.Fatal(err)
				}
				st = &stoppingStore{Store: ds}
				st.left.Store(1 << 40)
				return st
			}
			e.start(t)
			ctx := paperEnv(t, e)
			doomed := doomedRecord(t, e, ctx)
			kept := archivedRecord(t, e, ctx, nil)
			st.left.Store(n)
			_, err := e.Archive.DestroyRecords(as(t, "system"), destruction("D1", doomed.ID))
			if err == nil {
				t.Logf("%d writes were enough", n)
			}
			// Once the intent is journaled the record reads as gone,
			// however far the removals went.
			if list, _ := e.Archive.Destructions(ctx["aud"]); len(list) == 1 {
				if _, err := e.Archive.GetRecord(ctx["aud"], doomed.ID); !va.IsKind(err, va.NotFound) {
					t.Errorf("a record under a begun destruction: %v, want NotFound", err)
				}
			}
			if list, _ := e.Archive.Destructions(ctx["aud"]); len(list) == 1 && !list[0].Done {
				rep, err := journal.VerifyWith(t.Context(), ds, journal.Options{Grace: time.Hour})
				if err != nil || !slices.ContainsFunc(rep.Problems, func(p journal.Problem) bool {
					return strings.Contains(p.Detail, "destruction begun and not ended")
				}) {
					t.Errorf("verify of an interrupted destruction: %+v, %v", rep, err)
				}
			}
			e.Close(t)
			ds.Close()
			e.Open(t, true) // resumes
			if _, err := e.Archive.Register(ctx["aud"], "D1"); va.IsKind(err, va.NotFound) {
				// Killed before the intent was journaled: nothing began,
				// the record is whole, and the destruction runs again.
				if _, err := e.Archive.GetRecord(ctx["aud"], doomed.ID); err != nil {
					t.Fatalf("killed before the intent, the record: %v", err)
				}
				if _, err := e.Archive.DestroyRecords(as(t, "system"), destruction("D1", doomed.ID)); err != nil {
					t.Fatal(err)
				}
			}
			checkDestroyed(t, e, ctx, doomed.ID, kept.ID)
		})
	}
}

// TestDestructionUnderWORM: on MinIO with object lock, a destruction
// attempted while the record's objects are under retention, or legal
// hold, is refused before it begins, and the record stays whole; once
// the retention has passed and the hold is released it goes through.
func TestDestructionUnderWORM(t *testing.T) {
	e := unopened(t)
	e.OpenStore = backends["minio"](t)
	e.start(t)
	ctx := paperEnv(t, e)
	doomed := doomedRecord(t, e, ctx)
	sys := as(t, "system")
	destroy := func() error {
		e.Clock.Set(time.Now()) // MinIO's retentions run on the real time
		_, err := e.Archive.DestroyRecords(sys, destruction("D1", doomed.ID))
		return err
	}
	until := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	if ok, err := e.Archive.LockRecord(as(t, "system"), doomed.ID, until); err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if ok, err := e.Archive.HoldRecord(as(t, "system"), doomed.ID, true); err != nil || !ok {
		t.Fatalf("hold: %v %v", ok, err)
	}
	err := destroy()
	if !va.IsKind(err, va.Forbidden) || !strings.Contains(va.ErrorMessage(err), "legal hold") {
		t.Errorf("destruction under legal hold: %v, want Forbidden", err)
	}
	if _, err := e.Archive.HoldRecord(sys, doomed.ID, false); err != nil {
		t.Fatal(err)
	}
	err = destroy()
	if !va.IsKind(err, va.Forbidden) || !strings.Contains(va.ErrorMessage(err), "until") {
		t.Errorf("destruction under retention: %v, want Forbidden", err)
	}
	if r, err := e.Archive.GetRecord(ctx["aud"], doomed.ID); err != nil || r.Summary != doomedSummary {
		t.Errorf("the refused record: %+v, %v; want it whole", r, err)
	}
	if list, err := e.Archive.Destructions(ctx["aud"]); err != nil || len(list) != 0 {
		t.Errorf("destructions after the refusals = %+v, %v", list, err)
	}
	if err := e.Store.Delete(t.Context(), va.RecordKey(doomed.ID, 1)); !va.IsKind(err, va.Forbidden) {
		t.Errorf("MinIO deletes a version of the locked record: %v, want Forbidden", err)
	}
	time.Sleep(time.Until(until) + 500*time.Millisecond)
	if err := destroy(); err != nil {
		t.Fatalf("destruction after the retention: %v", err)
	}
	checkNoTrace(t, e)
}

// TestDestroyFiledScan destroys a record whose scanned form came from the
// scan inbox: the inbox's own sealed copy of the scan goes with it.
func TestDestroyFiledScan(t *testing.T) {
	scantest.NeedPoppler(t)
	e := unopened(t)
	ctx, r1, _, _ := startScans(t, e)
	image := scantest.PNG(t, scantest.Form(3))
	rep, err := upload(t, e.Archive, ctx["ann"], "form.png", string(image))
	if err != nil {
		t.Fatal(err)
	}
	id := rep.Batches[0].Parts[0].Scans[0]
	if _, err := e.Archive.FileScan(ctx["ann"], id, r1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Archive.DestroyRecords(as(t, "system"), destruction("D1", r1.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Stat(t.Context(), va.ScanContentKey(id)); !va.IsKind(err, va.NotFound) {
		t.Errorf("the inbox's copy of the filed scan: %v, want it removed", err)
	}
	f, err := e.Archive.OpenScan(ctx["aud"], id)
	if err == nil {
		var rc io.ReadCloser
		if rc, err = f.Open(t.Context(), 0, -1); err == nil {
			rc.Close()
		}
	}
	if err == nil {
		t.Error("the filed scan of a destroyed record still reads")
	}
	if rep, err := journal.VerifyWith(t.Context(), e.Store, journal.Options{Grace: time.Hour}); err != nil || !rep.OK() {
		t.Errorf("verify after the destruction: %+v, %v", rep, err)
	}
}
