package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The attachments of a record, on its page: each file with its type,
// size, who uploaded it and when, whether it is the scanned paper form,
// and how far the extraction of its text has come; images and PDFs shown
// in the page; downloads; and the upload form for whoever may attach
// files to the record now (Archive.MayWrite "attach", the API's check).
//
// Uploads and downloads are the server's own code of the API's routes
// (Config.Files, a FileServer): the form's body streams into the store
// under the same limits, its files' types are detected alike, and a file
// is served with the same headers and the same entry in the access log.
// The form's route is one of the server's streamed routes, so no page
// wrapper may read its body: its CSRF token is the body's first field,
// which the upload checks before it writes anything (uploadFiles). A
// refused upload (413, 415, 400, …) comes back as the record page with
// the message beside the form; the script checks the sizes of the chosen
// files before they are sent, so that the most common refusal keeps the
// choice.

// FileServer takes and gives the attachments of the pages; the server
// implements it with the code of its API.
type FileServer interface {
	// Upload reads the multipart body of c as files for record rid, as
	// POST /api/v1/records/{id}/attachments does, after check (who may
	// attach). form takes the fields that come before the first file
	// (the CSRF token) before anything is written, and may refuse them.
	// Whatever fails, no file is kept.
	Upload(c *fiber.Ctx, rid visitarchive.RecordID, check func() error,
		form func(fields map[string]string) error) ([]visitarchive.Attachment, error)
	// Serve streams attachment aid of record rid as GET
	// /api/v1/records/{id}/attachments/{aid} does (a download); inline
	// shows an image or a PDF in the page instead.
	Serve(c *fiber.Ctx, rid visitarchive.RecordID, aid string, inline bool) error
	// UploadScans reads the multipart body of c into the scan inbox, as
	// POST /api/v1/scans does, after check (who may add scans); form
	// takes the fields before the first file, as for Upload. Whatever
	// fails, no scan is kept.
	UploadScans(c *fiber.Ctx, check func() error,
		form func(fields map[string]string) error) (*visitarchive.ScanReport, error)
	// ServeScan streams scan id as GET /api/v1/scans/{id}/content does;
	// inline shows an image or a PDF in the page instead.
	ServeScan(c *fiber.Ctx, id visitarchive.ScanID, inline bool) error
	// Limits are the most bytes of one file and of one upload.
	Limits() (file, request int64)
}

func init() {
	addLabels(nil, fileValueLabels)
	flashes[flashAttached] = msg("The files have been attached.")
}

// fileValueLabels name the states of the reading of a file's text and
// the types of files.
var fileValueLabels = map[string]map[string]string{
	"text_state": {
		string(visitarchive.TextQueued): msg("Waiting to be read"), string(visitarchive.TextRunning): msg("Being read"),
		string(visitarchive.TextDone): msg("Text read for search"), string(visitarchive.TextFailed): msg("Text not read"),
		string(visitarchive.TextUnavailable): msg("Text cannot be read here"),
	},
	"media_type": {
		visitarchive.MediaPDF: msg("PDF document"), visitarchive.MediaJPEG: msg("JPEG image"),
		visitarchive.MediaPNG: msg("PNG image"), visitarchive.MediaTIFF: msg("TIFF image"),
		visitarchive.MediaText: msg("Plain text"), visitarchive.MediaDoc: msg("Word document"),
		visitarchive.MediaDocx: msg("Word document"), visitarchive.MediaXls: msg("Excel workbook"),
		visitarchive.MediaXlsx: msg("Excel workbook"),
	},
}

// flashAttached is the notice after an upload.
const flashAttached = "attached"

// filesView is the attachments section of the record page.
type filesView struct {
	Record    visitarchive.RecordID
	List      []fileView
	MayAttach bool
	CSRF      string // the upload form's token, its first field
	// Error says why the last upload was refused.
	Error string
	// The limits of an upload, in bytes for the script and in words.
	MaxFile, MaxRequest         int64
	MaxFileText, MaxRequestText string
	Accept                      string // the file types the picker offers
}

// fileView is one attachment as the page shows it.
type fileView struct {
	visitarchive.Attachment
	Type     string // what kind of file, in words
	SizeText string
	Inline   string // "image" or "pdf": shown in the page; "" otherwise
	URL      string // the download; "" when the content is gone
	View     string // the file shown by the browser itself
	Text     string // how far the reading of its text has come
	Progress string // pages read of pages
	Reason   string // why its text was not read
}

// acceptFiles are the file types the upload's picker offers. The server
// goes by the content, never by the name: this only helps to choose.
const acceptFiles = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.txt,.csv,.doc,.docx,.xls,.xlsx," +
	"application/pdf,image/jpeg,image/png,image/tiff,text/plain"

