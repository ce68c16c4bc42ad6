package visitarchive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// ScanUpload takes scanned files into the archive: a PDF is split at its
// cover sheets (Config.Splitter), and each part whose cover sheet names a
// record that exists, and that the caller may attach files to, is filed
// to it as scanned attachments (Upload with Scanned set); the pages
// before the first cover sheet, and the parts whose cover sheet names no
// record or that the record does not take, go to the scan inbox with the
// reason; a PDF without any cover sheet goes to the inbox whole, as it
// came. An image is one scan in the inbox, and so is a PDF when there is
// no splitter. AddPages takes a folder of page images as one batch.
//
// Add and AddPages read each file to its end (splitting a PDF in the
// splitter's private folder, or streaming an image, encrypted, into the
// store) and Commit keeps them: whatever fails while the files come in,
// nothing remains. Commit then files and keeps one batch at a time: the
// parts filed in one journal entry each (that of their Upload), the
// batch's inbox scans in one entry after them. What was filed to its
// record before, or added as a scan before (whatever became of the scan
// since), is not added again (ScanPartReport.Already): a re-run of an
// interrupted import finishes it.
// A ScanUpload is used by one goroutine.
type ScanUpload struct {
	// Via is how the files came in (ScanViaUpload unless set).
	Via ScanVia
	// Progress, when set, is told the pages read of a PDF or folder
	// being split, and its pages, after each page.
	Progress func(done, total int)

	a       *Archive
	batches []*scanBatch
	pending []*newScan // inbox scans written and not yet journaled
	// known holds the scans, and those pending, by what they are
	// (storedScan.Blind); made at the first keep.
	known  map[string]ScanID
	closed bool
}

// scanBatch is a file or folder of a ScanUpload: kept whole (a scan
// written by Add) or split.
type scanBatch struct {
	name  string
	whole *newScan
	split *SplitBatch
	sha   string // of a PDF split: its SHA-256, which names its parts (see partIdentity)
}

// NewScanUpload starts taking scanned files, if the caller may add scans
// (Forbidden otherwise).
func (a *Archive) NewScanUpload(ctx context.Context) (*ScanUpload, error) {
	const op = ActionScanAdd
	if _, err := actor(ctx, op); err != nil {
		return nil, err
	}
	if err := a.mayScans(ctx, op, PermCreate); err != nil {
		return nil, err
	}
	return &ScanUpload{a: a, Via: ScanViaUpload}, nil
}

// MayAddScans tells, before anything a request sends is read, whether
// the caller may add scans: Forbidden when they may not, Unavailable when
// the archive keeps no files.
func (a *Archive) MayAddScans(ctx context.Context) error {
	return a.mayScans(ctx, ActionScanAdd, PermCreate)
}

// Add reads the file named name from r to its end: a PDF is split, any
// other scan is written to the store, encrypted; nothing is journaled
// before Commit. mediaType is what the caller detected from the content:
// a type other than PDF, JPEG, PNG and TIFF is Unsupported. An empty file
// is BadRequest; an error reading r is returned as it is when it is an
// *Error (the caller's limits: TooLarge), and as BadRequest otherwise (the
// upload was cut short). The splitter's errors come back as they are: a
// PDF it cannot read is Invalid, one over its limits TooLarge. Whatever
// fails, nothing of the file remains.
func (u *ScanUpload) Add(ctx context.Context, name, mediaType string, r io.Reader) error {
	const op = ActionScanAdd
	if u.closed {
		return E(op, Internal, nil, "the upload is over")
	}
	var c checker
	c.fileName("name", name)
	if err := c.result(op, "file"); err != nil {
		return err
	}
	mt, ok := scanMediaType(mediaType)
	if !ok {
		return E(op, Unsupported, nil, "%q is a file of type %s, which the scan inbox does not take: it takes PDF, JPEG, PNG and TIFF files", name, mediaType)
	}
	if mt != MediaPDF || u.a.splitter == nil {
		ns, err := u.a.writeScan(ctx, op, &Scan{Name: name, MediaType: mt, Source: ScanSource{Via: u.Via}}, r, "")
		if err != nil {
			return err
		}
		u.batches = append(u.batches, &scanBatch{name: name, whole: ns})
		return nil
	}
	src := &hashingReader{r: r, h: sha256.New()}
	b, err := u.a.splitter.SplitPDF(ctx, src, u.splitOptions())
	switch {
	case src.err != nil:
		err = sourceError(op, name, src.err)
	case err != nil && src.n == 0:
		err = E(op, BadRequest, nil, "file %q is empty", name)
	}
	if err != nil {
		closeSplit(b)
		return err
	}
	u.batches = append(u.batches, &scanBatch{name: name, split: b, sha: hex.EncodeToString(src.h.Sum(nil))})
	return nil
}

