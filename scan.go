package visitarchive

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"time"
)

// Scan is a scanned PDF or image in the scan inbox: a file that belongs
// to no record yet, such as the pages before the first cover sheet of a
// scanned batch, a part whose cover sheet names no record, or a scan
// uploaded on its own. The archivist files it to a record, where it
// becomes the record's scanned form (an Attachment with Scanned set), or
// discards it with a reason. Its content is stored encrypted under a key
// derived from a data key of the scan's own (see FileSealer), its name,
// hash and batch sealed under that key; it is never changed or removed.
// A change of its state is a new version.
type Scan struct {
	ID      ScanID `json:"id"`      // assigned by the server (NewID "S")
	Version int    `json:"version"` // 1 when added; each change of state adds one
	// Name is the file's name: the uploader's, or for a part of a batch
	// the batch's with its pages ("batch p3-4.pdf").
	Name      string    `json:"name"`
	Size      int64     `json:"size"`       // bytes of the original
	MediaType string    `json:"media_type"` // detected from the content: PDF, JPEG, PNG or TIFF
	SHA256    string    `json:"sha256"`     // lower-case hex of the original bytes
	AddedBy   UserName  `json:"added_by"`
	AddedAt   time.Time `json:"added_at"`
	// Source says how the scan came in.
	Source ScanSource `json:"source"`
	// Reason says why it is in the inbox rather than filed, as the
	// splitting of its batch found ("pages before the first cover
	// sheet"); empty (no Format) for a scan uploaded on its own. A
	// Message: the edges say it in the reader's language.
	Reason Message   `json:"-"`
	State  ScanState `json:"state"`
	// Filed says where the scan went (State ScanFiled).
	Filed *ScanFiling `json:"filed,omitempty"`
	// Discarded says who discarded it and why (State ScanDiscarded).
	Discarded *ScanDiscard `json:"discarded,omitempty"`
}

// ScanID identifies a scan, such as "S01JD3X9K2M4N6P8Q0S2T4V6W8".
type ScanID string

// ScanState is where a scan stands.
type ScanState string

// The states of a scan. A scan is added to the inbox and leaves it once,
// filed or discarded.
const (
	ScanInbox     ScanState = "inbox"
	ScanFiled     ScanState = "filed"
	ScanDiscarded ScanState = "discarded"
)

// ScanStates are the states, in the order of a scan's life.
var ScanStates = []ScanState{ScanInbox, ScanFiled, ScanDiscarded}

// ScanVia is how scans came in.
type ScanVia string

// The ways in.
const (
	ScanViaUpload = ScanVia("upload")       // POST /api/v1/scans, or the pages
	ScanViaImport = ScanVia("import-scans") // the command that files a folder
)

// ScanSource says where a scan came from: the way in, and for a part of a
// batch split at its cover sheets, the batch, its pages and the cover
// sheet before them.
type ScanSource struct {
	Via ScanVia `json:"via"`
	// Batch is the name of the file or folder that the scan was a part
	// of; "" for a file that was not split.
	Batch string `json:"batch,omitempty"`
	// Pages are the scan's page numbers in the batch, from 1.
	Pages []int `json:"pages,omitempty"`
	// Cover is the page number of the cover sheet before them, and
	// Record the record that it names; 0 and "" when none.
	Cover  int      `json:"cover,omitempty"`
	Record RecordID `json:"record,omitempty"`
}

// ScanFiling is the filing of a scan to a record: as which attachment,
// by whom and when.
type ScanFiling struct {
	Record     RecordID  `json:"record"`
	Attachment string    `json:"attachment"`
	By         UserName  `json:"by"`
	At         time.Time `json:"at"`
}

