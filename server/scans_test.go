package server

import (
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/scantest"
	"github.com/visitarchive/visitarchive/scan"
)

// scanServer is newWorkflowServer with a splitter (its private folders
// under tmp) and two records of alice's archived by ann.
func scanServer(t *testing.T, adjust ...func(*Config)) (ts *testServer, r1, r2 *visitarchive.Record, tmp string) {
	t.Helper()
	scantest.NeedPoppler(t)
	tmp = t.TempDir()
	clock := &testClock{now: at(t, "2026-03-10T09:00:00+08:00")}
	ts = newTestServerWith(t, func(c *visitarchive.Config) {
		c.Now = clock.Now
		c.Splitter = scan.Splitter{Options: scan.Options{TempDir: tmp}}
	}, adjust...)
	ts.createCustomer(customerJSON)
	archived := func() *visitarchive.Record {
		r := ts.approvedRecord(form(t, "acme", draftStart))
		return ts.moveRecord("ann", r, "archive", `{"paper_location":{"cabinet":"C1","shelf":"S2","box":"B3"}}`)
	}
	return ts, archived(), archived(), tmp
}

// uploadScans posts parts to /api/v1/scans as who.
func (ts *testServer) uploadScans(who string, parts ...filePart) *result {
	ts.t.Helper()
	body, ct := multipartBody(ts.t, parts...)
	return ts.callAs(who, "POST", "/api/v1/scans", body, "Content-Type", ct)
}

// batchOf is a scanned batch: a stray page, r1's cover sheet and two
// pages, the cover sheet of a record that does not exist and a page, r2's
// cover sheet and a page.
func batchOf(t *testing.T, r1, r2 visitarchive.RecordID) []byte {
	return scantest.PDF(t,
		scantest.Text("stray page"),
		scantest.Scanned(t, scantest.Cover(t, r1)),
		scantest.Text("first page of "+string(r1)),
		scantest.Text("second page of "+string(r1)),
		scantest.Scanned(t, scantest.Cover(t, "R01JD3XZZZZZZZZZZZZZZZZZZZ")),
		scantest.Text("page for nobody"),
		scantest.Scanned(t, scantest.Cover(t, r2)),
		scantest.Text("only page of "+string(r2)),
	)
}

