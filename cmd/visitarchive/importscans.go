package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gabriel-vasile/mimetype"
	"github.com/schollz/progressbar/v3"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/scan"
)

// import-scans files a folder of scans in one run: each PDF is split at
// its cover sheets (each part filed to its record, the rest into the scan
// inbox), each sub-folder of page images is one batch split the same way,
// and each loose image is one scan in the inbox. Each file or sub-folder
// is a ScanUpload of its own, so that one that fails leaves the others
// done; a run again after an interruption files nothing twice.

// scanRun is the report of a run of import-scans (--report writes it as
// JSON): what became of each file and sub-folder.
type scanRun struct {
	Dir     string         `json:"dir"`
	Actor   va.UserName    `json:"actor"`
	Started time.Time      `json:"started"`
	Seconds float64        `json:"seconds"`
	Batches []scanRunBatch `json:"batches"`
	Totals  scanTotals     `json:"totals"`
}

// scanRunBatch is one file or sub-folder: its parts, or why it was
// skipped or failed.
type scanRunBatch struct {
	Name    string        `json:"name"`
	Kind    string        `json:"kind"` // pdf, pages (a folder of page images), image, other
	Pages   int           `json:"pages,omitempty"`
	Parts   []scanRunPart `json:"parts,omitempty"`
	Skipped string        `json:"skipped,omitempty"` // why it was left alone
	Error   string        `json:"error,omitempty"`   // why it failed
}

// scanRunPart is a part of a batch, with its reason in English.
type scanRunPart struct {
	va.ScanPartReport
	Reason string `json:"reason,omitempty"`
}

