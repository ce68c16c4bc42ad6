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
	"time"
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

// newScan is a scan written and not yet journaled: its stored form and
// the changes of its objects (data key, content, version 1).
type newScan struct {
	stored  *storedScan
	changes []Change
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

// fileTo files files to record rid as scanned attachments, in one
// Upload, and returns their attachments in order. A file whose content
// is a scanned attachment of the record already, or a part (named by
// part, see partIdentity) filed to it before, is not added again; when
// none is added, already is true.
func (u *ScanUpload) fileTo(ctx context.Context, rid RecordID, files []SplitFile, part string) (ids []string, already bool, err error) {
	if part != "" {
		return u.filePart(ctx, rid, files, part)
	}
	have, err := u.a.scannedBySHA(ctx, rid)
	if err != nil {
		return nil, false, err
	}
	ids = make([]string, len(files))
	var todo []int
	for i, f := range files {
		sum, err := hashFile(f)
		if err != nil {
			return nil, false, err
		}
		if ids[i] = have[sum]; ids[i] == "" {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return ids, true, nil
	}
	up, err := u.a.NewUpload(ctx, rid)
	if err != nil {
		return nil, false, err
	}
	up.Scanned = true
	for _, i := range todo {
		att, err := addFile(ctx, up, files[i])
		if err != nil {
			up.Abort(ctx)
			return nil, false, err
		}
		ids[i] = att.ID
	}
	if _, err := up.Commit(ctx); err != nil {
		return nil, false, err
	}
	return ids, false, nil
}

// filePart files the PDF of the part named part to record rid, unless a
// mark of it names an attachment of the record already. The mark of the
// attachment to be is journaled before the attachment is: a mark whose
// attachment the journal did not record is of a filing that did not
// happen (a crash between the two), and the part is filed again.
func (u *ScanUpload) filePart(ctx context.Context, rid RecordID, files []SplitFile, part string) ([]string, bool, error) {
	const op = "scan.part"
	if id := u.a.partFiled(rid, part); id != "" {
		return []string{id}, true, nil
	}
	up, err := u.a.NewUpload(ctx, rid)
	if err != nil {
		return nil, false, err
	}
	up.Scanned = true
	var ids []string
	for _, f := range files {
		att, err := addFile(ctx, up, f)
		if err == nil {
			err = u.a.markPart(ctx, op, part, att)
		}
		if err != nil {
			up.Abort(ctx)
			return nil, false, err
		}
		ids = append(ids, att.ID)
	}
	if _, err := up.Commit(ctx); err != nil {
		return nil, false, err
	}
	return ids, false, nil
}

// partMark is the object that marks a part of a batch filed to a record
// as an attachment.
type partMark struct {
	Record     RecordID  `json:"record"`
	Attachment string    `json:"attachment"`
	By         UserName  `json:"by"`
	At         time.Time `json:"at"`
}

// markPart writes and journals the mark of part, filed as att.
func (a *Archive) markPart(ctx context.Context, op, part string, att *Attachment) error {
	m := &partMark{Record: att.Record, Attachment: att.ID, By: ActorFrom(ctx), At: a.now().UTC()}
	key := ScanPartKey(part, att.ID)
	info, err := a.put(ctx, key, m)
	if err != nil {
		return err
	}
	return a.commit(ctx, op, Change{Key: key, SHA256: info.SHA256}, m)
}

// partFiled returns the attachment of record rid that the part named
// part was filed as, if a mark of it names one the journal recorded.
func (a *Archive) partFiled(rid RecordID, part string) string {
	for _, e := range a.catalog.objects(ScanPartsPrefix + part + "/") {
		id := strings.TrimSuffix(e.key[strings.LastIndexByte(e.key, '/')+1:], ".json")
		if _, ok := a.catalog.object(AttachmentKey(rid, id)); ok {
			return id
		}
	}
	return ""
}

// addFile adds file f to up.
func addFile(ctx context.Context, up *Upload, f SplitFile) (*Attachment, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", ActionScanAdd, f.Name, err)
	}
	defer rc.Close()
	return up.Add(ctx, f.Name, f.MediaType, rc)
}

// hashFile returns the SHA-256 of the content of f, in hex.
func hashFile(f SplitFile) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", fmt.Errorf("%s: open %s: %w", ActionScanAdd, f.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("%s: read %s: %w", ActionScanAdd, f.Name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// scannedBySHA returns the scanned attachments of record rid by the
// SHA-256 of their content.
func (a *Archive) scannedBySHA(ctx context.Context, rid RecordID) (map[string]string, error) {
	atts, err := a.attachments(ctx, rid)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, att := range atts {
		if att.Scanned && att.SHA256 != "" {
			out[att.SHA256] = att.ID
		}
	}
	return out, nil
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

// writeScan writes the objects of a new scan sc — a data key of its own,
// its content from r, encrypted, and version 1 — without journaling them;
// RemoveUnrecorded leaves them alone until they are journaled or dropped.
// sc brings its name, detected media type, reason and source; the rest is
// set here. ident is what the scan is known again by (storedScan.Blind):
// "" for its content. Errors are those of Upload.Add; whatever fails,
// nothing remains.
func (a *Archive) writeScan(ctx context.Context, op string, sc *Scan, r io.Reader, ident string) (*newScan, error) {
	var c checker
	c.fileName("name", sc.Name)
	if err := c.result(op, "file"); err != nil {
		return nil, err
	}
	mt, ok := scanMediaType(sc.MediaType)
	if !ok {
		return nil, E(op, Unsupported, nil, "%q is a file of type %s, which the scan inbox does not take: it takes PDF, JPEG, PNG and TIFF files", sc.Name, sc.MediaType)
	}
	now := a.now().UTC()
	sc.ID, sc.Version, sc.MediaType = ScanID(NewID("S", now)), 1, mt
	sc.AddedBy, sc.AddedAt, sc.State = ActorFrom(ctx), now, ScanInbox
	ns := &newScan{}
	err := a.writeScanObjects(ctx, op, ns, sc, r, ident)
	if err != nil {
		a.dropScan(ctx, ns)
		return nil, err
	}
	return ns, nil
}

// writeScanObjects writes the data key, content and version 1 of sc,
// noting each in ns.
func (a *Archive) writeScanObjects(ctx context.Context, op string, ns *newScan, sc *Scan, r io.Reader, ident string) error {
	dataKey, wrapped, err := a.keys.NewDataKey()
	if err != nil {
		return err
	}
	dk := ScanDataKeyPrefix(sc.ID) + fmt.Sprintf("%010d.json", 1)
	a.uploading.Store(dk, struct{}{})
	info, err := a.put(ctx, dk, wrapped)
	if err != nil {
		a.uploading.Delete(dk)
		return err
	}
	ns.changes = append(ns.changes, Change{Action: "datakey.create", Key: dk, SHA256: info.SHA256})
	key, err := scanFileKey(dataKey, sc.ID)
	if err != nil {
		return err
	}
	if err := a.putScanContent(ctx, op, ns, sc, key, r); err != nil {
		return err
	}
	if ident == "" {
		ident = a.keys.Blind(blindField, sc.SHA256)
	}
	s := &storedScan{Scan: *sc, ReasonNote: storeMessage(sc.Reason), Blind: ident}
	s.Name, s.SHA256, s.Source.Batch, s.Reason = "", "", "", Message{}
	if s.Sealed, err = seal(key, scanSecrets{Name: sc.Name, SHA256: sc.SHA256, Batch: sc.Source.Batch}, scanAAD(sc.ID)); err != nil {
		return err
	}
	mk := ScanKey(sc.ID, 1)
	a.uploading.Store(mk, struct{}{})
	info, err = a.put(ctx, mk, s)
	if err != nil {
		a.uploading.Delete(mk)
		return err
	}
	ns.stored = s
	ns.changes = append(ns.changes, Change{Action: ActionScanAdd, Key: mk, SHA256: info.SHA256})
	return nil
}

// putScanContent streams r, encrypted under key, to the content object of
// sc, and sets sc's size and hash.
func (a *Archive) putScanContent(ctx context.Context, op string, ns *newScan, sc *Scan, key []byte, r io.Reader) error {
	src := &hashingReader{r: r, h: sha256.New()}
	sealed, err := a.files.EncryptReader(key, src)
	if err != nil {
		return err
	}
	ck := ScanContentKey(sc.ID)
	a.uploading.Store(ck, struct{}{})
	info, err := a.store.Put(ctx, ck, sealed, -1)
	switch {
	case src.err != nil:
		err = sourceError(op, sc.Name, src.err)
	case err == nil && src.n == 0:
		err = E(op, BadRequest, nil, "file %q is empty", sc.Name)
	}
	if err != nil {
		if info.Key != "" {
			a.dropObject(ctx, ck)
		}
		a.uploading.Delete(ck)
		return err
	}
	sc.Size, sc.SHA256 = src.n, hex.EncodeToString(src.h.Sum(nil))
	ns.changes = append(ns.changes, Change{Action: ActionScanAdd, Key: ck, SHA256: info.SHA256})
	return nil
}

// dropScan removes the objects of ns, which will not be journaled.
func (a *Archive) dropScan(ctx context.Context, ns *newScan) {
	for _, c := range ns.changes {
		a.dropObject(ctx, c.Key)
		a.uploading.Delete(c.Key)
	}
	ns.changes = nil
}