// TestScanAPI: an archivist uploads a batch (split and filed, the rest in
// the inbox, the reasons in the language of the request), lists, reads
// and downloads the inbox, files one scan and discards the other; an
// auditor reads; a salesperson is refused everything.
func TestScanAPI(t *testing.T) {
	ts, r1, r2, tmp := scanServer(t)
	var rep scanReport
	ts.uploadScans("ann", file("批次 0412.pdf", batchOf(t, r1.ID, r2.ID)), file("photo.png", pngFile(t))).
		want(t, http.StatusCreated).decode(t, &rep)
	if len(rep.Batches) != 2 || rep.Batches[0].Name != "批次 0412.pdf" || rep.Batches[0].Pages != 8 || len(rep.Batches[0].Parts) != 4 {
		t.Fatalf("report = %+v", rep)
	}
	var got []string
	for _, p := range rep.Batches[0].Parts {
		got = append(got, string(p.Outcome)+" "+string(p.Record)+" "+p.Reason)
	}
	want := []string{"inbox  pages before the first cover sheet", "filed " + string(r1.ID) + " ",
		"inbox R01JD3XZZZZZZZZZZZZZZZZZZZ cover sheet names record R01JD3XZZZZZZZZZZZZZZZZZZZ, which does not exist", "filed " + string(r2.ID) + " "}
	if !slices.Equal(got, want) {
		t.Errorf("parts:\n got %q\nwant %q", got, want)
	}
	if p := rep.Batches[1].Parts; len(p) != 1 || p[0].Outcome != visitarchive.ScanOutcomeInbox || p[0].Reason != "" || len(p[0].Scans) != 1 {
		t.Errorf("the image = %+v", p)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the splitter left %d files behind", len(left))
	}
	// r1's scanned form, with its two pages.
	var list attachmentList
	ts.callAs("ann", "GET", attachmentsURL(r1.ID), "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Attachments) != 1 || !list.Attachments[0].Scanned || list.Attachments[0].Name != "批次 0412 p3-4.pdf" {
		t.Fatalf("attachments of r1 = %+v", list.Attachments)
	}
	pdf := ts.callAs("ann", "GET", attachmentsURL(r1.ID)+"/"+list.Attachments[0].ID, "").want(t, http.StatusOK).body
	if n := scantest.PageCount(t, pdf); n != 2 || !strings.Contains(scantest.PageText(t, pdf, 2), "second page of "+string(r1.ID)) {
		t.Errorf("r1's scanned form: %d pages", n)
	}

	// The inbox, in Chinese.
	var page scanPage
	ts.callAs("aud", "GET", "/api/v1/scans", "", "Accept-Language", "zh-CN").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 3 || len(page.Scans) != 3 {
		t.Fatalf("inbox = %+v", page)
	}
	reasons := map[string]bool{}
	for _, s := range page.Scans {
		reasons[s.Reason] = true
	}
	for _, r := range []string{"第一张封面之前的页面", "封面所指的记录 R01JD3XZZZZZZZZZZZZZZZZZZZ 不存在", ""} {
		if !reasons[r] {
			t.Errorf("no scan in the inbox says %q: %v", r, reasons)
		}
	}
	stray := rep.Batches[0].Parts[0].Scans[0]
	path := "/api/v1/scans/" + string(stray)
	var sc scanOut
	ts.callAs("ann", "GET", path, "").want(t, http.StatusOK).decode(t, &sc)
	if sc.ID != stray || sc.State != visitarchive.ScanInbox || sc.Name != "批次 0412 p1.pdf" || sc.Source.Batch != "批次 0412.pdf" ||
		!slices.Equal(sc.Source.Pages, []int{1}) || sc.Reason != "pages before the first cover sheet" {
		t.Errorf("scan = %+v", sc)
	}
	whole := ts.callAs("aud", "GET", path+"/content", "").want(t, http.StatusOK)
	if whole.header.Get("Content-Type") != "application/pdf" || hexSHA(whole.body) != sc.SHA256 ||
		!strings.Contains(whole.header.Get("Content-Disposition"), "filename*=UTF-8''%E6%89%B9%E6%AC%A1%200412%20p1.pdf") {
		t.Errorf("content: %v, %d bytes", whole.header, len(whole.body))
	}
	part := ts.callAs("aud", "GET", path+"/content", "", "Range", "bytes=0-9").want(t, http.StatusPartialContent)
	if string(part.body) != string(whole.body[:10]) || part.header.Get("Content-Range") != "bytes 0-9/"+strconv.Itoa(len(whole.body)) {
		t.Errorf("range: %q, %s", part.body, part.header.Get("Content-Range"))
	}
	var log accessLog
	ts.callAs("aud", "GET", "/api/v1/audit/access?user=aud", "").want(t, http.StatusOK).decode(t, &log)
	reads := 0
	for _, ev := range log.Events {
		if ev.Action == visitarchive.ActionScanRead && ev.Scan == stray {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("%d scan reads in the access log, want 2: %+v", reads, log.Events)
	}

	// A salesperson may do nothing; an auditor only read.
	for _, c := range []struct{ who, method, path, body string }{
		{"alice", "GET", "/api/v1/scans", ""},
		{"alice", "GET", path, ""},
		{"alice", "GET", path + "/content", ""},
		{"alice", "POST", path + "/file", `{"record":"` + string(r1.ID) + `"}`},
		{"alice", "POST", path + "/discard", `{"reason":"no"}`},
		{"aud", "POST", path + "/file", `{"record":"` + string(r1.ID) + `"}`},
		{"aud", "POST", path + "/discard", `{"reason":"no"}`},
	} {
		ts.callAs(c.who, c.method, c.path, c.body).wantError(t, http.StatusForbidden, "forbidden")
	}
	for _, who := range []string{"alice", "aud", "sam"} {
		ts.uploadScans(who, file("a.pdf", pdfFile())).wantError(t, http.StatusForbidden, "forbidden")
	}
	ts.callAs("ann", "GET", "/api/v1/scans/S-none", "").wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("ann", "GET", "/api/v1/scans?state=lost", "").wantError(t, http.StatusUnprocessableEntity, "invalid")

	// Filed to r2, then the other discarded.
	ts.callAs("ann", "POST", path+"/file", `{}`).wantError(t, http.StatusUnprocessableEntity, "invalid")
	ts.callAs("ann", "POST", path+"/file", `{"record":"`+string(r2.ID)+`","note":"x"}`).wantError(t, http.StatusBadRequest, "bad_request")
	ts.callAs("ann", "POST", path+"/file", `{"record":"`+string(r2.ID)+`"}`).want(t, http.StatusOK).decode(t, &sc)
	if sc.State != visitarchive.ScanFiled || sc.Filed.Record != r2.ID || sc.Filed.By != "ann" {
		t.Errorf("filed = %+v", sc)
	}
	ts.callAs("ann", "POST", path+"/file", `{"record":"`+string(r1.ID)+`"}`).wantError(t, http.StatusConflict, "conflict")
	ts.callAs("ann", "GET", attachmentsURL(r2.ID), "").want(t, http.StatusOK).decode(t, &list)
	if i := slices.IndexFunc(list.Attachments, func(a visitarchive.Attachment) bool { return a.ID == sc.Filed.Attachment }); len(list.Attachments) != 2 || i < 0 || !list.Attachments[i].Scanned {
		t.Errorf("attachments of r2 = %+v", list.Attachments)
	}
	other := "/api/v1/scans/" + string(rep.Batches[0].Parts[2].Scans[0])
	ts.callAs("ann", "POST", other+"/discard", `{"reason":""}`).wantError(t, http.StatusUnprocessableEntity, "invalid")
	ts.callAs("ann", "POST", other+"/discard", `{"reason":"the cover sheet of a record filed on paper only"}`).want(t, http.StatusOK).decode(t, &sc)
	if sc.State != visitarchive.ScanDiscarded || sc.Discarded.Reason != "the cover sheet of a record filed on paper only" {
		t.Errorf("discarded = %+v", sc)
	}
	ts.callAs("ann", "GET", "/api/v1/scans?state=all&size=2", "").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 3 || len(page.Scans) != 2 {
		t.Errorf("all, a page of 2: %+v", page)
	}
	ts.callAs("ann", "GET", "/api/v1/scans", "").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 1 {
		t.Errorf("the inbox holds %d scans, want the image", page.Total)
	}
}

// TestScanUploadRejects: an upload of scans is held to the limits and
// rules of one of attachments, and whatever it is refused for, nothing
// of it is kept and the connection closes.
func TestScanUploadRejects(t *testing.T) {
	ts, r1, r2, tmp := scanServer(t, func(c *Config) { c.Attachments = AttachmentLimits{MaxFile: 200_000, MaxRequest: 500_000} })
	batch := batchOf(t, r1.ID, r2.ID)
	big := append([]byte("%PDF-1.4\n"), make([]byte, 200_001)...)
	oneFile, oneCT := multipartBody(t, file("batch.pdf", batch))
	for _, tt := range []struct {
		name   string
		req    [2]string
		status int
		code   string
		inMsg  string
	}{
		{"a file over the limit", mp(t, file("batch.pdf", batch), file("big.pdf", big)), 413, "too_large", `"big.pdf" is larger than the limit`},
		{"a text file", mp(t, file("batch.pdf", batch), file("notes.txt", []byte("meeting notes\n"))), 415, "unsupported_media_type", "the scan inbox does not take"},
		{"an empty file", mp(t, file("batch.pdf", batch), file("empty.pdf", nil)), 400, "bad_request", `file "empty.pdf" is empty`},
		{"cut inside a file", [2]string{oneFile[:len(oneFile)/2], oneCT}, 400, "bad_request", "ended before the file did"},
		{"a PDF that is none", mp(t, file("batch.pdf", batch), file("broken.pdf", []byte("%PDF-1.4\nnot really a PDF"))), 422, "invalid", "not a PDF that can be read"},
		{"no file", mp(t), 400, "bad_request", "holds no file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.state()
			res := ts.callAs("ann", "POST", "/api/v1/scans", tt.req[0], "Content-Type", tt.req[1]).wantError(t, tt.status, tt.code)
			checkError(t, res, tt.code, tt.inMsg, nil)
			if !res.closed {
				t.Errorf("the connection stays open after a refused upload")
			}
			ts.unchanged(t, tt.name, before)
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the splitter left %d files behind", len(left))
			}
		})
	}
	txt := mp(t, file("notes.txt", []byte("meeting notes\n")))
	res := ts.callAs("ann", "POST", "/api/v1/scans", txt[0], "Content-Type", txt[1], "Accept-Language", "zh-CN")
	if e := res.apiError(t); !strings.Contains(e.Message, "扫描件收件箱不接受") {
		t.Errorf("Chinese message: %q", e.Message)
	}
}
