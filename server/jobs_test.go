package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index/extract"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// jobOf reads the job id as who, which must succeed.
func (ts *testServer) jobOf(who, id string) visitarchive.Job {
	ts.t.Helper()
	var j visitarchive.Job
	ts.callAs(who, "GET", "/api/v1/jobs/"+id, "").want(ts.t, http.StatusOK).decode(ts.t, &j)
	return j
}

// waitJobs waits until the jobs of atts have finished, read through the
// API as alice, and returns them.
func (ts *testServer) waitJobs(atts []visitarchive.Attachment) []visitarchive.Job {
	ts.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var jobs []visitarchive.Job
		for _, att := range atts {
			if j := ts.jobOf("alice", att.Text.Job); j.Finished() {
				jobs = append(jobs, j)
			}
		}
		if len(jobs) == len(atts) {
			return jobs
		}
		if time.Now().After(deadline) {
			ts.t.Fatalf("%d of %d jobs finished after 3 minutes", len(jobs), len(atts))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestExtractionOnTheWire: an upload names each file's job; the jobs
// route and the attachment list show their states; a hostile PDF fails
// with its reason while the server goes on answering; the text of a
// scanned form is found by GET /search with the file it came from, by
// whoever may read the record only.
func TestExtractionOnTheWire(t *testing.T) {
	x, _ := testenv.Extractor(t, extract.Limits{Timeout: 20 * time.Second, MemoryBytes: 256 << 20})
	ts := newTestServer(t)
	rec := ts.draft()
	truncated := testenv.ExtractTestdata(t, "bilingual.pdf")
	truncated = truncated[:len(truncated)/20]
	atts := ts.uploaded("alice", rec.ID,
		file("扫描件.png", testenv.ExtractTestdata(t, "paragraph.png")),
		file("报价.pdf", testenv.TextPDF("Quotation for the HX-7710 cooling unit")),
		file("truncated.pdf", truncated),
		file("bomb.pdf", testenv.BombPDF(2<<30)),
		file("notes.xlsx", ooxmlFile(t, "xl")))
	for _, att := range atts {
		if att.Text.State != visitarchive.TextQueued || att.Text.Job == "" {
			t.Errorf("%s: text %+v, want a job queued", att.Name, att.Text)
		}
	}
	if j := ts.jobOf("alice", atts[0].Text.Job); j.State != visitarchive.TextQueued || j.Record != rec.ID || j.Attachment != atts[0].ID || j.Kind != visitarchive.JobExtractText {
		t.Errorf("job %+v, want queued, of the scan", j)
	}
	for _, who := range []string{"bob", "sue"} { // who may not read the record
		if d := ts.callAs(who, "GET", "/api/v1/jobs/"+atts[0].Text.Job, "").want(t, http.StatusNotFound).apiError(t); d.Message != "job "+atts[0].Text.Job+" not found" {
			t.Errorf("%s: %q", who, d.Message)
		}
	}
	ts.call("GET", "/api/v1/jobs/J404", "").want(t, http.StatusNotFound)

	ex := ts.Archive.NewExtraction(visitarchive.ExtractionConfig{Extractor: x, Workers: 2, Poll: 100 * time.Millisecond})
	ex.Start(t.Context())
	t.Cleanup(ex.Stop)
	jobs := ts.waitJobs(atts)
	ts.call("GET", "/healthz", "").want(t, http.StatusOK)
	for i, want := range []struct {
		state  visitarchive.TextState
		reason string
	}{
		{visitarchive.TextDone, ""},
		{visitarchive.TextDone, ""},
		{visitarchive.TextFailed, "text not extracted: "},
		{visitarchive.TextFailed, "needed more than 256 MiB of memory"},
		{visitarchive.TextUnavailable, "no text extraction for this type"},
	} {
		if j := jobs[i]; j.State != want.state || !strings.Contains(j.Reason, want.reason) {
			t.Errorf("%s: %s %q, want %s %q", atts[i].Name, j.State, j.Reason, want.state, want.reason)
		}
	}
	var list attachmentList
	ts.call("GET", attachmentsURL(rec.ID), "").want(t, http.StatusOK).decode(t, &list)
	for i, att := range list.Attachments {
		if att.Text.State != jobs[i].State || att.Text.Reason != jobs[i].Reason || att.Text.Job != jobs[i].ID || att.Text.PagesDone != jobs[i].PagesDone {
			t.Errorf("%s: text %+v, want that of its job %+v", att.Name, att.Text, jobs[i])
		}
	}

	var res visitarchive.SearchResult
	ts.call("GET", "/api/v1/search?q="+url.QueryEscape("散热问题"), "").want(t, http.StatusOK).decode(t, &res)
	if len(res.Hits) != 1 || res.Hits[0].ID != rec.ID {
		t.Fatalf("hits %+v, want the record", res.Hits)
	}
	h := res.Hits[0]
	if h.Attachment == nil || *h.Attachment != (visitarchive.HitAttachment{ID: atts[0].ID, Name: "扫描件.png", Page: 1}) ||
		len(h.Fragments["files"]) != 1 || !strings.Contains(h.Fragments["files"][0], "<mark>散热问题</mark>") {
		t.Errorf("hit %+v, want the scan's page 1 marked", h)
	}
	for _, who := range []string{"bob", "sue"} {
		ts.callAs(who, "GET", "/api/v1/search?q="+url.QueryEscape("散热问题"), "").want(t, http.StatusOK).decode(t, &res)
		if res.Total != 0 {
			t.Errorf("%s finds %+v", who, res.Hits)
		}
	}
}

// TestReadyzDetail: /readyz says what works only in part.
func TestReadyzDetail(t *testing.T) {
	const off = "OCR is off: tesseract not found (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
	ts := newTestServer(t, func(c *Config) { c.ReadyDetail = off })
	var st statusBody
	ts.call("GET", "/readyz", "", "Authorization", "-").want(t, http.StatusOK).decode(t, &st)
	if st.Status != "ready" || st.Detail != off {
		t.Errorf("readyz %+v", st)
	}
}