// scanTotals count the parts by outcome, and the batches skipped and
// failed.
type scanTotals struct {
	Filed   int `json:"filed"`
	Already int `json:"already"` // parts filed or in the inbox before: nothing new
	Inbox   int `json:"inbox"`
	Empty   int `json:"empty"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
}

func runImportScans(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("import-scans", stderr)
	actor := fs.String("actor", env("VISITARCHIVE_ACTOR", os.Getenv("USER")), "user name recorded as the one who filed the scans, trusted as the operator (VISITARCHIVE_ACTOR)")
	as := fs.String("as", "", "act as this user, with the roles the policy gives them (an archivist: archived records only take scans), instead of as the trusted --actor")
	report := fs.String("report", "", "also write the report of what went where to this file, as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: visitarchive import-scans [flags] DIR")
	}
	dir := fs.Arg(0)
	items, err := scanItems(dir)
	if err != nil {
		return err
	}
	if !va.ValidUserName(*actor) && *as == "" {
		return fmt.Errorf("--actor %q is not a valid user name", *actor)
	}
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, who, err := scanActor(ctx, c.archive, *actor, *as)
	if err != nil {
		return err
	}
	run := &scanRun{Dir: dir, Actor: who, Started: time.Now().UTC(), Batches: []scanRunBatch{}}
	bar := newBytesBar(totalSize(items), "filing scans", stderr)
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		run.add(importItem(ctx, c.archive, it, bar))
	}
	bar.Finish()
	fmt.Fprintln(stderr)
	run.Seconds = time.Since(run.Started).Seconds()
	printScanRun(stdout, run)
	if *report != "" {
		if err := writeReport(*report, run); err != nil {
			return err
		}
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case run.Totals.Failed > 0:
		return errFailed
	}
	return nil
}

// scanActor returns ctx acting as the user named by as, checked by the
// policy, or else as the trusted actor.
func scanActor(ctx context.Context, a *va.Archive, actor, as string) (context.Context, va.UserName, error) {
	if as == "" {
		return va.WithActor(ctx, va.UserName(actor)), va.UserName(actor), nil
	}
	u, err := a.Accounts().GetUser(va.WithActor(ctx, "system"), va.UserName(as))
	if err != nil {
		return nil, "", fmt.Errorf("--as %s: %s", as, va.ErrorMessage(err))
	}
	if u.Disabled {
		return nil, "", fmt.Errorf("--as %s: the user is disabled", as)
	}
	p := va.PrincipalOf(u)
	// Offline, the operator acts with the user's roles; their password
	// is a matter of signing in.
	p.MustChangePassword, p.Addr = false, "import-scans"
	return va.WithPrincipal(ctx, p), u.Name, nil
}

// scanItem is a file or sub-folder of the folder to file.
type scanItem struct {
	name  string
	path  string
	kind  string   // pdf, pages, image, other
	why   string   // why it is skipped ("" when it is not)
	pages []string // the page images of a folder
	size  int64
}

// scanItems lists the files and sub-folders of dir, not hidden, in the
// natural order of their names, with their kinds.
func scanItems(dir string) ([]scanItem, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var items []scanItem
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		it := scanItem{name: e.Name(), path: filepath.Join(dir, e.Name())}
		switch {
		case e.IsDir():
			it.kind = "pages"
			it.pages, err = scan.ImageFiles(it.path)
			if err != nil {
				it.why = va.ErrorMessage(err)
			}
			for _, p := range it.pages {
				it.size += fileSize(p)
			}
		case e.Type().IsRegular():
			it.kind, it.why = fileKind(it.path)
			it.size = fileSize(it.path)
		default:
			continue
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b scanItem) int { return scan.CompareNames(a.name, b.name) })
	return items, nil
}

// fileKind says what the file at path is by its content: pdf, image, or
// other with why it is left alone.
func fileKind(path string) (kind, why string) {
	mt, err := mimetype.DetectFile(path)
	if err != nil {
		return "other", err.Error()
	}
	switch {
	case mt.Is(va.MediaPDF):
		return "pdf", ""
	case mt.Is(va.MediaJPEG), mt.Is(va.MediaPNG), mt.Is(va.MediaTIFF):
		return "image", ""
	}
	return "other", "a file of type " + mt.String() + ", not a PDF, JPEG, PNG or TIFF file"
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func totalSize(items []scanItem) int64 {
	var n int64
	for _, it := range items {
		n += it.size
	}
	return max(n, 1)
}

// importItem files one item in a ScanUpload of its own, moving bar on by
// its size as its pages are read.
func importItem(ctx context.Context, a *va.Archive, it scanItem, bar *progressbar.ProgressBar) scanRunBatch {
	out := scanRunBatch{Name: it.name, Kind: it.kind}
	base := bar.State().CurrentNum
	defer bar.Set64(base + it.size)
	if it.why != "" {
		out.Skipped = it.why
		return out
	}
	u, err := a.NewScanUpload(ctx)
	if err != nil {
		out.Error = va.ErrorMessage(err)
		return out
	}
	u.Via = va.ScanViaImport
	u.Progress = func(done, total int) { bar.Set64(base + it.size*int64(done)/int64(max(total, 1))) }
	err = addItem(ctx, u, it)
	var rep *va.ScanReport
	if err == nil {
		rep, err = u.Commit(ctx)
	} else {
		u.Abort(ctx)
	}
	if rep != nil && len(rep.Batches) == 1 {
		b := rep.Batches[0]
		out.Pages = b.Pages
		for _, p := range b.Parts {
			out.Parts = append(out.Parts, scanRunPart{ScanPartReport: p, Reason: p.Reason.String()})
		}
	}
	if err != nil {
		out.Error = describe(err)
	}
	return out
}

// addItem adds the file or folder of it to u.
func addItem(ctx context.Context, u *va.ScanUpload, it scanItem) error {
	if it.kind == "pages" {
		return u.AddPages(ctx, it.name, it.pages)
	}
	f, err := os.Open(it.path)
	if err != nil {
		return err
	}
	defer f.Close()
	mt, err := mimetype.DetectReader(f)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return u.Add(ctx, it.name, mt.String(), f)
}

// add counts b into the totals of r.
func (r *scanRun) add(b scanRunBatch) {
	r.Batches = append(r.Batches, b)
	switch {
	case b.Skipped != "":
		r.Totals.Skipped++
	case b.Error != "":
		r.Totals.Failed++
	}
	for _, p := range b.Parts {
		switch {
		case p.Already:
			r.Totals.Already++
		case p.Outcome == va.ScanOutcomeFiled:
			r.Totals.Filed++
		case p.Outcome == va.ScanOutcomeInbox:
			r.Totals.Inbox++
		default:
			r.Totals.Empty++
		}
	}
}

// printScanRun says what went where, a line a part.
func printScanRun(w io.Writer, r *scanRun) {
	for _, b := range r.Batches {
		head := b.Name
		if b.Pages > 0 {
			head += fmt.Sprintf(" (%d pages)", b.Pages)
		}
		switch {
		case b.Skipped != "":
			fmt.Fprintf(w, "%s: skipped: %s\n", head, b.Skipped)
			continue
		case len(b.Parts) == 0 && b.Error != "":
			fmt.Fprintf(w, "%s: failed: %s\n", head, b.Error)
			continue
		}
		if b.Pages == 0 && len(b.Parts) == 1 && b.Error == "" { // a file not split
			fmt.Fprintf(w, "%s %s\n", head, partText(b.Parts[0]))
			continue
		}
		fmt.Fprintln(w, head)
		for _, p := range b.Parts {
			fmt.Fprintf(w, "  %-12s %s\n", pagesText(p.Pages), partText(p))
		}
		if b.Error != "" {
			fmt.Fprintf(w, "  failed: %s\n", b.Error)
		}
	}
	t := r.Totals
	fmt.Fprintf(w, "filed %d part(s) to their records, put %d into the scan inbox, %d there before, %d empty; %d skipped, %d failed; in %.1fs\n",
		t.Filed, t.Inbox, t.Already, t.Empty, t.Skipped, t.Failed, r.Seconds)
}

// pagesText names pages: "page 3", "pages 3-4", "" for none (an image
// not split).
func pagesText(pages []int) string {
	switch {
	case len(pages) == 0:
		return ""
	case len(pages) == 1:
		return fmt.Sprintf("page %d", pages[0])
	}
	return fmt.Sprintf("pages %d-%d", pages[0], pages[len(pages)-1])
}

// partText says where part p went.
func partText(p scanRunPart) string {
	var s string
	switch p.Outcome {
	case va.ScanOutcomeFiled:
		s = fmt.Sprintf("→ record %s as %s", p.Record, strings.Join(p.Attachments, ", "))
	case va.ScanOutcomeInbox:
		ids := make([]string, len(p.Scans))
		for i, id := range p.Scans {
			ids[i] = string(id)
		}
		s = "→ scan inbox as " + strings.Join(ids, ", ")
	default:
		s = "→ nothing kept"
	}
	if p.Already {
		s += " (before)"
	}
	if p.Reason != "" {
		s += ": " + p.Reason
	}
	return s
}

// writeReport writes r as JSON to path.
func writeReport(path string, r *scanRun) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}
