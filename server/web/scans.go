package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// The scan inbox (扫描件收件箱): the scans that belong to no record yet,
// as Archive.ListScans keeps them. The list (/scans, by state, a page at
// a time) shows each scan's name, size, who added it and when, where it
// came from and why it is in the inbox; the page of a scan (/scans/{id})
// shows it (an image in the page, a PDF in a frame, served as the record
// page's files are, by the server's FileServer) and, for archivists, the
// forms to file it to a record and to discard it with a reason.
// Archivists upload scans on the list's page: the form's body streams
// (w.stream, the server's streamed routes) as the record page's upload
// does, its CSRF token its first field, and the answer is the report of
// what went where. Auditors read all of it and change nothing: the
// policy decides (KindScan), and every form asks the Archive first.

func init() {
	addLabels(nil, scanValueLabels)
	objectLinks[visitarchive.KindScan] = "/scans/"
	for k, v := range scanFlashes {
		flashes[k] = v
	}
}

// scanResource is what the policy knows of a scan.
var scanResource = visitarchive.Resource{Kind: visitarchive.KindScan}

// scanValueLabels name the states of a scan, the ways scans come in and
// what became of a part of an upload.
var scanValueLabels = map[string]map[string]string{
	"scan_state": {
		string(visitarchive.ScanInbox): msg("In the inbox"), string(visitarchive.ScanFiled): msg("Filed"),
		string(visitarchive.ScanDiscarded): msg("Discarded"),
	},
	"scan_via": {
		string(visitarchive.ScanViaUpload): msg("Uploaded"), string(visitarchive.ScanViaImport): msg("Imported from a folder"),
	},
	"scan_outcome": {
		string(visitarchive.ScanOutcomeFiled): msg("Filed to its record"),
		string(visitarchive.ScanOutcomeInbox): msg("Put in the scan inbox"),
		string(visitarchive.ScanOutcomeEmpty): msg("Nothing to keep"),
	},
}

// The notices after a change of a scan.
const (
	flashScanFiled     = "scan-filed"
	flashScanDiscarded = "scan-discarded"
)

var scanFlashes = map[string]string{
	flashScanFiled:     msg("The scan has been filed to the record."),
	flashScanDiscarded: msg("The scan has been discarded."),
}

// scanPageSize is how many scans a page lists.
const scanPageSize = 25

// acceptScans are the file types the scans' picker offers.
const acceptScans = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,application/pdf,image/jpeg,image/png,image/tiff"

// scanRow is a scan as the list and its page show it.
type scanRow struct {
	visitarchive.Scan
	URL      string
	Type     string // what kind of file, in words
	SizeText string
	State    string // in words
	Source   string // where it came from, in words
	Reason   string // why it is in the inbox, in the reader's language
}

func (w *Web) scanRow(r *Request, s visitarchive.Scan) scanRow {
	essence, _, _ := strings.Cut(s.MediaType, ";")
	return scanRow{Scan: s, URL: "/scans/" + string(s.ID), Type: Value(r.Lang, "media_type", essence),
		SizeText: byteSize(r, s.Size), State: Value(r.Lang, "scan_state", string(s.State)),
		Source: scanSource(r, s.Source), Reason: say(r.Lang, s.Reason)}
}

// say returns m in l; "" for no message.
func say(l i18n.Lang, m visitarchive.Message) string {
	if m.Format == "" {
		return ""
	}
	return i18n.Say(l, m)
}

// scanSource says where a scan came from: the way in, and for a part of
// a batch, the batch, its pages and the cover sheet before them.
func scanSource(r *Request, src visitarchive.ScanSource) string {
	out := Value(r.Lang, "scan_via", string(src.Via))
	if src.Batch != "" {
		out += " · " + r.Tf("from %s", src.Batch)
	}
	if len(src.Pages) > 0 {
		out += " · " + r.Tf("pages %s", pageList(src.Pages))
	}
	if src.Cover > 0 {
		out += " · " + r.Tf("after the cover sheet on page %d", src.Cover)
	}
	if src.Record != "" {
		out += " · " + r.Tf("which names record %s", string(src.Record))
	}
	return out
}

