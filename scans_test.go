package visitarchive_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/scantest"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/scan"
	"github.com/visitarchive/visitarchive/storage/filecrypt"
)

// scanPhrase is planted in a text-layer page of a batch: it must not
// reach a stored object, or any file under the data directory, in clear.
const scanPhrase = "PLANTED-SCAN-PHRASE-7731 contact 13912345678"

// unknownRecord is named by a cover sheet but does not exist.
const unknownRecord va.RecordID = "R01JD3XZZZZZZZZZZZZZZZZZZZ"

// scanEnv gives e a splitter whose private folders go under a folder of
// the test's, returned, which is empty whenever no split is under way.
func scanEnv(t *testing.T, e *env) string {
	tmp := t.TempDir()
	e.adjust(func(c *va.Config) { c.Splitter = scan.Splitter{Options: scan.Options{TempDir: tmp}} })
	return tmp
}

// startScans is paperEnv (the workflow's people, ann the archivist, aud
// the auditor) with a splitter, and two archived records.
func startScans(t *testing.T, e *env) (ctx map[string]context.Context, r1, r2 *va.Record, tmp string) {
	t.Helper()
	tmp = scanEnv(t, e)
	e.start(t)
	ctx = paperEnv(t, e)
	r1, r2 = archivedRecord(t, e, ctx, nil), archivedRecord(t, e, ctx, nil)
	return ctx, r1, r2, tmp
}

// batchPDF is a scanned batch: a stray page, r1's cover sheet and two
// pages (the first with the planted phrase), the cover sheet of a record
// that does not exist and a page, r2's cover sheet and a page.
func batchPDF(t *testing.T, r1, r2 va.RecordID) []byte {
	t.Helper()
	return scantest.PDF(t,
		scantest.Text("stray page before any cover"),
		scantest.Scanned(t, scantest.Cover(t, r1)),
		scantest.Text("first page of "+string(r1), scanPhrase),
		scantest.Scanned(t, scantest.Form(4)),
		scantest.Scanned(t, scantest.Cover(t, unknownRecord)),
		scantest.Text("page for nobody"),
		scantest.Scanned(t, scantest.Cover(t, r2)),
		scantest.Text("first page of "+string(r2)),
	)
}

// upload takes files (name, then content) in one ScanUpload as ctx.
func upload(t *testing.T, a *va.Archive, ctx context.Context, files ...string) (*va.ScanReport, error) {
	t.Helper()
	u, err := a.NewScanUpload(ctx)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(files); i += 2 {
		mt := va.MediaPDF
		if strings.HasSuffix(files[i], ".png") {
			mt = va.MediaPNG
		}
		if err := u.Add(ctx, files[i], mt, strings.NewReader(files[i+1])); err != nil {
			u.Abort(ctx)
			return nil, err
		}
	}
	return u.Commit(ctx)
}