// ScanDiscard is the discarding of a scan: by whom, when and why.
type ScanDiscard struct {
	By     UserName  `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// ScanMediaTypes are the media types a scan may have; anything else is
// Unsupported.
var ScanMediaTypes = []string{MediaPDF, MediaJPEG, MediaPNG, MediaTIFF}

// scanMediaType returns the media type of a scan whose content was
// detected as detected, and false when the inbox does not take it.
func scanMediaType(detected string) (string, bool) {
	mt, ok := AttachmentMediaType(detected, "")
	return mt, ok && contains(ScanMediaTypes, mt)
}

// maxDiscardReason is the longest reason of a discard, in characters.
const maxDiscardReason = 500

// ScanFilter selects scans for ListScans.
type ScanFilter struct {
	// State is the state of the scans listed: "" is ScanInbox, and
	// ScanAll lists every scan.
	State ScanState
	Page  int // from 1 (0: 1)
	Size  int // 0: DefaultPageSize, at most MaxPageSize
}

// ScanAll lists scans in every state (ScanFilter.State).
const ScanAll ScanState = "all"

// ScanPage is a page of scans, oldest first.
type ScanPage struct {
	Total int    `json:"total"`
	Page  int    `json:"page"`
	Size  int    `json:"size"`
	Scans []Scan `json:"scans"`
}

// ScanReport says what became of the files that a ScanUpload took: one
// ScanBatchReport for each file or folder of pages, in the order added.
type ScanReport struct {
	Batches []ScanBatchReport `json:"batches"`
}

// ScanBatchReport says what became of one file or folder of pages: the
// parts it was split into at its cover sheets, or one part for a file
// that was not split.
type ScanBatchReport struct {
	Name  string           `json:"name"`
	Pages int              `json:"pages,omitempty"` // 0 when it was not split (an image)
	Parts []ScanPartReport `json:"parts"`
}

// ScanOutcome is what became of a part of a batch.
type ScanOutcome string

// The outcomes of a part.
const (
	// ScanOutcomeFiled: filed to the record its cover sheet names, as
	// scanned attachments.
	ScanOutcomeFiled ScanOutcome = "filed"
	// ScanOutcomeInbox: in the scan inbox, with the part's Reason.
	ScanOutcomeInbox ScanOutcome = "inbox"
	// ScanOutcomeEmpty: nothing to keep (a cover sheet with no pages
	// after it), with the Reason.
	ScanOutcomeEmpty ScanOutcome = "empty"
)

// ScanPartReport says what became of one part of a batch.
type ScanPartReport struct {
	Pages   []int       `json:"pages,omitempty"`  // of the batch, from 1
	Cover   int         `json:"cover,omitempty"`  // the page of its cover sheet
	Record  RecordID    `json:"record,omitempty"` // the record the cover sheet names
	Outcome ScanOutcome `json:"outcome"`
	// Attachments are the attachments of Record that hold the part
	// (filed), and Scans the scans (inbox): one for a PDF, one for each
	// page image.
	Attachments []string `json:"attachments,omitempty"`
	Scans       []ScanID `json:"scans,omitempty"`
	// Already is set when the part was filed to the record, or added as
	// a scan, before: nothing new was written, and Attachments or Scans
	// name what was there (a scan may have been filed or discarded
	// since).
	Already bool `json:"already,omitempty"`
	// Reason says why the part is in the inbox or was not kept; a
	// Message, which the edges say in the reader's language.
	Reason Message `json:"-"`
}

// ScanSplitter cuts scanned batches at their cover sheets. Package scan
// implements it (scan.Splitter) with poppler and a QR reader; cmd wires it
// (Config.Splitter).
type ScanSplitter interface {
	// SplitPDF reads a PDF from r to its end and cuts it at its cover
	// sheets. Errors reading r come back wrapped; a file that is not a
	// PDF it can read is Invalid, one over its limits TooLarge, and
	// missing tools Unavailable.
	SplitPDF(ctx context.Context, r io.Reader, opt SplitOptions) (*SplitBatch, error)
	// SplitImages cuts a batch of page images, the files at paths (one
	// page each, in order), at its cover sheets. It reads the files and
	// writes nothing.
	SplitImages(ctx context.Context, paths []string, opt SplitOptions) (*SplitBatch, error)
}

// SplitOptions are what the Archive tells a ScanSplitter.
type SplitOptions struct {
	// Exists reports whether a record that a cover sheet names exists
	// and the caller may read it.
	Exists func(ctx context.Context, id RecordID) (bool, error)
	// Progress, when set, is told the pages read and the pages of the
	// batch after each page.
	Progress func(done, total int)
}

// SplitBatch is a batch cut at its cover sheets. The splitter holds its
// files until Close.
type SplitBatch struct {
	Pages int
	// Parts are in page order; every page is in one part or is a cover
	// sheet.
	Parts []SplitPart
	// Whole is the batch as it came (SplitPDF), for a batch that holds
	// no cover sheet and is kept whole.
	Whole *SplitFile
	// Close releases the files; it may be nil.
	Close func() error
}

// SplitPart is a run of pages of a batch (see package scan's Part).
type SplitPart struct {
	// Record is the record that the part's cover sheet names; "" for
	// pages before the first cover sheet.
	Record RecordID
	Cover  int   // the page of the cover sheet; 0 if none
	Pages  []int // its pages, from 1; none for a cover sheet followed by nothing
	// Reason says why the part goes to the inbox rather than to Record;
	// no Format for a part to file.
	Reason Message
	// Files hold the part: its own PDF (SplitPDF), or its page images in
	// order (SplitImages).
	Files []SplitFile
}

// Inbox reports whether p goes to the scan inbox rather than to its
// Record.
func (p SplitPart) Inbox() bool { return p.Reason.Format != "" || p.Record == "" }

// SplitFile is a file of a split batch, opened by Open.
type SplitFile struct {
	// Name is the file's own name (a page image's); "" for a part of a
	// PDF, which the Archive names after the batch and its pages.
	Name string
	// MediaType is the type of its content, as detected.
	MediaType string
	Open      func() (io.ReadCloser, error)
}

// storedScan is a version of a scan as the store holds it: name, hash
// and batch empty, sealed in Sealed under the scan's file key; the reason
// in a form that JSON keeps; a keyed hash of what it is (Blind: of its
// SHA-256, or for a part of a PDF batch of the batch's SHA-256 and the
// part's pages), by which a scan is known again in the inbox without
// unsealing every scan; and Filing, the filing begun (see
// Archive.FileScan).
type storedScan struct {
	Scan
	ReasonNote *storedMessage `json:"reason,omitempty"`
	Filing     *ScanFiling    `json:"filing,omitempty"`
	Sealed     *envelope      `json:"sealed"`
	Blind      string         `json:"blind"`
}

// scanSecrets is the plain text inside a scan's envelope.
type scanSecrets struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Batch  string `json:"batch,omitempty"`
}

// storedMessage is a Message as JSON keeps it: its arguments with their
// kinds, so that a number stays a number (for %d) and a Word a Word.
type storedMessage struct {
	Format string      `json:"format"`
	Args   []storedArg `json:"args,omitempty"`
}

// storedArg is one argument of a storedMessage: one of its fields is set.
type storedArg struct {
	S *string        `json:"s,omitempty"` // any other argument, as fmt prints it with %v
	N *int64         `json:"n,omitempty"` // a whole number
	W *Word          `json:"w,omitempty"` // a Word
	M *storedMessage `json:"m,omitempty"` // a Message inside
}

// storeMessage returns m in its stored form; nil for no message.
func storeMessage(m Message) *storedMessage {
	if m.Format == "" {
		return nil
	}
	s := &storedMessage{Format: m.Format}
	for _, a := range m.Args {
		var arg storedArg
		switch v := a.(type) {
		case Word:
			arg.W = &v
		case Message:
			arg.M = storeMessage(v)
		case int, int8, int16, int32, int64, uint8, uint16, uint32:
			n := reflect.ValueOf(v).Convert(reflect.TypeFor[int64]()).Int()
			arg.N = &n
		default:
			str := fmt.Sprint(v)
			arg.S = &str
		}
		s.Args = append(s.Args, arg)
	}
	return s
}

// message returns the Message that s keeps.
func (s *storedMessage) message() Message {
	if s == nil {
		return Message{}
	}
	m := Message{Format: s.Format}
	for _, a := range s.Args {
		switch {
		case a.W != nil:
			m.Args = append(m.Args, *a.W)
		case a.M != nil:
			m.Args = append(m.Args, a.M.message())
		case a.N != nil:
			m.Args = append(m.Args, *a.N)
		case a.S != nil:
			m.Args = append(m.Args, *a.S)
		default:
			m.Args = append(m.Args, "")
		}
	}
	return m
}
