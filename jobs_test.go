package visitarchive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index/extract"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// Planted in the files whose text is extracted: none may reach a file
// under the data directory in clear, nor be found as a word.
const (
	textPhone  = "13987654321"
	textEmail  = "wang.wei@example.com"
	textPhrase = "上海长江数据中心有限公司" // 12 Han characters, in bilingual.pdf's text layer
)

// contactPDF is a PDF whose text layer holds an English word (cooling),
// a model number, a phone number and an e-mail address.
func contactPDF() []byte {
	return testenv.TextPDF("Contact Wang Wei, mobile " + textPhone + ", e-mail " + textEmail + ". Cooling unit HX-7710, maintenance quotation.")
}

// startExtraction runs an Extraction of e's Archive with x until the test
// ends.
func startExtraction(t *testing.T, a *va.Archive, x va.TextExtractor, workers int) *va.Extraction {
	t.Helper()
	ex := a.NewExtraction(va.ExtractionConfig{Extractor: x, Workers: workers, Poll: 100 * time.Millisecond})
	ex.Start(t.Context())
	t.Cleanup(ex.Stop)
	return ex
}

// waitJobs waits until the jobs of atts have finished and returns them.
func waitJobs(t *testing.T, a *va.Archive, ctx context.Context, atts ...*va.Attachment) []*va.Job {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var jobs []*va.Job
		for _, att := range atts {
			j, err := a.Job(ctx, att.Text.Job)
			if err != nil {
				t.Fatalf("job of %s: %v", att.Name, err)
			}
			if j.Finished() {
				jobs = append(jobs, j)
			}
		}
		if len(jobs) == len(atts) {
			return jobs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs finished after 3 minutes", len(jobs), len(atts))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func search(t *testing.T, a *va.Archive, ctx context.Context, q va.SearchQuery) *va.SearchResult {
	t.Helper()
	res, err := a.Search(ctx, q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

func hitIDs(res *va.SearchResult) []va.RecordID {
	var ids []va.RecordID
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// TestExtractedTextIsFound: the text of a scanned form (OCR) and of PDF
// text layers is extracted through the jobs, found by search as the
// record's own text is, shown with the file it came from to whoever may
// read the record and to nobody else, never held in clear under the data
// directory, and found again after a rebuild of the index.
func TestExtractedTextIsFound(t *testing.T) {
	x, _ := testenv.Extractor(t, extract.Limits{})
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := people(t, e)
		alice := ctx["alice"]
		bob := addUser(t, e, va.User{Name: "bob", Department: "sales2", Roles: []va.Role{va.RoleEmployee}})
		r := mustCreate(t, e.Archive, alice, record("C1", "讨论储能柜的报价", 1))
		u, err := e.Archive.NewUpload(alice, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var atts []*va.Attachment
		for _, f := range []struct {
			name, mt string
			body     []byte
		}{
			{"扫描件.png", "image/png", testenv.ExtractTestdata(t, "paragraph.png")},
			{"contact.pdf", "application/pdf", contactPDF()},
			{"bilingual.pdf", "application/pdf", testenv.ExtractTestdata(t, "bilingual.pdf")},
		} {
			att, err := u.Add(alice, f.name, f.mt, bytes.NewReader(f.body))
			if err != nil {
				t.Fatal(err)
			}
			atts = append(atts, att)
		}
		if _, err := u.Commit(alice); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		startExtraction(t, e.Archive, x, 2)
		jobs := waitJobs(t, e.Archive, alice, atts...)
		t.Logf("3 files, 4 pages, 1 of them OCR, extracted through the queue in %v", time.Since(start).Round(time.Millisecond))
		for i, want := range []struct {
			pages  int
			method string
		}{{1, "ocr"}, {1, "text-layer"}, {2, "text-layer"}} {
			j := jobs[i]
			if j.State != va.TextDone || j.Pages != want.pages || j.PagesDone != want.pages || j.Method != want.method || j.Attempts != 1 {
				t.Errorf("job of %s: %+v, want done, %d pages by %s", atts[i].Name, j, want.pages, want.method)
			}
		}
		list, err := e.Archive.Attachments(alice, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, att := range list {
			if att.Text.State != va.TextDone || att.Text.PagesDone == 0 || att.Text.PagesDone != att.Text.Pages {
				t.Errorf("%s: text %+v, want done with its pages", att.Name, att.Text)
			}
		}

		wantFound(t, e.Archive, alice, r.ID)
		// Whoever may not read the record finds nothing, not even its job.
		for _, q := range []string{"散热问题", "HX-7710", "cooling"} {
			if res := search(t, e.Archive, bob, va.SearchQuery{Text: q}); res.Total != 0 {
				t.Errorf("bob finds %q: %v", q, hitIDs(res))
			}
		}
		if _, err := e.Archive.Job(bob, atts[0].Text.Job); !va.IsKind(err, va.NotFound) {
			t.Errorf("bob reads the job: %v, want NotFound", err)
		}
		// A contact detail is found by an exact lookup only.
		for _, q := range []va.SearchQuery{{ContactPhone: textPhone}, {ContactEmail: textEmail}} {
			if got := searchIDs(t, e.Archive, q); !slices.Equal(got, []va.RecordID{r.ID}) {
				t.Errorf("lookup %+v: %v, want the record", q, got)
			}
		}
		noneInClear(t, e)
		if rep, err := journal.Verify(t.Context(), e.Store, nil); err != nil || !rep.OK() {
			t.Errorf("verify: %v %v", err, rep.Problems)
		}

		// Rebuilt by Reindex, and by Open from an empty index.
		if err := e.Archive.Reindex(as(t, "root"), nil); err != nil {
			t.Fatal(err)
		}
		wantFound(t, e.Archive, alice, r.ID)
		e.Close(t)
		if err := os.RemoveAll(filepath.Join(e.Dir, "index")); err != nil {
			t.Fatal(err)
		}
		e.Open(t, true)
		wantFound(t, e.Archive, principal(t, e, "alice"), r.ID)
	})
}

// wantFound checks what the text of the files of record rid finds, and
// what it shows.
func wantFound(t *testing.T, a *va.Archive, ctx context.Context, rid va.RecordID) {
	t.Helper()
	for _, c := range []struct {
		q, file, mark string
	}{
		{"散热问题", "扫描件.png", "<mark>散热问题</mark>"}, // only in the scanned form
		{"cooling", "contact.pdf", "<mark>Cooling</mark>"},
		{"HX-7710", "contact.pdf", "<mark>HX-7710</mark>"},
		{"长江数据中心", "bilingual.pdf", "<mark>长江数据中心</mark>"},
		{"讨论 散热问题", "扫描件.png", "<mark>散热问题</mark>"}, // one word in the record, one in a file
	} {
		res := search(t, a, ctx, va.SearchQuery{Text: c.q})
		if len(res.Hits) != 1 || res.Hits[0].ID != rid {
			t.Errorf("%q finds %v, want %s", c.q, hitIDs(res), rid)
			continue
		}
		h := res.Hits[0]
		frags := h.Fragments[va.FragmentFiles]
		if h.Attachment == nil || h.Attachment.Name != c.file || h.Attachment.Page != 1 || len(frags) != 1 || !strings.Contains(frags[0], c.mark) {
			t.Errorf("%q: attachment %+v, fragments %q; want %s, page 1, %s", c.q, h.Attachment, frags, c.file, c.mark)
		}
	}
	// A word that shares one character pair, or the contact details, find
	// nothing.
	for _, q := range []string{"散热风扇", "HX-7711", textPhone, textEmail, "wang.wei"} {
		if res := search(t, a, ctx, va.SearchQuery{Text: q}); res.Total != 0 {
			t.Errorf("%q finds %v, want nothing", q, hitIDs(res))
		}
	}
}

// noneInClear checks that the planted phone number, e-mail address and
// phrase are in no file under the data directory (the disk store, the
// index, the key file) and in no object of the store, whichever it is.
func noneInClear(t *testing.T, e *env) {
	t.Helper()
	planted := []string{textPhone, textEmail, textPhrase}
	check := func(where string, b []byte) {
		for _, p := range planted {
			if bytes.Contains(b, []byte(p)) {
				t.Errorf("%q in clear in %s", p, where)
			}
		}
	}
	err := filepath.WalkDir(e.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil {
			check(path, b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for info, err := range e.Store.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		rc, _, err := e.Store.Get(t.Context(), info.Key)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		check("object "+info.Key, b)
	}
}

// addUser creates u and returns a context that acts for u.
func addUser(t *testing.T, e *env, u va.User) context.Context {
	t.Helper()
	got, err := e.Archive.Accounts().CreateUser(as(t, "root"), u)
	if err != nil {
		t.Fatal(err)
	}
	return va.WithPrincipal(t.Context(), va.PrincipalOf(got))
}

// principal returns a context that acts for user name of e's Archive as
// it is now (after a restart).
func principal(t *testing.T, e *env, name va.UserName) context.Context {
	t.Helper()
	u, err := e.Archive.Accounts().GetUser(as(t, "root"), name)
	if err != nil {
		t.Fatal(err)
	}
	return va.WithPrincipal(t.Context(), va.PrincipalOf(u))
}

// countingExtractor counts the extractions of each content.
type countingExtractor struct {
	va.TextExtractor
	mu sync.Mutex
	n  map[[32]byte]int
}

func (c *countingExtractor) Extract(ctx context.Context, mediaType string, r io.Reader, progress func(done, total int)) (va.ExtractResult, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return va.ExtractResult{}, err
	}
	c.mu.Lock()
	if c.n == nil {
		c.n = map[[32]byte]int{}
	}
	c.n[sha256.Sum256(b)]++
	c.mu.Unlock()
	return c.TextExtractor.Extract(ctx, mediaType, bytes.NewReader(b), progress)
}

func (c *countingExtractor) counts() map[[32]byte]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// uploadTexts attaches n text files to a new record of alice's and
// returns them.
func uploadTexts(t *testing.T, e *env, alice context.Context, n int) (*va.Record, []*va.Attachment) {
	t.Helper()
	r := mustCreate(t, e.Archive, alice, record("C1", "附件", 2))
	var atts []*va.Attachment
	for i := range n {
		body := strings.Repeat("第"+[]string{"一", "二", "三", "四", "五", "六", "七", "八"}[i]+"份文件 ", 10)
		atts = append(atts, attach(t, e.Archive, alice, r.ID, "f.txt", "text/plain; charset=utf-8", []byte(body)))
	}
	return r, atts
}

// TestExtractionResumes: a restart finds a job still queued and one that
// a process which died left running; it runs both, each once, the second
// once its lease has passed.
func TestExtractionResumes(t *testing.T) {
	x, _ := testenv.Extractor(t, extract.Limits{})
	e := newEnv(t)
	ctx := people(t, e)
	r, atts := uploadTexts(t, e, ctx["alice"], 2)
	const lease = time.Minute
	if err := e.Archive.PlantRunningJob(t.Context(), atts[1].Text.Job, "a process that died", lease); err != nil {
		t.Fatal(err)
	}
	e.Close(t)
	e.Clock.Set(time.Now().Add(lease + time.Second))
	e.Open(t, true)
	alice := principal(t, e, "alice")
	if j, err := e.Archive.Job(alice, atts[1].Text.Job); err != nil || j.State != va.TextRunning || j.Attempts != 1 {
		t.Fatalf("the planted job: %+v %v, want running", j, err)
	}
	c := &countingExtractor{TextExtractor: x}
	startExtraction(t, e.Archive, c, 2)
	jobs := waitJobs(t, e.Archive, alice, atts...)
	for i, want := range []int{1, 2} {
		if j := jobs[i]; j.State != va.TextDone || j.Attempts != want {
			t.Errorf("job %d: %+v, want done after %d attempts", i, j, want)
		}
	}
	// Let a few more polls go by: nothing runs again.
	time.Sleep(300 * time.Millisecond)
	counts := c.counts()
	if len(counts) != 2 {
		t.Errorf("%d files extracted, want 2", len(counts))
	}
	for _, n := range counts {
		if n != 1 {
			t.Errorf("a file was extracted %d times, want once", n)
		}
	}
	for _, q := range []string{"第一份文件", "第二份文件"} {
		if got := searchIDs(t, e.Archive, va.SearchQuery{Text: q}); len(got) != 1 {
			t.Errorf("%q finds %v", q, got)
		}
	}
	// With the record's data key goes the text of its files, from the
	// index too.
	if ok, err := e.Archive.DestroyRecordKey(as(t, "root"), r.ID); !ok || err != nil {
		t.Fatalf("destroy: %v %v", ok, err)
	}
	if got := searchIDs(t, e.Archive, va.SearchQuery{Text: "第一份文件"}); len(got) != 0 {
		t.Errorf("after the key's destruction the text still finds %v", got)
	}
}

// TestNoJobRunsTwice: two processes over one store, each with a pool of
// workers, run every job of the queue exactly once between them.
func TestNoJobRunsTwice(t *testing.T) {
	x, _ := testenv.Extractor(t, extract.Limits{})
	e := newEnv(t)
	ctx := people(t, e)
	// The second process: the same store, no index (the first holds it).
	other := &testenv.Env{Dir: e.Dir, Clock: e.Clock, Logs: e.Logs}
	other.Open(t, false)
	c := &countingExtractor{TextExtractor: x}
	startExtraction(t, e.Archive, c, 2)
	startExtraction(t, other.Archive, c, 2)
	_, atts := uploadTexts(t, e, ctx["alice"], 8)
	waitJobs(t, e.Archive, ctx["alice"], atts...)
	time.Sleep(300 * time.Millisecond)
	counts := c.counts()
	if len(counts) != 8 {
		t.Errorf("%d files extracted, want 8", len(counts))
	}
	for _, n := range counts {
		if n != 1 {
			t.Errorf("a file was extracted %d times, want once", n)
		}
	}
}

var jobSpeed = flag.Bool("jobspeed", false, "measure extraction through the job queue (TestExtractionSpeed)")

// TestExtractionSpeed measures extraction through the queue, upload to
// the last job done, with 1 and 2 workers: a 100-page text-layer PDF, and
// 6 scanned pages (PNG) for OCR.
//
//	go test . -run TestExtractionSpeed -v -jobspeed
func TestExtractionSpeed(t *testing.T) {
	if !*jobSpeed {
		t.Skip("run with -jobspeed")
	}
	x, _ := testenv.Extractor(t, extract.Limits{})
	pages := make([]string, 100)
	for i := range pages {
		pages[i] = fmt.Sprintf("Page %d of the maintenance contract for the HX-%d cooling units, quotation and site survey.", i+1, 7000+i)
	}
	textPDF := testenv.TextPDFPages(pages)
	png := testenv.ExtractTestdata(t, "paragraph.png")
	for _, workers := range []int{1, 2} {
		for _, c := range []struct {
			what  string
			files [][]byte
			mt    string
			pages int
		}{
			{"text layer, 100-page PDF", [][]byte{textPDF}, "application/pdf", 100},
			{"text layer, 2 × 100-page PDF", [][]byte{textPDF, textPDF}, "application/pdf", 200},
			{"OCR, 6 PNG pages", slices.Repeat([][]byte{png}, 6), "image/png", 6},
		} {
			e := newEnv(t)
			ctx := people(t, e)
			r := mustCreate(t, e.Archive, ctx["alice"], record("C1", "速度", 3))
			startExtraction(t, e.Archive, x, workers)
			start := time.Now()
			u, err := e.Archive.NewUpload(ctx["alice"], r.ID)
			if err != nil {
				t.Fatal(err)
			}
			var atts []*va.Attachment
			for _, f := range c.files {
				att, err := u.Add(ctx["alice"], "f", c.mt, bytes.NewReader(f))
				if err != nil {
					t.Fatal(err)
				}
				atts = append(atts, att)
			}
			if _, err := u.Commit(ctx["alice"]); err != nil {
				t.Fatal(err)
			}
			jobs := waitJobs(t, e.Archive, ctx["alice"], atts...)
			took := time.Since(start)
			n := 0
			for _, j := range jobs {
				n += j.PagesDone
			}
			if n != c.pages {
				t.Errorf("%s: %d pages done, want %d", c.what, n, c.pages)
			}
			t.Logf("%d worker(s), %-30s %6.1f pages/s (%v)", workers, c.what, float64(n)/took.Seconds(), took.Round(time.Millisecond))
		}
	}
}

// TestOCRUnavailable: without tesseract a scan is kept, its text marked
// unavailable, and the queue goes on to the next file.
func TestOCRUnavailable(t *testing.T) {
	_, real := testenv.Extractor(t, extract.Limits{})
	tools := *real.Tools
	tools.Tesseract, tools.Off = "", []string{"OCR is off: tesseract not found"}
	x := &extract.Extractor{Exe: real.Exe, Tools: &tools, TempDir: t.TempDir()}
	e := newEnv(t)
	ctx := people(t, e)
	r := mustCreate(t, e.Archive, ctx["alice"], record("C1", "扫描", 4))
	scan := attach(t, e.Archive, ctx["alice"], r.ID, "scan.png", "image/png", testenv.ExtractTestdata(t, "paragraph.png"))
	quote := attach(t, e.Archive, ctx["alice"], r.ID, "quote.pdf", "application/pdf", testenv.TextPDF("Quotation HX-7710"))
	startExtraction(t, e.Archive, extract.ForArchive(x), 1)
	jobs := waitJobs(t, e.Archive, ctx["alice"], scan, quote)
	if jobs[0].State != va.TextUnavailable || jobs[0].Reason != "OCR unavailable" || jobs[1].State != va.TextDone {
		t.Errorf("jobs %+v, want the scan unavailable (OCR unavailable) and the PDF done", jobs)
	}
	list, err := e.Archive.Attachments(ctx["alice"], r.ID)
	if err != nil || list[0].Text.State != va.TextUnavailable || list[0].Text.Reason != "OCR unavailable" {
		t.Errorf("list %+v %v", list, err)
	}
}