// attachmentContent returns the content of attachment id of record rid.
func attachmentContent(t *testing.T, a *va.Archive, ctx context.Context, rid va.RecordID, id string) []byte {
	t.Helper()
	b, err := download(t, a, ctx, rid, id, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// scanContent returns the content of scan id.
func scanContent(t *testing.T, a *va.Archive, ctx context.Context, id va.ScanID) []byte {
	t.Helper()
	f, err := a.OpenScan(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := f.Open(ctx, 0, -1)
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

// TestScanBatch files a two-record batch with cover sheets on both
// backends: each record gets one scanned attachment with exactly its
// pages, the page before the first cover sheet and the part whose cover
// names no record go to the inbox with their reasons, nothing of it is in
// clear in the store or under the data directory, the splitter's private
// folder is gone, and a second upload of the same batch adds nothing.
func TestScanBatch(t *testing.T) {
	scantest.NeedPoppler(t)
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			e := unopened(t)
			e.OpenStore = backend(t)
			ctx, r1, r2, tmp := startScans(t, e)
			ann := ctx["ann"]
			batch := batchPDF(t, r1.ID, r2.ID)
			rep, err := upload(t, e.Archive, ann, "batch-0412.pdf", string(batch))
			if err != nil {
				t.Fatal(err)
			}
			checkBatchReport(t, rep, r1.ID, r2.ID, false)
			parts := rep.Batches[0].Parts

			for _, c := range []struct {
				rid   va.RecordID
				att   string
				name  string
				texts []string
			}{
				{r1.ID, parts[1].Attachments[0], "batch-0412 p3-4.pdf", []string{"first page of " + string(r1.ID), ""}},
				{r2.ID, parts[3].Attachments[0], "batch-0412 p8.pdf", []string{"first page of " + string(r2.ID)}},
			} {
				atts, err := e.Archive.Attachments(ann, c.rid)
				if err != nil {
					t.Fatal(err)
				}
				if len(atts) != 1 || atts[0].ID != c.att || !atts[0].Scanned || atts[0].Name != c.name || atts[0].MediaType != va.MediaPDF || atts[0].UploadedBy != "ann" {
					t.Fatalf("attachments of %s = %+v", c.rid, atts)
				}
				checkPages(t, attachmentContent(t, e.Archive, ann, c.rid, c.att), c.texts)
			}
			r1PDF := attachmentContent(t, e.Archive, ann, r1.ID, parts[1].Attachments[0])
			if !bytes.Contains(r1PDF, []byte(scanPhrase)) {
				t.Fatal("the filed part does not hold the planted phrase in its bytes: the check below would prove nothing")
			}

			inbox := listScans(t, e.Archive, ann, va.ScanFilter{})
			if len(inbox) != 2 {
				t.Fatalf("inbox = %+v", inbox)
			}
			if inbox[0].ID != parts[0].Scans[0] { // added at once: the clock stands still
				inbox[0], inbox[1] = inbox[1], inbox[0]
			}
			want := []struct {
				id     va.ScanID
				pages  []int
				reason string
				text   string
			}{
				{parts[0].Scans[0], []int{1}, "pages before the first cover sheet", "stray page before any cover"},
				{parts[2].Scans[0], []int{6}, "cover sheet names record " + string(unknownRecord) + ", which does not exist", "page for nobody"},
			}
			for i, w := range want {
				s := inbox[i]
				if s.ID != w.id || s.State != va.ScanInbox || s.Reason.String() != w.reason || !slices.Equal(s.Source.Pages, w.pages) ||
					s.Source.Batch != "batch-0412.pdf" || s.Source.Via != va.ScanViaUpload || s.MediaType != va.MediaPDF || s.AddedBy != "ann" {
					t.Errorf("inbox[%d] = %+v (reason %q)", i, s, s.Reason)
				}
				content := scanContent(t, e.Archive, ann, s.ID)
				if s.SHA256 != sha(content) || s.Size != int64(len(content)) {
					t.Errorf("scan %s: sha %s size %d, content %d bytes", s.ID, s.SHA256, s.Size, len(content))
				}
				checkPages(t, content, []string{w.text})
			}
			if s := inbox[1]; s.Source.Cover != 5 || s.Source.Record != unknownRecord {
				t.Errorf("source of the part of the unknown record = %+v", s.Source)
			}

			checkNothingInClear(t, e, []string{scanPhrase, "PLANTED-SCAN-PHRASE", "batch-0412"})
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the splitter left %d files behind in its folder", len(left))
			}

			// The same batch again: filed and in the inbox already.
			head, _ := e.Journal.Head(t.Context())
			again, err := upload(t, e.Archive, ann, "batch-0412.pdf", string(batch))
			if err != nil {
				t.Fatal(err)
			}
			checkBatchReport(t, again, r1.ID, r2.ID, true)
			for i, p := range again.Batches[0].Parts {
				if !slices.Equal(p.Attachments, parts[i].Attachments) || !slices.Equal(p.Scans, parts[i].Scans) {
					t.Errorf("part %d again = %+v, first %+v", i, p, parts[i])
				}
			}
			if after, _ := e.Journal.Head(t.Context()); after != head {
				t.Errorf("the batch again wrote %d journal entries", after-head)
			}
		})
	}
}

