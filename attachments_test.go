package visitarchive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// Planted in attached files: neither may reach a stored object in clear.
const (
	plantedPhone  = "13912345678"
	plantedPhrase = "绝密报价单 confidential quote"
)

// plantedText is a text file of several DARE packages with the planted
// phone and phrase throughout.
func plantedText() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 300_000; i++ {
		b.WriteString("第 ")
		b.WriteString(strings.Repeat("x", i%50))
		b.WriteString(" 行: 联系电话 " + plantedPhone + "，" + plantedPhrase + "\n")
	}
	return b.Bytes()
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// attach adds one file to record rid and fails the test on error.
func attach(t *testing.T, a *va.Archive, ctx context.Context, rid va.RecordID, name, mt string, body []byte) *va.Attachment {
	t.Helper()
	att, err := a.AddAttachment(ctx, rid, name, mt, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("attach %s: %v", name, err)
	}
	return att
}

// download reads length bytes from offset of attachment id.
func download(t *testing.T, a *va.Archive, ctx context.Context, rid va.RecordID, id string, offset, length int64) ([]byte, error) {
	t.Helper()
	f, err := a.OpenAttachment(ctx, rid, id)
	if err != nil {
		return nil, err
	}
	rc, err := f.Open(ctx, offset, length)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestAttachments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := people(t, e)
		alice := ctx["alice"]
		r := mustCreate(t, e.Archive, alice, record("C1", "没有联系方式", 1)) // no data key yet
		body := plantedText()
		head := e.Journal.Head
		before, _ := head(t.Context())
		att := attach(t, e.Archive, alice, r.ID, "报价 (final).txt", "text/plain; charset=utf-8", body)
		if att.Size != int64(len(body)) || att.SHA256 != sha(body) || att.MediaType != "text/plain; charset=utf-8" ||
			att.UploadedBy != "alice" || att.Record != r.ID || att.Name != "报价 (final).txt" || !strings.HasPrefix(att.ID, "F") {
			t.Errorf("attachment = %+v", att)
		}
		// One entry: the data key it made, the content and the metadata.
		after, _ := head(t.Context())
		if after != before+1 {
			t.Fatalf("journal went from %d to %d, want one entry", before, after)
		}
		entries, err := e.Archive.JournalEntries(as(t, "root"), before, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range entries[0].Changes {
			got = append(got, c.Action+" "+c.Key)
		}
		want := []string{"datakey.create " + va.RecordDataKeyPrefix(r.ID) + "0000000001.json",
			"attachment.add " + va.AttachmentContentKey(r.ID, att.ID), "attachment.add " + va.AttachmentKey(r.ID, att.ID),
			"job.queue " + va.JobKey(att.Text.Job, 1)}
		if att.Text.State != va.TextQueued || !strings.HasPrefix(att.Text.Job, "J") {
			t.Errorf("text %+v, want a job queued", att.Text)
		}
		if !slices.Equal(got, want) {
			t.Errorf("journal entry:\n got %q\nwant %q", got, want)
		}
		png := attach(t, e.Archive, alice, r.ID, "photo.png", "image/png", []byte("\x89PNG\r\n\x1a\nnot really"))

		list, err := e.Archive.Attachments(ctx["sam"], r.ID) // the supervisor reads the record
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != att.ID || list[1].ID != png.ID || list[0].Name != att.Name || list[0].SHA256 != att.SHA256 {
			t.Errorf("list = %+v", list)
		}
		whole, err := download(t, e.Archive, alice, r.ID, att.ID, 0, -1)
		if err != nil || !bytes.Equal(whole, body) {
			t.Errorf("whole: %d bytes, %v", len(whole), err)
		}
		for _, rg := range [][2]int64{{0, 1}, {65_535, 2}, {65_536, 70_000}, {int64(len(body)) - 5, 5}, {100_000, -1}} {
			n := rg[1]
			if n < 0 {
				n = int64(len(body)) - rg[0]
			}
			part, err := download(t, e.Archive, ctx["sam"], r.ID, att.ID, rg[0], rg[1])
			if err != nil || !bytes.Equal(part, body[rg[0]:rg[0]+n]) {
				t.Errorf("range %v: %d bytes, %v", rg, len(part), err)
			}
		}
		if _, err := download(t, e.Archive, alice, r.ID, att.ID, int64(len(body)), 1); !va.IsKind(err, va.Unsatisfiable) {
			t.Errorf("range past the end: %v, want Unsatisfiable", err)
		}
		for _, id := range []string{"F404", "../x", ""} {
			if _, err := e.Archive.OpenAttachment(alice, r.ID, id); !va.IsKind(err, va.NotFound) {
				t.Errorf("attachment %q: %v, want NotFound", id, err)
			}
		}

		// Every download and listing is in the access log.
		log, err := e.Archive.AccessLog(as(t, "root"), va.AccessFilter{Record: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		var events []string
		for _, ev := range log {
			events = append(events, strings.TrimSpace(string(ev.User)+" "+ev.Action+" "+ev.Attachment+" "+strings.Join(ev.Fields, ",")+" "+ev.Detail))
		}
		wantEvents := []string{"sam record.read  attachments", "alice attachment.read " + att.ID,
			"sam attachment.read " + att.ID + "  bytes 0-0 of " + strconv.Itoa(len(body))}
		for _, w := range wantEvents {
			if !slices.Contains(events, w) {
				t.Errorf("access log has no %q:\n%s", w, strings.Join(events, "\n"))
			}
		}
		if n := countOf(events, "attachment.read"); n != 6 {
			t.Errorf("%d downloads logged, want 6", n)
		}

		// The data key made by the upload seals the record's fields later.
		r.ContactPhone = secretPhone
		if _, err := e.Archive.UpdateRecord(alice, *r); err != nil {
			t.Fatal(err)
		}
		e.Close(t)
		e.Open(t, true)
		if got, err := e.Archive.GetRecord(alice, r.ID); err != nil || got.ContactPhone != secretPhone {
			t.Errorf("record after reopening: %v %v", got, err)
		}
		if whole, err := download(t, e.Archive, alice, r.ID, att.ID, 0, -1); err != nil || !bytes.Equal(whole, body) {
			t.Errorf("whole after reopening: %d bytes, %v", len(whole), err)
		}
		rep, err := journal.Verify(t.Context(), e.Store, nil)
		if err != nil || !rep.OK() {
			t.Errorf("verify: %v %v", err, rep.Problems)
		}
	})
}

func countOf(events []string, action string) int {
	n := 0
	for _, ev := range events {
		if strings.Contains(ev, " "+action+" ") {
			n++
		}
	}
	return n
}

// TestAttachmentsNothingInClear plants a phone number and a phrase in an
// attached file and its name, then searches every object of the store and,
// on disk, every file under the data directory: neither is there in clear.
func TestAttachmentsNothingInClear(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := people(t, e)
		r := mustCreate(t, e.Archive, ctx["alice"], sensitiveRecord("C1", 1))
		body := plantedText()
		attach(t, e.Archive, ctx["alice"], r.ID, "王总 "+plantedPhone+".txt", "text/plain", body)
		attach(t, e.Archive, ctx["alice"], r.ID, "short.txt", "text/plain", []byte(plantedPhone))
		secrets := []string{plantedPhone, plantedPhrase, "绝密报价单", "confidential quote", sha(body), sha([]byte(plantedPhone))}
		n := 0
		for info, err := range e.Store.List(t.Context(), "", "") {
			if err != nil {
				t.Fatal(err)
			}
			n++
			checkNoSecret(t, info.Key, readObject(t, e.Store, info.Key), secrets)
		}
		if n < 6 {
			t.Errorf("only %d objects checked", n)
		}
		files := 0
		filepath.WalkDir(e.Dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				files++
				checkNoSecret(t, path, b, secrets)
			}
			return err
		})
		t.Logf("%d objects, %d files under the data directory: nothing in clear", n, files)
	})
}