// recordFiles is the attachments section of the page of record rec, with
// errText above the upload form.
func (w *Web) recordFiles(c *fiber.Ctx, r *Request, rec *visitarchive.Record, errText string) (*filesView, error) {
	ctx := c.UserContext()
	atts, err := w.archive.Attachments(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	v := &filesView{Record: rec.ID, CSRF: r.CSRF, Error: errText, Accept: acceptFiles}
	v.MayAttach = w.files != nil && w.archive.MayWrite(ctx, visitarchive.KindRecord, string(rec.ID), "attach") == nil
	if w.files != nil {
		v.MaxFile, v.MaxRequest = w.files.Limits()
		v.MaxFileText, v.MaxRequestText = byteSize(r, v.MaxFile), byteSize(r, v.MaxRequest)
	}
	for _, a := range atts {
		v.List = append(v.List, w.fileView(r, a))
	}
	return v, nil
}

func (w *Web) fileView(r *Request, a visitarchive.Attachment) fileView {
	essence, _, _ := strings.Cut(a.MediaType, ";")
	f := fileView{Attachment: a, Type: Value(r.Lang, "media_type", essence), SizeText: byteSize(r, a.Size)}
	if a.Name != "" && w.files != nil {
		base := "/records/" + string(a.Record) + "/attachments/" + a.ID
		f.URL, f.View = base, base+"/view"
		switch essence {
		case visitarchive.MediaPNG, visitarchive.MediaJPEG:
			f.Inline = "image"
		case visitarchive.MediaPDF:
			f.Inline = "pdf"
		}
	}
	if a.Text.State != "" {
		f.Text = Value(r.Lang, "text_state", string(a.Text.State))
		f.Reason = r.T(a.Text.Reason)
	}
	if a.Text.Pages > 0 {
		f.Progress = r.Tf("%d of %d pages", a.Text.PagesDone, a.Text.Pages)
	}
	return f
}

// framesPDF is the pages' policy with frames of this server's own files
// allowed: for a page that shows a PDF in the page, and only for it.
const framesPDF = contentSecurityPolicy + "; frame-src 'self'"

// allowPDFFrames lets the page of v show its PDFs in frames.
func allowPDFFrames(c *fiber.Ctx, v *filesView) {
	for _, f := range v.List {
		if f.Inline == "pdf" {
			c.Set(fiber.HeaderContentSecurityPolicy, framesPDF)
			return
		}
	}
}

// byteSize says n bytes as people read it, in the units of the API's
// messages (KiB, MiB, GiB).
func byteSize(r *Request, n int64) string {
	const k = 1024
	unit := func(d float64) string {
		x := float64(n) / d
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	switch {
	case n < k:
		return r.Tf("%d bytes", n)
	case n < k*k:
		return r.Tf("%s KiB", unit(k))
	case n < k*k*k:
		return r.Tf("%s MiB", unit(k*k))
	}
	return r.Tf("%s GiB", unit(k*k*k))
}

// stream wraps the handler of a form whose body streams (an upload): as
// page does, but the handler reads the form's CSRF token from the body
// itself, and an answer given before the body is read closes the
// connection, whose unread rest must not be taken for a request.
func (w *Web) stream(h handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pageHeaders(c)
		r, err := w.identify(c)
		if err == nil && (r.User == nil || r.principal.MustChangePassword) {
			c.Context().SetConnectionClose()
			if r.User == nil {
				return w.toSignIn(c, r)
			}
			return redirect(c, "/password")
		}
		if err != nil {
			c.Context().SetConnectionClose()
			return err
		}
		return h(c, r)
	}
}

// uploadStatus is the status of a refused upload that the record page
// explains beside its form, by kind; any other refusal is an error page.
var uploadStatus = map[visitarchive.Kind]int{
	visitarchive.TooLarge:    http.StatusRequestEntityTooLarge,
	visitarchive.Unsupported: http.StatusUnsupportedMediaType,
	visitarchive.BadRequest:  http.StatusBadRequest,
	visitarchive.Invalid:     http.StatusUnprocessableEntity,
	visitarchive.Conflict:    http.StatusConflict,
}

// uploadFiles takes the upload form of a record page: the files come
// into the record, or none does and the page says why.
func (w *Web) uploadFiles(c *fiber.Ctx, r *Request) error {
	if w.files == nil {
		c.Context().SetConnectionClose()
		return fiber.ErrNotFound
	}
	id, idErr := recordParam(c)
	check := func() error {
		if idErr != nil {
			return idErr
		}
		return w.archive.MayWrite(c.UserContext(), visitarchive.KindRecord, string(id), "attach")
	}
	csrf := func(fields map[string]string) error {
		if !sameToken(fields["_csrf"], r.CSRF) {
			return visitarchive.E("web", visitarchive.Forbidden, nil,
				"the form lacks the CSRF token of your session: reload the page and try again")
		}
		return nil
	}
	_, err := w.files.Upload(c, id, check, csrf)
	if err == nil {
		w.flash(c, flashAttached)
		return redirect(c, "/records/"+string(id)+"#files")
	}
	var e *visitarchive.Error
	if !errors.As(err, &e) || uploadStatus[e.Kind] == 0 {
		return err
	}
	c.Status(uploadStatus[e.Kind])
	return w.showRecord(c, r, errorText(r.Lang, err))
}

// download and viewFile serve a file of a record: as a download, or for
// the browser to show (an image or a PDF in the record page).
func (w *Web) download(c *fiber.Ctx, r *Request) error { return w.serveFile(c, false) }
func (w *Web) viewFile(c *fiber.Ctx, r *Request) error { return w.serveFile(c, true) }

func (w *Web) serveFile(c *fiber.Ctx, inline bool) error {
	id, err := recordParam(c)
	if err != nil || w.files == nil {
		return fiber.ErrNotFound
	}
	return w.files.Serve(c, id, c.Params("aid"), inline)
}