// checkBatchReport checks the report of batchPDF.
func checkBatchReport(t *testing.T, rep *va.ScanReport, r1, r2 va.RecordID, already bool) {
	t.Helper()
	if len(rep.Batches) != 1 || rep.Batches[0].Name != "batch-0412.pdf" || rep.Batches[0].Pages != 8 || len(rep.Batches[0].Parts) != 4 {
		t.Fatalf("report = %+v", rep)
	}
	type want struct {
		outcome va.ScanOutcome
		record  va.RecordID
		cover   int
		pages   []int
		reason  string
	}
	for i, w := range []want{
		{va.ScanOutcomeInbox, "", 0, []int{1}, "pages before the first cover sheet"},
		{va.ScanOutcomeFiled, r1, 2, []int{3, 4}, ""},
		{va.ScanOutcomeInbox, unknownRecord, 5, []int{6}, "cover sheet names record " + string(unknownRecord) + ", which does not exist"},
		{va.ScanOutcomeFiled, r2, 7, []int{8}, ""},
	} {
		p := rep.Batches[0].Parts[i]
		files := len(p.Scans)
		if w.outcome == va.ScanOutcomeFiled {
			files = len(p.Attachments)
		}
		if p.Outcome != w.outcome || p.Record != w.record || p.Cover != w.cover || !slices.Equal(p.Pages, w.pages) ||
			p.Reason.String() != w.reason || files != 1 || p.Already != already {
			t.Errorf("part %d = %+v (reason %q), want %+v, already %v", i, p, p.Reason, w, already)
		}
	}
}

// checkPages checks that the PDF data has a page for each of texts, whose
// text holds it ("" for a scanned page, which has none).
func checkPages(t *testing.T, data []byte, texts []string) {
	t.Helper()
	if n := scantest.PageCount(t, data); n != len(texts) {
		t.Fatalf("%d pages, want %d", n, len(texts))
	}
	for i, want := range texts {
		got := strings.TrimSpace(scantest.PageText(t, data, i+1))
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("page %d reads %q, want %q", i+1, got, want)
		}
	}
}

