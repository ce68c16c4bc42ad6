package visitarchive

import (
	"context"
	"io"
	"time"
)

// Job is a piece of background work kept in the store: today the
// extraction of the text of one attachment (JobExtractText), for search.
// Every committed attachment gets one, queued in the journal entry of its
// upload. A worker claims a queued job by writing its next version
// (running) create-only, so that of two workers exactly one gets it; it
// holds it while its lease lasts, renews the lease as it goes, and writes
// the last version (done, failed or unavailable) with the text it got.
// A job whose worker died is claimed again once its lease has passed.
type Job struct {
	ID         string    `json:"id"`      // assigned at the upload (NewID "J")
	Version    int       `json:"version"` // 1 when queued, one more per change
	Kind       string    `json:"kind"`    // JobExtractText
	Record     RecordID  `json:"record"`
	Attachment string    `json:"attachment"`
	State      TextState `json:"state"`
	// Reason says why the job failed or is unavailable, and for a done
	// job what was left out ("only the first 500 of 800 pages were
	// read"); for a queued job that failed before, why it waits.
	Reason string `json:"reason,omitempty"`
	// Method is how the text was got: text-layer, pdftotext, ocr, plain.
	Method    string `json:"method,omitempty"`
	Pages     int    `json:"pages,omitempty"`      // pages of the file, once known
	PagesDone int    `json:"pages_done,omitempty"` // pages whose text is final
	// Attempts counts the runs that began; a run cut short by a shutdown
	// does not count, one whose process died does.
	Attempts  int       `json:"attempts"`
	CreatedBy UserName  `json:"created_by"` // who uploaded the file
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// JobExtractText is the kind of the job that extracts an attachment's
// text.
const JobExtractText = "extract-text"

// Finished reports whether the job has reached its last state.
func (j *Job) Finished() bool {
	return j.State == TextDone || j.State == TextFailed || j.State == TextUnavailable
}

// storedJob is a version of a job as stored: the job, and who holds it
// while it runs.
type storedJob struct {
	Job
	// Owner names the worker that holds a running job; Lease is when it
	// stops holding it unless it writes a new version first.
	Owner string    `json:"owner,omitempty"`
	Lease time.Time `json:"lease,omitzero"`
	// NotBefore is when a job that failed for a passing reason (the
	// store did not answer) may be tried again.
	NotBefore time.Time `json:"not_before,omitzero"`
}

// TextExtractor gets the text out of the content of a file: the text
// layers of PDFs, OCR of images and scanned pages, plain text. Package
// index/extract implements it, starting a limited child process or tool
// for every parser, so that a hostile file cannot hang or exhaust the
// server.
type TextExtractor interface {
	// Extract reads r, content of mediaType (as Attachment.MediaType
	// has it), and returns its text page by page. progress, when not
	// nil, is called with the pages done and the pages found as they
	// are done. A file that cannot be read, however hostile, is a result
	// with State TextFailed and a Reason; one of a type or needing a tool
	// that is not there, TextUnavailable ("OCR unavailable"). The error
	// is for ctx ending (its error) and for failures of this machine (a
	// temporary file that cannot be written).
	Extract(ctx context.Context, mediaType string, r io.Reader, progress func(done, total int)) (ExtractResult, error)
}

// ExtractResult is the text of one file.
type ExtractResult struct {
	State  TextState // TextDone, TextFailed or TextUnavailable
	Reason string    // why it failed or is unavailable; what a done one left out
	Method string    // how the text was got: text-layer, pdftotext, ocr, plain
	Pages  []string  // the text of each page, "" for a page without text
}
