package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/visitarchive/visitarchive/server"
)

// An archivist's day with a record's paper, in the browser: she attaches
// a photo and a scanned PDF to an archived record on its page and sees
// them listed and the photo shown, prints the record's cover sheet (its
// QR code loads), moves the paper original, lends it out and takes it
// back; then the same pages in the other language. Every page passes
// axe-core and leaves a screenshot.
func TestBrowserFilesAndPaper(t *testing.T) {
	s, id := archivedSite(t)
	dir := t.TempDir()
	photo, scanned := filepath.Join(dir, "名片.png"), filepath.Join(dir, "visit-form.pdf")
	if err := os.WriteFile(photo, pngOf(t, 240, 160), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scanned, pdfOf("Visit form"), 0o644); err != nil {
		t.Fatal(err)
	}
	record, paper := "/records/"+string(id), "/paper/"+string(id)

	b := s.browser(t, "zh")
	b.signIn("arc", password)
	b.visit(record)
	b.do(chromedp.SetUploadFiles(chromedp.ID("file"), []string{photo, scanned}),
		chromedp.Click(chromedp.CSS("form.upload button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if p := b.path(); p != record {
		t.Errorf("after the upload: at %s, want %s", p, record)
	}
	if got := b.text("#files .files"); !strings.Contains(got, "名片.png") || !strings.Contains(got, "visit-form.pdf") ||
		!strings.Contains(got, "PNG 图片") || !strings.Contains(got, "PDF 文档") {
		t.Errorf("the files listed: %q", got)
	}
	b.loaded(".preview img")
	b.check("record-files")

	// The PDF opens in the page, from this server.
	b.do(chromedp.Click(chromedp.CSS("details.preview summary")), chromedp.WaitVisible(chromedp.CSS("details.preview iframe")))
	get(b, chromedp.Poll[bool](`(() => { const d = document.querySelector("details.preview iframe").contentDocument;
		return d !== null && d.contentType === "application/pdf"; })()`, chromedp.WithPollingTimeout(10*time.Second)))
	b.do(chromedp.Sleep(time.Second))
	b.screenshot("record-pdf")

	b.do(chromedp.Click(chromedp.CSS(`.actions a[href$="/cover"]`)), chromedp.WaitReady(chromedp.CSS("main.sheet")))
	b.loaded(".qr img")
	if got := b.text("main.sheet"); !strings.Contains(got, customerName) || !strings.Contains(got, string(id)) {
		t.Errorf("the cover sheet: %q", got)
	}
	b.check("cover-sheet")

	b.visit(record)
	b.do(chromedp.Click(chromedp.CSS(`.actions a[href="`+paper+`"]`)), chromedp.WaitVisible(chromedp.ID("move-title")))
	b.do(chromedp.SetValue(chromedp.ID("location-cabinet"), "B1"), chromedp.SetValue(chromedp.ID("location-shelf"), "4"),
		chromedp.SetValue(chromedp.ID("location-box"), "9"), chromedp.SendKeys(chromedp.ID("reason"), "旧柜已满"),
		chromedp.Submit(chromedp.ID("reason")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("main .summary"); !strings.Contains(got, "B1") || !strings.Contains(got, "在库") {
		t.Errorf("after the move: %q", got)
	}
	due := time.Now().In(s.Archive.Location()).AddDate(0, 0, 14).Format(time.DateOnly)
	b.do(chromedp.SendKeys(chromedp.ID("borrower"), "法务部 陈律师"), chromedp.SendKeys(chromedp.ID("purpose"), "合同纠纷取证"),
		chromedp.SetValue(chromedp.ID("due_at"), due), chromedp.Submit(chromedp.ID("purpose")),
		chromedp.WaitVisible(chromedp.ID("return-title")))
	if got := b.text("#open-title"); got == "" || !strings.Contains(b.text("main"), "法务部 陈律师") {
		t.Errorf("the loan is not shown: %q", got)
	}
	b.check("paper-on-loan")
	b.visit("/paper/loans")
	if got := b.text("tbody"); !strings.Contains(got, "法务部 陈律师") {
		t.Errorf("the loans out: %q", got)
	}
	b.check("paper-loans")
	b.visit(paper)
	b.do(chromedp.SendKeys(chromedp.ID("note"), "完好无损"), chromedp.Submit(chromedp.ID("note")),
		chromedp.WaitVisible(chromedp.ID("lend-title")))
	if got := b.text("#loans-title + .table-wrap"); !strings.Contains(got, "完好无损") {
		t.Errorf("the loan returned: %q", got)
	}
	b.check("paper-original")
	b.visit("/paper?cabinet=B1")
	if got := b.text("tbody"); !strings.Contains(got, customerName) {
		t.Errorf("cabinet B1: %q", got)
	}
	b.check("paper-list")

	// The same pages in English.
	e := s.browser(t, "en")
	e.signIn("arc", password)
	e.visit(record)
	e.loaded(".preview img")
	if got := e.text("#files-title"); got != "Attachments" {
		t.Errorf("the files' heading in English: %q", got)
	}
	e.check("record-files")
	e.visit(record + "/cover")
	e.loaded(".qr img")
	e.check("cover-sheet")
	for _, p := range []struct{ path, name string }{{paper, "paper-original"}, {"/paper/loans", "paper-loans"}, {"/paper", "paper-list"}} {
		e.visit(p.path)
		e.check(p.name)
	}
}

// loaded waits until the image sel selects is scrolled to and shown.
func (b *tab) loaded(sel string) {
	b.t.Helper()
	b.do(chromedp.ScrollIntoView(chromedp.CSS(sel)))
	ok := get(b, chromedp.Poll[bool](`(() => { const i = document.querySelector(`+"`"+sel+"`"+`);
		return i && i.complete && i.naturalWidth > 0; })()`, chromedp.WithPollingTimeout(10*time.Second)))
	if !ok {
		b.t.Errorf("the image %s did not load", sel)
	}
}

// A file over the limit is refused in the browser before it is sent: the
// reason is beside the input and the files chosen stay chosen.
func TestBrowserUploadTooLarge(t *testing.T) {
	s := newSiteWith(t, server.Config{Attachments: server.AttachmentLimits{MaxFile: 4 << 10, MaxRequest: 64 << 10}})
	big := filepath.Join(t.TempDir(), "大图.png")
	if err := os.WriteFile(big, pngOf(t, 45, 45), 0o644); err != nil {
		t.Fatal(err)
	}
	path := "/records/" + string(s.Records["draft"])
	b := s.browser(t, "zh")
	b.signIn("alice", password)
	b.visit(path)
	b.do(chromedp.SetUploadFiles(chromedp.ID("file"), []string{big}),
		chromedp.Click(chromedp.CSS("form.upload button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#file-error .field-error")))
	if got := b.text("#file-error"); !strings.Contains(got, "4 KiB") || !strings.Contains(got, "大图.png") {
		t.Errorf("beside the input: %q", got)
	}
	if n := get(b, chromedp.Evaluate[int](`document.getElementById("file").files.length`)); n != 1 || b.path() != path {
		t.Errorf("after the refusal: %d files chosen, at %s", n, b.path())
	}
	b.check("record-upload-refused")
}

// An archivist's scans in the browser: she uploads a photo and a PDF on
// the scan inbox's page and reads the report, opens the photo's page (it
// is shown) and the PDF's, and discards the PDF; an auditor reads the
// inbox. Every page passes axe-core and leaves a screenshot.
func TestBrowserScanInbox(t *testing.T) {
	s, _ := archivedSite(t)
	dir := t.TempDir()
	photo, scanned := filepath.Join(dir, "名片.png"), filepath.Join(dir, "batch.pdf")
	if err := os.WriteFile(photo, pngOf(t, 240, 160), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scanned, pdfOf("Batch"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := s.browser(t, "zh")
	b.signIn("arc", password)
	b.visit("/scans")
	b.check("scan-inbox-empty")
	b.do(chromedp.SetUploadFiles(chromedp.ID("file"), []string{photo, scanned}),
		chromedp.Click(chromedp.CSS("form.upload button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("report")))
	if got := b.text("#report"); !strings.Contains(got, "名片.png") || !strings.Contains(got, "batch.pdf") ||
		!strings.Contains(got, "已放入扫描件收件箱") {
		t.Errorf("the report: %q", got)
	}
	b.check("scan-upload-report")
	b.visit("/scans")
	b.check("scan-inbox")
	b.do(chromedp.Click(chromedp.CSS(`tbody a[href^="/scans/"]`)), chromedp.WaitVisible(chromedp.ID("file-title")))
	b.loaded(".preview img")
	b.check("scan-image")
	b.visit("/scans")
	b.do(chromedp.Click(chromedp.CSS(`tbody tr:nth-child(2) a[href^="/scans/"]`)), chromedp.WaitVisible(chromedp.ID("discard-title")))
	b.check("scan-pdf")
	b.do(chromedp.Submit(chromedp.ID("reason")), chromedp.WaitVisible(chromedp.CSS("#reason-error .field-error")))
	b.check("scan-discard-refused")
	b.do(chromedp.SendKeys(chromedp.ID("reason"), "重复扫描"), chromedp.Submit(chromedp.ID("reason")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("main .summary"); !strings.Contains(got, "重复扫描") {
		t.Errorf("after discarding: %q", got)
	}
	b.check("scan-discarded")

	e := s.browser(t, "en")
	e.signIn("aud", password)
	e.visit("/scans")
	if got := e.text("h1"); got != "Scan inbox" {
		t.Errorf("the inbox's heading in English: %q", got)
	}
	e.check("scan-inbox-auditor")
	e.visit("/scans?state=discarded")
	e.check("scan-discarded-list")
}