// failingReader yields n bytes, then err.
type failingReader struct {
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	clear(p[:k])
	f.n -= k
	return k, nil
}

// TestFailedUploadsLeaveNothing: whatever stops an upload, no object and
// no journal entry remain.
func TestFailedUploadsLeaveNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := people(t, e)
		alice := ctx["alice"]
		bare := mustCreate(t, e.Archive, alice, record("C1", "无数据密钥", 1))
		sealed := mustCreate(t, e.Archive, alice, sensitiveRecord("C1", 2))
		tooLarge := va.E("test", va.TooLarge, nil, "the file is larger than the limit")
		for _, tt := range []struct {
			name, file, mt string
			r              io.Reader
			kind           va.Kind
		}{
			{"over a limit", "a.txt", "text/plain", &failingReader{200_000, tooLarge}, va.TooLarge},
			{"cut short", "a.txt", "text/plain", &failingReader{70_000, io.ErrUnexpectedEOF}, va.BadRequest},
			{"empty", "a.txt", "text/plain", strings.NewReader(""), va.BadRequest},
			{"unsupported", "a.pdf", "application/x-elf", strings.NewReader("\x7fELF"), va.Unsupported},
			{"a directory in the name", "../a.txt", "text/plain", strings.NewReader("x"), va.Invalid},
			{"a control character in the name", "a\nb.txt", "text/plain", strings.NewReader("x"), va.Invalid},
		} {
			for _, rec := range []*va.Record{bare, sealed} {
				head, _ := e.Journal.Head(t.Context())
				objects := countKeys(t, e.Store, "")
				_, err := e.Archive.AddAttachment(alice, rec.ID, tt.file, tt.mt, tt.r)
				if !va.IsKind(err, tt.kind) {
					t.Errorf("%s: %v, want kind %v", tt.name, err, tt.kind)
				}
				if got, _ := e.Journal.Head(t.Context()); got != head {
					t.Errorf("%s: the journal went from %d to %d", tt.name, head, got)
				}
				if got := countKeys(t, e.Store, ""); got != objects {
					t.Errorf("%s: %d objects, want %d", tt.name, got, objects)
				}
			}
		}
		// An upload of several files is journaled whole or not at all.
		u, err := e.Archive.NewUpload(alice, bare.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Add(alice, "one.txt", "text/plain", strings.NewReader("one")); err != nil {
			t.Fatal(err)
		}
		if _, err := u.Add(alice, "two.txt", "text/plain", &failingReader{10, tooLarge}); !va.IsKind(err, va.TooLarge) {
			t.Errorf("second file: %v", err)
		}
		u.Abort(alice)
		if n := countKeys(t, e.Store, va.AttachmentsPrefix) + countKeys(t, e.Store, va.RecordDataKeyPrefix(bare.ID)) + countKeys(t, e.Store, va.JobsPrefix); n != 0 {
			t.Errorf("%d objects left after the abort", n)
		}
		if list, err := e.Archive.Attachments(alice, bare.ID); err != nil || len(list) != 0 {
			t.Errorf("list after the abort: %v %v", list, err)
		}
	})
}