// pageList writes page numbers, runs as ranges: "1-3, 5".
func pageList(pages []int) string {
	var parts []string
	for i := 0; i < len(pages); {
		j := i
		for j+1 < len(pages) && pages[j+1] == pages[j]+1 {
			j++
		}
		p := strconv.Itoa(pages[i])
		if j > i {
			p += "-" + strconv.Itoa(pages[j])
		}
		parts = append(parts, p)
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// scanUploadView is the upload form of the inbox page.
type scanUploadView struct {
	CSRF                        string
	Error                       string
	MaxFile, MaxRequest         int64
	MaxFileText, MaxRequestText string
	Accept                      string
}

// scanListView is the content of the inbox page.
type scanListView struct {
	Tabs   []tab
	State  string
	Scans  []scanRow
	Total  int
	Pager  Pager
	Upload *scanUploadView // nil for whoever may not add scans
	Report []batchView     // what became of an upload just sent
}

// batchView is what became of one file of an upload.
type batchView struct {
	Name  string
	Pages int
	Parts []partView
}

// partView is what became of one part of a file of an upload.
type partView struct {
	Pages   string
	Outcome string
	Record  string // the record it went to, or whose cover sheet named it
	Scans   []string
	Already bool
	Reason  string
	Filed   bool
}

// scans lists the scans in the state the query names (the inbox unless
// it names another).
func (w *Web) scans(c *fiber.Ctx, r *Request) error {
	return w.renderScans(c, r, nil, "")
}

// renderScans renders the inbox page, with the report of an upload or
// the message of a refused one beside the form.
func (w *Web) renderScans(c *fiber.Ctx, r *Request, rep *visitarchive.ScanReport, uploadErr string) error {
	if err := w.mayDo(c, visitarchive.PermRead, scanResource); err != nil {
		return err
	}
	ctx := c.UserContext()
	state := c.Query("state")
	if rep != nil || uploadErr != "" {
		state = ""
	}
	if state == "" {
		state = string(visitarchive.ScanInbox)
	}
	f := visitarchive.ScanFilter{State: visitarchive.ScanState(state), Page: pageNumber(c), Size: scanPageSize}
	if rep != nil || uploadErr != "" {
		f.Page = 1
	}
	page, err := w.archive.ListScans(ctx, f)
	if err != nil {
		return err
	}
	v := scanListView{State: state, Total: page.Total, Pager: newPager(c, page.Page, page.Size, page.Total)}
	for _, s := range visitarchive.ScanStates {
		u := "/scans?state=" + string(s)
		v.Tabs = append(v.Tabs, tab{Label: Value(r.Lang, "scan_state", string(s)), URL: u, Current: string(s) == state})
	}
	for _, s := range page.Scans {
		v.Scans = append(v.Scans, w.scanRow(r, s))
	}
	if w.files != nil && w.archive.MayAddScans(ctx) == nil {
		up := &scanUploadView{CSRF: r.CSRF, Error: uploadErr, Accept: acceptScans}
		up.MaxFile, up.MaxRequest = w.files.Limits()
		up.MaxFileText, up.MaxRequestText = byteSize(r, up.MaxFile), byteSize(r, up.MaxRequest)
		v.Upload = up
	}
	if rep != nil {
		v.Report = reportView(r, rep)
	}
	return w.render(c, r, "scans", msg("Scan inbox"), v)
}

// reportView is what became of the files of an upload, in words.
func reportView(r *Request, rep *visitarchive.ScanReport) []batchView {
	out := []batchView{}
	for _, b := range rep.Batches {
		bv := batchView{Name: b.Name, Pages: b.Pages}
		for _, p := range b.Parts {
			pv := partView{Pages: pageList(p.Pages), Outcome: Value(r.Lang, "scan_outcome", string(p.Outcome)),
				Record: string(p.Record), Already: p.Already, Reason: say(r.Lang, p.Reason),
				Filed: p.Outcome == visitarchive.ScanOutcomeFiled}
			for _, id := range p.Scans {
				pv.Scans = append(pv.Scans, string(id))
			}
			bv.Parts = append(bv.Parts, pv)
		}
		out = append(out, bv)
	}
	return out
}

// uploadScans takes the upload form of the inbox page: the files come
// into the archive, filed or into the inbox, and the page says what went
// where; or none does and the page says why.
func (w *Web) uploadScans(c *fiber.Ctx, r *Request) error {
	if w.files == nil {
		c.Context().SetConnectionClose()
		return fiber.ErrNotFound
	}
	check := func() error { return w.archive.MayAddScans(c.UserContext()) }
	csrf := func(fields map[string]string) error {
		if !sameToken(fields["_csrf"], r.CSRF) {
			return visitarchive.E("web", visitarchive.Forbidden, nil,
				"the form lacks the CSRF token of your session: reload the page and try again")
		}
		return nil
	}
	rep, err := w.files.UploadScans(c, check, csrf)
	if err == nil {
		return w.renderScans(c, r, rep, "")
	}
	var e *visitarchive.Error
	if !errors.As(err, &e) || uploadStatus[e.Kind] == 0 {
		return err
	}
	c.Status(uploadStatus[e.Kind])
	return w.renderScans(c, r, nil, errorText(r.Lang, err))
}

// scanView is the content of the page of a scan.
type scanView struct {
	scanRow
	Inline    string // "image" or "pdf": shown in the page
	Download  string
	View      string
	MayChange bool // the forms to file and discard it
	File      []field
	FileState formState
	Discard   []field
	DropState formState
}

// scanParam is the scan the path names.
func scanParam(c *fiber.Ctx) (visitarchive.ScanID, error) {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return "", visitarchive.E("web", visitarchive.NotFound, nil, "no such %s", visitarchive.Word(visitarchive.KindScan))
	}
	return visitarchive.ScanID(id), nil
}

func (w *Web) scan(c *fiber.Ctx, r *Request) error {
	return w.renderScan(c, r, "", nil, formState{})
}

// renderScan renders the page of the scan of the path; the form named
// form (file, discard) shows typed and st.
func (w *Web) renderScan(c *fiber.Ctx, r *Request, form string, typed map[string]string, st formState) error {
	id, err := scanParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	s, err := w.archive.GetScan(ctx, id)
	if err != nil {
		return err
	}
	v := scanView{scanRow: w.scanRow(r, *s)}
	if w.files != nil {
		v.Download, v.View = v.URL+"/content", v.URL+"/view"
		essence, _, _ := strings.Cut(s.MediaType, ";")
		switch essence {
		case visitarchive.MediaPNG, visitarchive.MediaJPEG:
			v.Inline = "image"
		case visitarchive.MediaPDF:
			v.Inline = "pdf"
			c.Set(fiber.HeaderContentSecurityPolicy, framesPDF)
		}
	}
	v.MayChange = s.State == visitarchive.ScanInbox && w.archive.MayChangeScan(ctx, id) == nil
	if typed == nil {
		typed = map[string]string{}
	}
	fileErrs, dropErrs := map[string]string{}, map[string]string{}
	switch form {
	case "file":
		v.FileState, fileErrs = st, st.Errors
	case "discard":
		v.DropState, dropErrs = st, st.Errors
	}
	rec := newField(r, "record", "text", typed["record"], fileErrs)
	rec.Label, rec.Required, rec.Max = r.T("Record ID"), true, 64
	rec.Hint = r.T("The ID of the record, as its page and its cover sheet show it.")
	v.File = []field{rec}
	reason := newField(r, "reason", "textarea", typed["reason"], dropErrs)
	reason.Label, reason.Required, reason.Max = r.T("Reason for discarding it"), true, 500
	v.Discard = []field{reason}
	return w.render(c, r, "scan", msg("Scan"), v)
}

// scanChange checks, before the form is read, that the caller may change
// the scan of the path (Archive.MayChangeScan: 404, 403).
func (w *Web) scanChange(c *fiber.Ctx) (visitarchive.ScanID, error) {
	id, err := scanParam(c)
	if err != nil {
		return "", err
	}
	return id, w.archive.MayChangeScan(c.UserContext(), id)
}

// fileScan files the scan of the path to the record the form names.
func (w *Web) fileScan(c *fiber.Ctx, r *Request) error {
	id, err := w.scanChange(c)
	if err != nil {
		return err
	}
	typed := typedValues(c, []string{"record"})
	rid := strings.TrimSpace(typed["record"])
	if rid == "" {
		c.Status(http.StatusUnprocessableEntity)
		return w.renderScan(c, r, "file", typed, formState{Errors: map[string]string{"record": r.T("Enter the ID of the record.")}})
	}
	_, err = w.archive.FileScan(c.UserContext(), id, visitarchive.RecordID(rid))
	if err == nil {
		w.flash(c, flashScanFiled)
		return redirect(c, "/scans/"+string(id))
	}
	var st formState
	switch {
	// The scan was there and the caller may change it (scanChange): what
	// is not found is the record.
	case visitarchive.IsKind(err, visitarchive.NotFound):
		c.Status(http.StatusUnprocessableEntity)
		st.Errors = map[string]string{"record": errorText(r.Lang, err)}
	default:
		if st, err = refused(c, r, err, nil, nil); err != nil {
			return err
		}
	}
	return w.renderScan(c, r, "file", typed, st)
}

// discardScan discards the scan of the path for the form's reason.
func (w *Web) discardScan(c *fiber.Ctx, r *Request) error {
	id, err := w.scanChange(c)
	if err != nil {
		return err
	}
	typed := typedValues(c, []string{"reason"})
	_, err = w.archive.DiscardScan(c.UserContext(), id, typed["reason"])
	if err == nil {
		w.flash(c, flashScanDiscarded)
		return redirect(c, "/scans/"+string(id))
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	return w.renderScan(c, r, "discard", typed, st)
}

// downloadScan and viewScan serve a scan: as a download, or for the
// browser to show (an image or a PDF in the scan's page).
func (w *Web) downloadScan(c *fiber.Ctx, r *Request) error { return w.serveScan(c, false) }
func (w *Web) viewScan(c *fiber.Ctx, r *Request) error     { return w.serveScan(c, true) }

func (w *Web) serveScan(c *fiber.Ctx, inline bool) error {
	id, err := scanParam(c)
	if err != nil || w.files == nil {
		return fiber.ErrNotFound
	}
	return w.files.ServeScan(c, id, inline)
}