// AddPages takes the page images at paths, in order, as one batch named
// name (the folder they are in), and splits it at its cover sheets. It
// reads the files and writes nothing. Without a splitter it is
// Unavailable; the splitter's errors come back as they are.
func (u *ScanUpload) AddPages(ctx context.Context, name string, paths []string) error {
	const op = ActionScanAdd
	if u.closed {
		return E(op, Internal, nil, "the upload is over")
	}
	var c checker
	c.fileName("name", name)
	if err := c.result(op, "file"); err != nil {
		return err
	}
	if u.a.splitter == nil {
		return E(op, Unavailable, nil, "this archive cannot split scanned batches: no splitter is configured")
	}
	b, err := u.a.splitter.SplitImages(ctx, paths, u.splitOptions())
	if err != nil {
		closeSplit(b)
		return err
	}
	u.batches = append(u.batches, &scanBatch{name: name, split: b})
	return nil
}

func (u *ScanUpload) splitOptions() SplitOptions {
	return SplitOptions{Exists: u.a.recordVisible, Progress: u.Progress}
}

// recordVisible reports whether record id exists and the caller may read
// it: what a cover sheet must name for its part to be filed.
func (a *Archive) recordVisible(ctx context.Context, id RecordID) (bool, error) {
	const op = "scan.split"
	s, err := a.loadRecord(ctx, op, id)
	if err == nil {
		err = a.visible(ctx, op, RecordResource(&s.Record), string(id))
	}
	if IsKind(err, NotFound) {
		return false, nil
	}
	return err == nil, err
}

func closeSplit(b *SplitBatch) {
	if b != nil && b.Close != nil {
		b.Close()
	}
}