func listScans(t *testing.T, a *va.Archive, ctx context.Context, f va.ScanFilter) []va.Scan {
	t.Helper()
	page, err := a.ListScans(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	return page.Scans
}

// checkNothingInClear reads every stored object and every file under the
// data directory for secrets.
func checkNothingInClear(t *testing.T, e *env, secrets []string) {
	t.Helper()
	n := 0
	for info, err := range e.Store.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		n++
		checkNoSecret(t, info.Key, readObject(t, e.Store, info.Key), secrets)
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
}

// TestFileScan files an inbox scan to a record and discards another:
// the record gets the scan's content as its scanned form, the scan leaves
// the inbox, filing again is answered as it stands, and the discard is
// journaled with its reason. Who may do what follows the policy.
func TestFileScan(t *testing.T) {
	scantest.NeedPoppler(t)
	e := unopened(t)
	ctx, r1, r2, _ := startScans(t, e)
	ann, aud, alice := ctx["ann"], ctx["aud"], ctx["alice"]
	plain := scantest.PDF(t, scantest.Text("a form without a cover sheet"))
	image := scantest.PNG(t, scantest.Form(9))
	rep, err := upload(t, e.Archive, ann, "form.pdf", string(plain), "photo.png", string(image))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Batches) != 2 || rep.Batches[0].Pages != 1 || rep.Batches[1].Pages != 0 {
		t.Fatalf("report = %+v", rep)
	}
	pdfScan, pngScan := rep.Batches[0].Parts[0].Scans[0], rep.Batches[1].Parts[0].Scans[0]
	for _, p := range []va.ScanPartReport{rep.Batches[0].Parts[0], rep.Batches[1].Parts[0]} {
		if p.Outcome != va.ScanOutcomeInbox || p.Reason.Format != "" {
			t.Errorf("part = %+v: a plain scan goes to the inbox with no reason", p)
		}
	}
	s, err := e.Archive.GetScan(aud, pdfScan)
	if err != nil || s.Name != "form.pdf" || s.SHA256 != sha(plain) || s.Source.Batch != "" || len(s.Source.Pages) != 0 {
		t.Fatalf("scan = %+v, %v", s, err)
	}
	if got := scanContent(t, e.Archive, aud, pngScan); !bytes.Equal(got, image) {
		t.Error("the image reads back otherwise")
	}

	// Who may: archivists change, auditors read, a salesperson nothing.
	_, err = e.Archive.NewScanUpload(alice)
	checkKind(t, "alice adds", err, va.Forbidden)
	_, err = e.Archive.ListScans(alice, va.ScanFilter{})
	checkKind(t, "alice lists", err, va.Forbidden)
	_, err = e.Archive.GetScan(alice, pdfScan)
	checkKind(t, "alice reads", err, va.Forbidden)
	_, err = e.Archive.FileScan(alice, pdfScan, r1.ID)
	checkKind(t, "alice files", err, va.Forbidden)
	_, err = e.Archive.NewScanUpload(aud)
	checkKind(t, "aud adds", err, va.Forbidden)
	_, err = e.Archive.DiscardScan(aud, pngScan, "no")
	checkKind(t, "aud discards", err, va.Forbidden)
	_, err = e.Archive.GetScan(ann, "S-nothing")
	checkKind(t, "a scan that is not", err, va.NotFound)
	approved := approvedRecords(t, e, ctx, 1)[0]
	_, err = e.Archive.FileScan(ann, pdfScan, approved.ID)
	checkKind(t, "filing to a record not archived", err, va.Conflict) // the archivist files to archived records only

	filed, err := e.Archive.FileScan(ann, pdfScan, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if filed.State != va.ScanFiled || filed.Filed == nil || filed.Filed.Record != r1.ID || filed.Filed.By != "ann" {
		t.Fatalf("filed = %+v", filed)
	}
	atts, err := e.Archive.Attachments(ann, r1.ID)
	if err != nil || len(atts) != 1 || atts[0].ID != filed.Filed.Attachment || !atts[0].Scanned || atts[0].Name != "form.pdf" || atts[0].SHA256 != sha(plain) {
		t.Fatalf("attachments = %+v, %v", atts, err)
	}
	if got := attachmentContent(t, e.Archive, ann, r1.ID, atts[0].ID); !bytes.Equal(got, plain) {
		t.Error("the attachment differs from the scan")
	}
	head, _ := e.Journal.Head(t.Context())
	if again, err := e.Archive.FileScan(ann, pdfScan, r1.ID); err != nil || again.Version != filed.Version {
		t.Errorf("filing again = %+v, %v", again, err)
	}
	_, err = e.Archive.FileScan(ann, pdfScan, r2.ID)
	checkKind(t, "filing elsewhere", err, va.Conflict)
	_, err = e.Archive.DiscardScan(ann, pdfScan, "wrong")
	checkKind(t, "discarding a filed scan", err, va.Conflict)
	if after, _ := e.Journal.Head(t.Context()); after != head {
		t.Errorf("the refused moves wrote %d entries", after-head)
	}

	_, err = e.Archive.DiscardScan(ann, pngScan, "")
	checkKind(t, "a discard without a reason", err, va.Invalid)
	gone, err := e.Archive.DiscardScan(ann, pngScan, "a photo of the office, not a form")
	if err != nil || gone.State != va.ScanDiscarded || gone.Discarded.By != "ann" || gone.Discarded.Reason != "a photo of the office, not a form" {
		t.Fatalf("discarded = %+v, %v", gone, err)
	}
	entries, err := e.Archive.JournalEntries(as(t, "root"), head, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		for _, c := range en.Changes {
			actions = append(actions, string(c.Actor)+" "+c.Action+" "+c.Key)
		}
	}
	if want := []string{"ann scan.discard " + va.ScanKey(pngScan, 2)}; !slices.Equal(actions, want) {
		t.Errorf("journal = %q, want %q", actions, want)
	}
	_, err = e.Archive.FileScan(ann, pngScan, r2.ID)
	checkKind(t, "filing a discarded scan", err, va.Conflict)

	for state, want := range map[va.ScanState][]va.ScanID{
		"": nil, va.ScanFiled: {pdfScan}, va.ScanDiscarded: {pngScan}, va.ScanAll: {pdfScan, pngScan},
	} {
		var got []va.ScanID
		for _, s := range listScans(t, e.Archive, aud, va.ScanFilter{State: state}) {
			got = append(got, s.ID)
		}
		slices.Sort(got) // the clock stands still: both were added at once
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("state %q lists %v, want %v", state, got, want)
		}
	}
	// The content reads are in the access log.
	events, err := e.Archive.AccessLog(aud, va.AccessFilter{User: "aud"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Action != va.ActionScanRead || events[0].Scan != pngScan {
		t.Errorf("access log of aud = %+v", events)
	}
	// After a restart, as before.
	e.Close(t)
	e.Open(t, true)
	if s, err := e.Archive.GetScan(aud, pdfScan); err != nil || s.State != va.ScanFiled || s.Name != "form.pdf" {
		t.Errorf("after a restart: %+v, %v", s, err)
	}
}

// crashAt is a journal whose process dies at the first append with a
// change of the given action: the append panics, so that nothing after it
// runs.
type crashAt struct {
	va.Journal
	action string
}

func (j *crashAt) Append(ctx context.Context, changes ...va.Change) (uint64, error) {
	for _, c := range changes {
		if c.Action == j.action {
			panic("killed")
		}
	}
	return j.Journal.Append(ctx, changes...)
}

// TestFileScanCrash: a process killed while filing a scan, before or
// after the record's attachment is journaled, neither loses the scan nor
// files it twice: filing again makes the one attachment, or finds it.
func TestFileScanCrash(t *testing.T) {
	scantest.NeedPoppler(t)
	for _, action := range []string{va.ActionAttach, va.ActionScanFile} {
		t.Run(action, func(t *testing.T) {
			e := unopened(t)
			ctx, r1, _, _ := startScans(t, e)
			ann := ctx["ann"]
			rep, err := upload(t, e.Archive, ann, "form.pdf", string(scantest.PDF(t, scantest.Text("crash me"))))
			if err != nil {
				t.Fatal(err)
			}
			id := rep.Batches[0].Parts[0].Scans[0]

			crashing := va.New(va.Config{Store: e.Store, Journal: &crashAt{Journal: e.Journal, action: action}, Policy: testenv.Policy(t),
				Keys: e.Keyring(t), Passwords: testenv.Hasher(t), Files: filecrypt.Sealer{}, Now: e.Clock.Now})
			if err := crashing.Open(t.Context()); err != nil {
				t.Fatal(err)
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("filing ran past its crash")
					}
				}()
				crashing.FileScan(ann, id, r1.ID)
			}()

			e.Close(t)
			e.Open(t, true)
			s, err := e.Archive.GetScan(ann, id)
			if err != nil {
				t.Fatal(err)
			}
			if wantFiled := action == va.ActionScanFile; (s.State == va.ScanFiled) != wantFiled {
				t.Errorf("after the crash the scan is %s", s.State)
			}
			filed, err := e.Archive.FileScan(ann, id, r1.ID)
			if err != nil || filed.State != va.ScanFiled {
				t.Fatalf("filing again = %+v, %v", filed, err)
			}
			atts, err := e.Archive.Attachments(ann, r1.ID)
			if err != nil || len(atts) != 1 || atts[0].ID != filed.Filed.Attachment {
				t.Fatalf("attachments of the record = %+v, %v; want one, %s", atts, err, filed.Filed.Attachment)
			}
			if again, err := e.Archive.FileScan(ann, id, r1.ID); err != nil || again.Filed.Attachment != filed.Filed.Attachment {
				t.Errorf("a third time = %+v, %v", again, err)
			}
		})
	}
}

