package extract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"os"
	"strings"
	"sync"
	"time"
)

// Limits bound each process that extraction starts: the child that reads
// a PDF's text layer, pdftotext, and pdftoppm and tesseract for each page.
// A zero field takes its value from DefaultLimits.
type Limits struct {
	// Timeout is how long one process may run: the text layer of the
	// whole PDF, pdftotext over the whole PDF, rendering one page, OCR of
	// one page or image. A PDF of N pages that all need OCR may thus take
	// up to (2+2N)·Timeout, each step stopped at its limit.
	Timeout time.Duration
	// MemoryBytes is the address space one process may use: a tool's
	// RLIMIT_AS, and for the Go child what it may map beyond the 1.2 GB
	// the Go runtime reserves at start (see ChildMain).
	MemoryBytes uint64
	// MaxPages is how many pages of a PDF are read; later pages are left
	// out and Result.Reason says so.
	MaxPages int
	// MaxBytes is the largest file read; a larger one fails.
	MaxBytes int64
}

// DefaultLimits are the limits used where Extractor.Limits leaves a zero.
// Tesseract needs about 300 MB for a page at 300 dpi, the Go child about
// 50 MB for an ordinary PDF; 1 GiB leaves room for large pages while a
// few extractions at once cannot take a small server's memory.
var DefaultLimits = Limits{
	Timeout:     60 * time.Second,
	MemoryBytes: 1 << 30,
	MaxPages:    500,
	MaxBytes:    200 << 20,
}

// State says whether extraction gave the text.
type State string

// The states of a Result.
const (
	Done        State = "done"        // Pages hold the text
	Failed      State = "failed"      // the file could not be read; Reason says why
	Unavailable State = "unavailable" // no text can be had from this type, or the tool is missing
)

// Method says how the text was got.
type Method string

// The methods, in the order a PDF's pages go through them.
const (
	Plain     Method = "plain"      // text/plain, taken as it is
	TextLayer Method = "text-layer" // the PDF's text layer, read with ledongthuc/pdf
	PDFToText Method = "pdftotext"  // poppler's pdftotext
	OCR       Method = "ocr"        // tesseract, on an image or a page rendered by pdftoppm
)

// Reasons of Unavailable results.
const (
	ReasonNoType = "no text extraction for this type"
	ReasonNoOCR  = "OCR unavailable"
)

// Result is the text of one file.
type Result struct {
	// Pages hold the text of each page in order (a text file or an image
	// is one page, a multi-page TIFF several), cleaned: white space
	// between Chinese characters removed (CleanHan), radicals that stand
	// for ideographs mapped to them, bad characters replaced by spaces.
	// A page without text is "".
	Pages []string `json:"pages"`
	// Method is the last step of the chain that any page needed:
	// text-layer, pdftotext or ocr for a PDF, ocr for an image, plain.
	Method Method `json:"method,omitempty"`
	State  State  `json:"state"`
	// Reason says why the state is Failed or Unavailable ("text not
	// extracted: the PDF's text layer did not finish within 60 s; …"),
	// and for Done what was left out, if anything ("only the first 500
	// of 1000000 pages were read").
	Reason string `json:"reason,omitempty"`
}

// An Extractor gets the text out of attachments and scans. Its methods
// may be called from several goroutines at once; each call starts its own
// processes.
type Extractor struct {
	// Exe and Args start the child that reads a PDF's text layer: the
	// visitarchive binary (os.Executable()) with Args []string{ChildCommand}.
	Exe  string
	Args []string
	// Limits bound every process; zero fields are DefaultLimits'.
	Limits Limits
	// Tools are the external programs; nil means Available(), looked up
	// at the first extraction.
	Tools *Tools
	// TempDir is where a PDF is spooled while its pages go through the
	// steps ("" is os.TempDir()). It must not be under the archive's
	// data directory: the spooled file is decrypted content. It lives in
	// a fresh directory of mode 0700 and is unlinked as soon as it is
	// created, so that nothing is left when the process dies.
	TempDir string

	once  sync.Once
	tools Tools
}

func (x *Extractor) limits() Limits {
	l, d := x.Limits, DefaultLimits
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.MemoryBytes == 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	return l
}

func (x *Extractor) getTools() Tools {
	x.once.Do(func() {
		if x.Tools != nil {
			x.tools = *x.Tools
		} else {
			x.tools = Available()
		}
	})
	return x.tools
}