// TestUploadInFlightIsNotUnrecorded: the files of an upload still coming
// in are not removed as unrecorded objects, however long it takes.
func TestUploadInFlightIsNotUnrecorded(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	r := mustCreate(t, e.Archive, ctx["alice"], record("C1", "慢慢上传", 1))
	u, err := e.Archive.NewUpload(ctx["alice"], r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Add(ctx["alice"], "slow.txt", "text/plain", strings.NewReader("slow")); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(time.Now().Add(time.Hour))
	objs, err := journal.Unrecorded(t.Context(), e.Store)
	if err != nil || len(objs) != 4 {
		t.Fatalf("unrecorded: %d objects, %v; want the key, the content, the metadata and the job", len(objs), err)
	}
	if n, err := e.Archive.RemoveUnrecorded(as(t, "system"), objs, va.UnrecordedGrace); err != nil || n != 0 {
		t.Errorf("removed %d, %v; want none", n, err)
	}
	if _, err := u.Commit(ctx["alice"]); err != nil {
		t.Fatal(err)
	}
	if rep, err := journal.Verify(t.Context(), e.Store, nil); err != nil || !rep.OK() {
		t.Errorf("verify: %v %v", err, rep.Problems)
	}
}

// TestAttachmentPolicy: who may attach follows who may update the record
// in its state, and an archived record takes files from archivists only;
// reading follows reading the record.
func TestAttachmentPolicy(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	draft := mustCreate(t, e.Archive, ctx["alice"], keyForm(3))
	file := []byte("%PDF-1.4 test")
	try := func(who string, rid va.RecordID) error {
		_, err := e.Archive.AddAttachment(ctx[who], rid, "a.pdf", "application/pdf", bytes.NewReader(file))
		return err
	}
	check := func(what string, err error, want va.Kind, ok bool) {
		t.Helper()
		if ok && err != nil || !ok && !va.IsKind(err, want) {
			t.Errorf("%s: %v, want %v", what, err, map[bool]any{true: "success", false: want}[ok])
		}
	}
	check("the author, a draft", try("alice", draft.ID), 0, true)
	check("a colleague, a draft", try("carol", draft.ID), va.NotFound, false)
	check("the supervisor, a draft", try("sam", draft.ID), va.Forbidden, false)
	check("an archivist, a draft", try("ann", draft.ID), va.NotFound, false)
	list, err := e.Archive.Attachments(ctx["sam"], draft.ID)
	check("the supervisor lists", err, 0, true)
	_, err = e.Archive.Attachments(ctx["carol"], draft.ID)
	check("a colleague lists", err, va.NotFound, false)
	_, err = e.Archive.OpenAttachment(ctx["mia"], draft.ID, list[0].ID)
	check("marketing opens a draft's file", err, va.NotFound, false)

	archived := archivedVisit(t, e, ctx, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	check("the author, archived", try("alice", archived.ID), va.Conflict, false)
	check("the supervisor, archived", try("sam", archived.ID), va.Forbidden, false)
	check("marketing, archived", try("mia", archived.ID), va.Forbidden, false)
	check("an archivist, archived", try("ann", archived.ID), 0, true)
	_, err = e.Archive.Attachments(ctx["mia"], archived.ID)
	check("marketing lists an archived record's files", err, 0, true)
	if err := e.Archive.MayWrite(ctx["alice"], va.KindRecord, string(archived.ID), "attach"); !va.IsKind(err, va.Conflict) {
		t.Errorf("MayWrite attach, the author, archived: %v", err)
	}
	if err := e.Archive.MayWrite(ctx["ann"], va.KindRecord, string(archived.ID), "attach"); err != nil {
		t.Errorf("MayWrite attach, an archivist, archived: %v", err)
	}
}

// TestDestroyedKeyTakesTheFiles: once the record's data key is destroyed,
// its files cannot be read, named or added to, in any copy.
func TestDestroyedKeyTakesTheFiles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := people(t, e)
		alice := ctx["alice"]
		r := mustCreate(t, e.Archive, alice, sensitiveRecord("C1", 1))
		body := plantedText()
		att := attach(t, e.Archive, alice, r.ID, "secret.txt", "text/plain", body)
		sealedBefore := readObject(t, e.Store, va.AttachmentContentKey(r.ID, att.ID))
		if ok, err := e.Archive.DestroyRecordKey(as(t, "root"), r.ID); err != nil || !ok {
			t.Fatalf("destroy: %v %v", ok, err)
		}
		e.Close(t)
		e.Open(t, true) // no cached key survives
		if _, err := download(t, e.Archive, alice, r.ID, att.ID, 0, -1); !va.IsKind(err, va.Gone) {
			t.Errorf("download after the destruction: %v, want Gone", err)
		}
		list, err := e.Archive.Attachments(alice, r.ID)
		if err != nil || len(list) != 1 || list[0].Name != "" || list[0].SHA256 != "" || len(list[0].Hidden) == 0 ||
			list[0].Size != int64(len(body)) {
			t.Errorf("list after the destruction: %+v, %v", list, err)
		}
		if _, err := e.Archive.AddAttachment(alice, r.ID, "more.txt", "text/plain", strings.NewReader("more")); !va.IsKind(err, va.Conflict) {
			t.Errorf("attach after the destruction: %v, want Conflict", err)
		}
		// The sealed bytes are still there (a backup would have them too),
		// and useless.
		if got := readObject(t, e.Store, va.AttachmentContentKey(r.ID, att.ID)); !bytes.Equal(got, sealedBefore) ||
			bytes.Contains(got, []byte(plantedPhone)) {
			t.Errorf("the sealed content changed or holds the phone")
		}
	})
}

// TestUploadWhoseFilesWereRemoved: an upload whose first files another
// process removed as abandoned while it went on is refused, not journaled
// over objects that are gone.
func TestUploadWhoseFilesWereRemoved(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	r := mustCreate(t, e.Archive, ctx["alice"], sensitiveRecord("C1", 1))
	u, err := e.Archive.NewUpload(ctx["alice"], r.ID)
	if err != nil {
		t.Fatal(err)
	}
	att, err := u.Add(ctx["alice"], "slow.txt", "text/plain", strings.NewReader("slow"))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := e.Journal.Head(t.Context())
	if err := e.Store.Delete(t.Context(), va.AttachmentContentKey(r.ID, att.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Commit(ctx["alice"]); !va.IsKind(err, va.Unavailable) {
		t.Errorf("commit: %v, want Unavailable", err)
	}
	if got, _ := e.Journal.Head(t.Context()); got != head || countKeys(t, e.Store, va.AttachmentsPrefix) != 0 {
		t.Errorf("journal %d → %d, %d attachment objects left", head, got, countKeys(t, e.Store, va.AttachmentsPrefix))
	}
}