// Commit files and keeps the files taken, one batch at a time, and says
// what became of each part. The caller must still be allowed to add
// scans. On an error the batches before are done, and the report says
// what became of them and of the parts of this one done before the error
// (those filed are filed; its inbox scans are not kept); the upload is
// over either way.
func (u *ScanUpload) Commit(ctx context.Context) (*ScanReport, error) {
	const op = ActionScanAdd
	if u.closed {
		return nil, E(op, Internal, nil, "the upload is over")
	}
	defer u.Abort(ctx)
	if len(u.batches) == 0 {
		return nil, E(op, BadRequest, nil, "the upload holds no file")
	}
	if err := u.a.mayScans(ctx, op, PermCreate); err != nil {
		return nil, err
	}
	rep := &ScanReport{Batches: []ScanBatchReport{}}
	for _, b := range u.batches {
		br, err := u.commitBatch(ctx, b)
		if err == nil {
			err = u.journal(ctx)
		}
		rep.Batches = append(rep.Batches, br)
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// Abort removes what the upload wrote and has not journaled, and
// releases the splitter's files. It may be called after Commit.
func (u *ScanUpload) Abort(ctx context.Context) {
	if u.closed {
		return
	}
	u.closed = true
	for _, ns := range u.pending {
		u.a.dropScan(ctx, ns)
	}
	for _, b := range u.batches {
		if b.whole != nil {
			u.a.dropScan(ctx, b.whole)
		}
		closeSplit(b.split)
	}
	u.pending, u.batches = nil, nil
}

// commitBatch files and keeps the parts of b (its inbox scans pending).
func (u *ScanUpload) commitBatch(ctx context.Context, b *scanBatch) (ScanBatchReport, error) {
	br := ScanBatchReport{Name: b.name, Parts: []ScanPartReport{}}
	if b.whole != nil {
		ns := b.whole
		b.whole = nil
		pr := ScanPartReport{Outcome: ScanOutcomeInbox}
		id, already := u.keep(ctx, ns)
		pr.Scans, pr.Already = []ScanID{id}, already
		br.Parts = append(br.Parts, pr)
		return br, nil
	}
	br.Pages = b.split.Pages
	cover := hasCover(b.split)
	if !cover && b.split.Whole != nil {
		pr, err := u.keepWhole(ctx, b)
		br.Parts = append(br.Parts, pr)
		return br, err
	}
	for i, p := range b.split.Parts {
		if i == 0 && !cover && p.Reason.Format == beforeFirstCover {
			p.Reason = Message{} // a batch without cover sheets: plain scans
		}
		pr, err := u.commitPart(ctx, b, p)
		br.Parts = append(br.Parts, pr)
		if err != nil {
			return br, err
		}
	}
	return br, nil
}

// beforeFirstCover is the reason that package scan gives the pages
// before the first cover sheet.
const beforeFirstCover = "pages before the first cover sheet"

// hasCover reports whether a cover sheet was found in b.
func hasCover(b *SplitBatch) bool {
	for _, p := range b.Parts {
		if p.Cover > 0 {
			return true
		}
	}
	return false
}

// keepWhole puts the PDF of batch b, which holds no cover sheet, into the
// inbox as it came: with no reason, unless a page could not be read.
func (u *ScanUpload) keepWhole(ctx context.Context, b *scanBatch) (ScanPartReport, error) {
	pr := ScanPartReport{Outcome: ScanOutcomeInbox}
	for n := range b.split.Pages {
		pr.Pages = append(pr.Pages, n+1)
	}
	for _, p := range b.split.Parts {
		if p.Reason.Format != beforeFirstCover && p.Reason.Format != "" {
			pr.Reason = p.Reason
			break
		}
	}
	sc := &Scan{Name: b.name, MediaType: MediaPDF, Reason: pr.Reason, Source: ScanSource{Via: u.Via}}
	ns, err := u.writeFile(ctx, sc, *b.split.Whole, "")
	if err != nil {
		return pr, err
	}
	id, already := u.keep(ctx, ns)
	pr.Scans, pr.Already = []ScanID{id}, already
	return pr, nil
}

// commitPart files part p of batch b to its record, or puts it into the
// inbox: with its reason, or with the record's refusal (its state, the
// caller's roles) as the reason.
func (u *ScanUpload) commitPart(ctx context.Context, b *scanBatch, p SplitPart) (ScanPartReport, error) {
	pr := ScanPartReport{Pages: p.Pages, Cover: p.Cover, Record: p.Record, Reason: p.Reason}
	if len(p.Files) == 0 {
		pr.Outcome = ScanOutcomeEmpty
		return pr, nil
	}
	files := make([]SplitFile, len(p.Files))
	for i, f := range p.Files {
		files[i] = f
		if f.Name == "" {
			files[i].Name = partName(b.name, p.Pages)
		}
	}
	if !p.Inbox() {
		ids, already, err := u.fileTo(ctx, p.Record, files, u.partIdentity(b, p))
		switch {
		case err == nil:
			pr.Outcome, pr.Attachments, pr.Already = ScanOutcomeFiled, ids, already
			return pr, nil
		case !refused(err):
			return pr, err
		}
		pr.Reason = reasonOf(err)
	}
	return u.toInbox(ctx, b, p, files, pr)
}

// toInbox puts the files of part p of batch b into the inbox, one scan
// each, with the reason of pr. A file the inbox does not take (not a
// PDF, JPEG, PNG or TIFF; empty) is left out, and its refusal becomes
// the reason; a part left with nothing is ScanOutcomeEmpty.
func (u *ScanUpload) toInbox(ctx context.Context, b *scanBatch, p SplitPart, files []SplitFile, pr ScanPartReport) (ScanPartReport, error) {
	pr.Outcome = ScanOutcomeInbox
	reason, seen := pr.Reason, 0
	for i, f := range files {
		src := ScanSource{Via: u.Via, Batch: b.name, Pages: p.Pages, Cover: p.Cover, Record: p.Record}
		if len(files) > 1 && len(p.Pages) == len(files) {
			src.Pages = []int{p.Pages[i]}
		}
		ns, err := u.writeFile(ctx, &Scan{Name: f.Name, MediaType: f.MediaType, Reason: reason, Source: src}, f, u.partIdentity(b, p))
		if IsKind(err, Unsupported) || IsKind(err, BadRequest) || IsKind(err, Invalid) {
			pr.Reason = reasonOf(err)
			continue
		}
		if err != nil {
			return pr, err
		}
		id, already := u.keep(ctx, ns)
		pr.Scans = append(pr.Scans, id)
		if already {
			seen++
		}
	}
	pr.Already = seen > 0 && seen == len(pr.Scans)
	if len(pr.Scans) == 0 {
		pr.Outcome = ScanOutcomeEmpty
	}
	return pr, nil
}

// writeFile writes the scan sc of file f, not journaled, with identity
// ident (see writeScan).
func (u *ScanUpload) writeFile(ctx context.Context, sc *Scan, f SplitFile, ident string) (*newScan, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", ActionScanAdd, sc.Name, err)
	}
	defer rc.Close()
	return u.a.writeScan(ctx, ActionScanAdd, sc, rc, ident)
}

// partIdentity names part p of batch b, a PDF, for knowing it again in
// a later upload of the same batch: a keyed hash of the batch's SHA-256,
// the part's pages and its record. The part's own PDF will not do: the
// splitter's tools write a new one each time (its trailer's /ID differs).
// A part of page images is its files, which are the same each time: ""
// (their SHA-256 names them).
func (u *ScanUpload) partIdentity(b *scanBatch, p SplitPart) string {
	if b.sha == "" {
		return ""
	}
	return u.a.keys.Blind(partField, fmt.Sprintf("%s %v %s", b.sha, p.Pages, p.Record))
}

// partField is the field of the keyed hash of a part of a batch.
const partField = "scan.part"

// refused reports whether err, from filing a part to its record, is the
// record's or the policy's refusal, or one of the part's file (a name or
// content that the record does not take): the part then goes to the
// inbox. Anything else is a failure.
func refused(err error) bool {
	for _, k := range []Kind{Forbidden, Conflict, NotFound, Gone, Unsupported, Invalid, BadRequest} {
		if IsKind(err, k) {
			return true
		}
	}
	return false
}

// reasonOf is the message of err, an *Error, as a reason.
func reasonOf(err error) Message {
	var e *Error
	if !errors.As(err, &e) {
		return Message{Format: err.Error()}
	}
	if e.Format == "" {
		return Message{Format: e.Msg}
	}
	return Msgf(e.Format, e.Args...)
}

// partName names the PDF of the pages of a part of batch: the batch's
// name without its extension, and the pages ("batch p3-4.pdf").
func partName(batch string, pages []int) string {
	suffix := fmt.Sprintf(" p%d.pdf", pages[0])
	if len(pages) > 1 {
		suffix = fmt.Sprintf(" p%d-%d.pdf", pages[0], pages[len(pages)-1])
	}
	stem := strings.TrimSuffix(batch, path.Ext(batch))
	for len(stem)+len(suffix) > maxFileName {
		_, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
	}
	if strings.TrimSpace(stem) == "" {
		stem = "scan"
	}
	return stem + suffix
}

// keep adds ns to the scans to journal, unless a scan that is the same
// (see storedScan.Blind) was added before, whatever became of it (filed
// or discarded since), or is about to be: then ns is removed and that
// scan's id returned, with already set.
func (u *ScanUpload) keep(ctx context.Context, ns *newScan) (ScanID, bool) {
	if u.known == nil {
		u.known = map[string]ScanID{}
		for _, s := range u.a.scans.all() {
			u.known[s.Blind] = s.ID
		}
	}
	if id, ok := u.known[ns.stored.Blind]; ok {
		u.a.dropScan(ctx, ns)
		return id, true
	}
	u.known[ns.stored.Blind] = ns.stored.ID
	u.pending = append(u.pending, ns)
	return ns.stored.ID, false
}

// journal journals the scans pending in one entry, or removes them.
func (u *ScanUpload) journal(ctx context.Context) error {
	pending := u.pending
	u.pending = nil
	if len(pending) == 0 {
		return nil
	}
	actor := ActorFrom(ctx)
	var changes []Change
	for _, ns := range pending {
		for _, c := range ns.changes {
			c.Actor = actor
			changes = append(changes, c)
		}
		u.a.fresh.Store(ScanKey(ns.stored.ID, 1), ns.stored)
	}
	_, err := u.a.append(ctx, changes...)
	for _, ns := range pending {
		if err != nil {
			u.a.fresh.Delete(ScanKey(ns.stored.ID, 1))
			u.a.dropScan(ctx, ns)
			continue
		}
		for _, c := range ns.changes {
			u.a.uploading.Delete(c.Key)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: journal: %w", ActionScanAdd, err)
	}
	return nil
}