// Extract returns the text of content, whose media type is mediaType
// (parameters allowed: "text/plain; charset=GB18030"). PDFs, PNG, JPEG
// and TIFF images and plain text are read; anything else (Word, Excel) is
// Unavailable with ReasonNoType. progress, when not nil, is called with
// the pages whose text is final out of the pages found, as they are done.
//
// A file that cannot be read, however hostile, is a Result with State
// Failed and a Reason; the error is for ctx ending (its error) and for
// failures of this machine (a temporary file that cannot be written).
func (x *Extractor) Extract(ctx context.Context, mediaType string, content io.Reader, progress func(done, total int)) (Result, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	mt, params, err := mime.ParseMediaType(mediaType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(mediaType))
	}
	switch mt {
	case "application/pdf":
		return x.extractPDF(ctx, content, progress)
	case "image/png", "image/jpeg", "image/tiff":
		return x.extractImage(ctx, content, progress)
	case "text/plain":
		return x.extractPlain(content, params["charset"], progress)
	}
	return Result{State: Unavailable, Reason: ReasonNoType}, nil
}

// notExtracted is a Failed result.
func notExtracted(reasons ...string) Result {
	return Result{State: Failed, Reason: "text not extracted: " + strings.Join(reasons, "; ")}
}

func (x *Extractor) tooLarge() Result {
	return notExtracted(fmt.Sprintf("the file is larger than %s", mebibytes(x.limits().MaxBytes)))
}

// extractPlain reads a text file, split into pages of at most maxPageText
// bytes at line ends. Text beyond maxText is read to the end, to hold
// the file to MaxBytes, and left out.
func (x *Extractor) extractPlain(content io.Reader, charset string, progress func(int, int)) (Result, error) {
	lim := x.limits()
	b, err := io.ReadAll(io.LimitReader(content, min(lim.MaxBytes+1, maxText)))
	if err != nil {
		return Result{}, fmt.Errorf("extract: read the text: %w", err)
	}
	rest, err := io.Copy(io.Discard, io.LimitReader(content, lim.MaxBytes+1-int64(len(b))))
	if err != nil {
		return Result{}, fmt.Errorf("extract: read the text: %w", err)
	}
	if int64(len(b))+rest > lim.MaxBytes {
		return x.tooLarge(), nil
	}
	if rest > 0 { // the text is cut: end it at a line end, not inside a character
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			b = b[:i+1]
		}
	}
	pages := splitText(decodePlain(b, charset), maxPageText)
	res := Result{Pages: pages, Method: Plain, State: Done}
	var notes []string
	if rest > 0 {
		notes = append(notes, textLeftOut())
	}
	if len(pages) > lim.MaxPages {
		res.Pages = pages[:lim.MaxPages]
		notes = append(notes, fmt.Sprintf("only the first %d of %d pages were read", lim.MaxPages, len(pages)))
	}
	res.Reason = strings.Join(notes, "; ")
	progress(len(res.Pages), len(res.Pages))
	return res, nil
}

// splitText cuts s into pieces of at most n bytes, at the last line end
// before the limit when there is one, and never inside a character.
func splitText(s string, n int) []string {
	var pages []string
	for len(s) > n {
		cut := strings.LastIndexByte(s[:n], '\n') + 1
		if cut == 0 {
			cut = n
			for cut > 0 && !utf8RuneStart(s[cut]) {
				cut--
			}
		}
		pages = append(pages, s[:cut])
		s = s[cut:]
	}
	return append(pages, s)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// spool copies content into an unnamed temporary file: a file created in a
// fresh directory of mode 0700 under dir, both removed at once, so that
// only the open file refers to it. It returns nil and no error when
// content is larger than limit.
func spool(dir string, content io.Reader, limit int64) (*os.File, error) {
	d, err := os.MkdirTemp(dir, "visitarchive-extract-")
	if err != nil {
		return nil, fmt.Errorf("extract: spool: %w", err)
	}
	defer os.RemoveAll(d)
	f, err := os.CreateTemp(d, "content-")
	if err != nil {
		return nil, fmt.Errorf("extract: spool: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("extract: spool: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(content, limit+1))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("extract: spool: %w", err)
	}
	if n > limit {
		f.Close()
		return nil, nil
	}
	return f, nil
}