// TestScanUploadCutShort: an upload whose file ends early or passes the
// caller's limit leaves nothing in the store.
func TestScanUploadCutShort(t *testing.T) {
	scantest.NeedPoppler(t)
	e := unopened(t)
	ctx, _, _, tmp := startScans(t, e)
	ann := ctx["ann"]
	before := storeKeys(t, e)
	pdf := scantest.PDF(t, scantest.Text("cut short"))
	for _, c := range []struct {
		mt   string
		r    io.Reader
		want va.Kind
	}{
		{va.MediaPDF, &failingReader{n: len(pdf) / 2, err: io.ErrUnexpectedEOF}, va.BadRequest},
		{va.MediaPNG, &failingReader{n: 100_000, err: io.ErrUnexpectedEOF}, va.BadRequest},
		{va.MediaPDF, &failingReader{n: 10, err: va.E("test", va.TooLarge, nil, "over the limit")}, va.TooLarge},
		{va.MediaPNG, strings.NewReader(""), va.BadRequest},
		{"text/plain", strings.NewReader("not a scan"), va.Unsupported},
	} {
		u, err := e.Archive.NewScanUpload(ann)
		if err != nil {
			t.Fatal(err)
		}
		err = u.Add(ann, "x", c.mt, c.r)
		checkKind(t, c.mt, err, c.want)
		u.Abort(ann)
	}
	if after := storeKeys(t, e); !slices.Equal(after, before) {
		t.Errorf("the store went from %d to %d objects", len(before), len(after))
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the splitter left %d files behind", len(left))
	}
}

// storeKeys lists the keys of e's store, but the journal's.
func storeKeys(t *testing.T, e *env) []string {
	t.Helper()
	var keys []string
	for info, err := range e.Store.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(info.Key, "journal/") && !strings.HasPrefix(info.Key, "checkpoints/") {
			keys = append(keys, info.Key)
		}
	}
	return keys
}
