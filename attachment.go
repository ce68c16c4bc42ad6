package visitarchive

import (
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file attached to a visit record: a photo, a PDF, an
// office document, or the scanned paper form of the record (Scanned). Its
// content is stored encrypted under a key derived from the record's data
// key (see FileSealer), beside its metadata; both are written once and
// never changed or removed, except by destroying the record's data key,
// which leaves the content unreadable for good.
type Attachment struct {
	ID     string   `json:"id"`     // assigned by the server (NewID "F")
	Record RecordID `json:"record"` // the record it belongs to
	// Name is the file's name as the uploader gave it, without any
	// directory; "" when it can no longer be read (the data key was
	// destroyed).
	Name string `json:"name"`
	Size int64  `json:"size"` // bytes of the original
	// MediaType is what the content was detected to be, from the first
	// bytes and never from the name, such as "application/pdf"; text
	// carries its charset ("text/plain; charset=utf-8").
	MediaType string `json:"media_type"`
	// SHA256 is the lower-case hex of the original bytes; "" when it can
	// no longer be read (the data key was destroyed).
	SHA256     string    `json:"sha256"`
	UploadedBy UserName  `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
	// Scanned marks the record's scanned paper form (filed by the
	// archivist), as opposed to a file that a visitor attached.
	Scanned bool `json:"scanned,omitempty"`
	// Text is how far the extraction of the file's text has come.
	Text AttachmentText `json:"text"`
	// Hidden names what cannot be shown, such as "name: data key
	// destroyed".
	Hidden []string `json:"hidden,omitempty"`
}

// AttachmentText is the state of the extraction of an attachment's text
// (for search), which runs in the background after the upload. The zero
// value means no extraction was asked for yet.
type AttachmentText struct {
	// Job is the job that extracts it (GET /api/v1/jobs/{id}); "" for a
	// file attached before the archive extracted text.
	Job       string    `json:"job,omitempty"`
	State     TextState `json:"state,omitempty"`
	Reason    string    `json:"reason,omitempty"` // why it failed or is unavailable
	Pages     int       `json:"pages,omitempty"`  // pages of the file, when known
	PagesDone int       `json:"pages_done,omitempty"`
}

// TextState is a state of the extraction of an attachment's text.
type TextState string

// The states of an extraction.
const (
	TextQueued      TextState = "queued"
	TextRunning     TextState = "running"
	TextDone        TextState = "done"
	TextFailed      TextState = "failed"      // with a Reason
	TextUnavailable TextState = "unavailable" // no extractor for it here (no OCR), with a Reason
)

// The media types an attachment may have. Word and Excel files are kept
// as opaque documents: stored and served, never opened.
const (
	MediaPDF  = "application/pdf"
	MediaJPEG = "image/jpeg"
	MediaPNG  = "image/png"
	MediaTIFF = "image/tiff"
	MediaText = "text/plain"
	MediaDoc  = "application/msword"
	MediaDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MediaXls  = "application/vnd.ms-excel"
	MediaXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// AttachmentMediaTypes are the media types accepted, in the order users
// read them; anything else is Unsupported.
var AttachmentMediaTypes = []string{MediaPDF, MediaJPEG, MediaPNG, MediaTIFF, MediaText, MediaDoc, MediaDocx, MediaXls, MediaXlsx}

// mediaOLE is the generic container of Word 97-2003 and Excel 97-2003
// files, which content detection cannot always tell apart.
const mediaOLE = "application/x-ole-storage"

// textKinds are text formats that are plain text to a reader of the
// archive, stored as text/plain.
var textKinds = []string{"text/csv", "text/tab-separated-values"}

// AttachmentMediaType returns the media type to store for a file whose
// content was detected as detected (a media type with parameters, such as
// a detector names it) and whose name is name, and false when the archive
// does not accept it. The name is looked at only to tell a Word 97-2003
// file (.doc) from an Excel one (.xls) when detection says no more than
// that it is one of the two. Text keeps a charset of UTF-8 or UTF-16,
// which its detection is sure of, and drops any other guess.
func AttachmentMediaType(detected, name string) (string, bool) {
	essence, params, _ := strings.Cut(detected, ";")
	essence = strings.ToLower(strings.TrimSpace(essence))
	switch {
	case essence == MediaText || contains(textKinds, essence):
		return textType(params), true
	case essence == mediaOLE:
		switch strings.ToLower(path.Ext(name)) {
		case ".doc":
			return MediaDoc, true
		case ".xls":
			return MediaXls, true
		}
		return "", false
	case contains(AttachmentMediaTypes, essence):
		return essence, true
	}
	return "", false
}

// textType is text/plain with the charset of params when it is one that
// detection is sure of.
func textType(params string) string {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		v = strings.ToLower(strings.Trim(v, `"`))
		if strings.EqualFold(k, "charset") && (v == "utf-8" || v == "utf-16le" || v == "utf-16be") {
			return MediaText + "; charset=" + v
		}
	}
	return MediaText
}

// maxFileName is the longest file name kept, in bytes: what file systems
// allow.
const maxFileName = 255

// fileName checks name, an attachment's file name.
func (c *checker) fileName(field, name string) {
	switch {
	case name == "":
		c.add(field, "is required")
	case !utf8.ValidString(name):
		c.add(field, "must be valid UTF-8")
	case len(name) > maxFileName:
		c.add(field, "is %d bytes long; at most %d are allowed", len(name), maxFileName)
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		c.add(field, "must be a file name, without a directory")
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }):
		c.add(field, "must not contain control characters")
	}
}

// FileSealer encrypts and decrypts the content of files in a stream of
// authenticated chunks, so that no file is ever held whole in memory and a
// range of it can be read without the chunks before it.
// storage/filecrypt implements it with DARE 2.0 (github.com/minio/sio).
type FileSealer interface {
	// EncryptReader returns a reader of the sealed form of the bytes of
	// r under key (32 bytes). Errors reading r come out of the reader
	// as they are.
	EncryptReader(key []byte, r io.Reader) (io.Reader, error)

	// SealedOffset returns where the chunk that holds byte offset of the
	// plain bytes starts in the sealed stream.
	SealedOffset(offset int64) int64

	// DecryptReader returns a reader of the plain bytes from offset on,
	// which reads the sealed stream r from SealedOffset(offset). Sealed
	// bytes that were altered, cut short, or sealed under another key
	// make the reader fail with an Integrity error.
	DecryptReader(key []byte, r io.Reader, offset int64) (io.Reader, error)
}
