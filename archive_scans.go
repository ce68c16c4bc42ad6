package visitarchive

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"slices"
)

// The scan inbox: scans that belong to no record yet (scan.go). A scan
// is added whole (ScanUpload, archive_scanupload.go, which also splits
// batches at their cover sheets), listed, read, and then filed to a
// record or discarded. Archivists do all of that; auditors read; the
// policy's kind is KindScan, which belongs to no department.
//
// Each scan has a data key of its own (datakeys/scans/<id>/), and its
// content a key derived from it (HKDF-SHA-256, bound to the scan's id),
// under which its name, hash and batch are sealed too, as an
// attachment's are. A change of state is a new version of the scan,
// written create-only: of two archivists who file or discard one scan at
// once, one wins and the other is told (Conflict).
//
// Filing makes the scan's content an attachment of the record, marked
// Scanned, through an Upload (which asks the policy: an archived record
// takes scans only from an archivist), and writes it in three journal
// entries: the filing begun, naming the attachment to be (a version of
// the scan, still in the inbox); the attachment (Upload.Commit); and the
// scan filed. A crash between any two loses nothing and files nothing
// twice: a filing begun whose attachment the journal recorded is done,
// and the scan is shown filed and marked so at its next change; one whose
// attachment it did not record never happened, and filing again starts
// over.

// The journal actions of scans. ActionScanRead is the access event of a
// download.
const (
	ActionScanAdd     = "scan.add"
	ActionScanFiling  = "scan.filing" // a filing begun
	ActionScanFile    = "scan.file"   // the scan filed
	ActionScanDiscard = "scan.discard"
	ActionScanRead    = "scan.read"
)

// scanResource is what the policy knows of a scan.
var scanResource = Resource{Kind: KindScan}

// scanAAD binds a scan's sealed data to its id.
func scanAAD(id ScanID) string { return "scan/" + string(id) }

// scanFileKey derives the file key of scan id from the scan's data key.
func scanFileKey(dataKey []byte, id ScanID) ([]byte, error) {
	return hkdf.Key(sha256.New, dataKey, nil, "visitarchive "+scanAAD(id), 32)
}

// blindField is the field of the keyed hash of a scan's SHA-256.
const blindField = "scan.sha256"

// mayScans checks that the caller may do perm on scans and that the
// archive keeps files.
func (a *Archive) mayScans(ctx context.Context, op string, perm Permission) error {
	if err := a.allow(ctx, op, perm, scanResource); err != nil {
		return err
	}
	if a.files == nil {
		return E(op, Unavailable, nil, "this server keeps no attachments: no file encryption is configured")
	}
	return nil
}

// storedScanOf returns the current version of scan id: NotFound when
// there is none.
func (a *Archive) storedScanOf(op string, id ScanID) (*storedScan, error) {
	if ValidID(string(id)) {
		if s := a.scans.get(id); s != nil {
			return s, nil
		}
	}
	return nil, E(op, NotFound, nil, "scan %s not found", id)
}

// openScan returns the scan that s holds, with its name, hash and batch,
// its reason, and its state as it stands (see filingDone); and its file
// key.
func (a *Archive) openScan(ctx context.Context, s *storedScan) (*Scan, []byte, error) {
	out := s.Scan
	out.Source.Pages = slices.Clone(s.Source.Pages)
	out.Reason = s.ReasonNote.message()
	if f := a.filingDone(s); f != nil {
		out.State, out.Filed = ScanFiled, f
	}
	dataKey, err := a.dataKey(ctx, ScanDataKeyPrefix(s.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("scan %s: data key: %w", s.ID, err)
	}
	key, err := scanFileKey(dataKey, s.ID)
	if err != nil {
		return nil, nil, err
	}
	var secrets scanSecrets
	if err := unseal(key, s.Sealed, scanAAD(s.ID), &secrets); err != nil {
		return nil, nil, err
	}
	out.Name, out.SHA256, out.Source.Batch = secrets.Name, secrets.SHA256, secrets.Batch
	return &out, key, nil
}

// filingDone returns the filing of s if it is filed, or if the filing it
// began made its attachment, which the journal recorded; nil otherwise.
func (a *Archive) filingDone(s *storedScan) *ScanFiling {
	switch {
	case s.State == ScanFiled:
		return s.Filed
	case s.State != ScanInbox || s.Filing == nil:
		return nil
	}
	if _, ok := a.catalog.object(AttachmentKey(s.Filing.Record, s.Filing.Attachment)); !ok {
		return nil
	}
	f := *s.Filing
	return &f
}

// state is the state of s as it stands (see filingDone).
func (a *Archive) state(s *storedScan) ScanState {
	if a.filingDone(s) != nil {
		return ScanFiled
	}
	return s.State
}

// ListScans lists the scans in the state f names (the inbox unless it
// names another), oldest first, a page at a time. Archivists and auditors
// may (Forbidden otherwise). Only names, sizes and states are shown, not
// the content: the listing is not logged.
func (a *Archive) ListScans(ctx context.Context, f ScanFilter) (*ScanPage, error) {
	const op = "scan.list"
	if err := a.mayScans(ctx, op, PermRead); err != nil {
		return nil, err
	}
	if f.State == "" {
		f.State = ScanInbox
	}
	var c checker
	c.oneOf("state", string(f.State), []string{string(ScanInbox), string(ScanFiled), string(ScanDiscarded), string(ScanAll)})
	c.pageSize(&f.Page, &f.Size)
	if err := c.result(op, "query"); err != nil {
		return nil, err
	}
	var all []*storedScan
	for _, s := range a.scans.all() {
		if f.State == ScanAll || a.state(s) == f.State {
			all = append(all, s)
		}
	}
	from := min((f.Page-1)*f.Size, len(all))
	page := &ScanPage{Total: len(all), Page: f.Page, Size: f.Size, Scans: []Scan{}}
	for _, s := range all[from:min(from+f.Size, len(all))] {
		sc, _, err := a.openScan(ctx, s)
		if err != nil {
			return nil, err
		}
		page.Scans = append(page.Scans, *sc)
	}
	return page, nil
}

// GetScan returns scan id, in any state: NotFound when there is none,
// Forbidden when the caller may not read scans.
func (a *Archive) GetScan(ctx context.Context, id ScanID) (*Scan, error) {
	const op = "scan.get"
	if err := a.mayScans(ctx, op, PermRead); err != nil {
		return nil, err
	}
	s, err := a.storedScanOf(op, id)
	if err != nil {
		return nil, err
	}
	sc, _, err := a.openScan(ctx, s)
	return sc, err
}

// ScanFile is a scan opened for reading: its metadata, and Open, which
// streams its content.
type ScanFile struct {
	Scan
	a   *Archive
	key []byte // the file key
}

// OpenScan returns scan id for reading (see GetScan). Nothing is logged
// until Open.
func (a *Archive) OpenScan(ctx context.Context, id ScanID) (*ScanFile, error) {
	const op = "scan.get"
	if err := a.mayScans(ctx, op, PermRead); err != nil {
		return nil, err
	}
	s, err := a.storedScanOf(op, id)
	if err != nil {
		return nil, err
	}
	sc, key, err := a.openScan(ctx, s)
	if err != nil {
		return nil, err
	}
	return &ScanFile{Scan: *sc, a: a, key: key}, nil
}

// Open logs a download of length bytes from offset (length < 0: to the
// end) in the access log (ActionScanRead), and returns a stream of them;
// ctx must last as long as the stream is read. A range outside the file
// is Unsatisfiable. A stream of the whole file checks it against its
// SHA-256 and ends with an Integrity error instead of io.EOF when they
// differ.
func (f *ScanFile) Open(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	const op = "scan.read"
	length, whole, ok := byteRange(f.Size, offset, length)
	if !ok {
		return nil, E(op, Unsatisfiable, nil, "scan %s has %d bytes; the range asked for lies outside them", f.ID, f.Size)
	}
	ev := Change{Action: ActionScanRead, Key: ScanContentKey(f.ID)}
	if !whole {
		ev.Detail = fmt.Sprintf("bytes %d-%d of %d", offset, offset+length-1, f.Size)
	}
	if err := f.a.logAccess(ctx, op, []Change{ev}); err != nil {
		return nil, err
	}
	return f.a.readScan(ctx, &f.Scan, f.key, offset, length, whole)
}

// readScan streams length bytes from offset of the content of scan s,
// which has file key key; a whole stream is checked against its SHA-256.
func (a *Archive) readScan(ctx context.Context, s *Scan, key []byte, offset, length int64, whole bool) (io.ReadCloser, error) {
	ck := ScanContentKey(s.ID)
	if _, ok := a.catalog.object(ck); !ok {
		return nil, E("scan.read", Integrity, nil, "the content of scan %s is not in the journal; run verify", s.ID)
	}
	rc, err := a.openSealed(ctx, ck, a.files.SealedOffset(offset))
	if err != nil {
		return nil, err
	}
	plain, err := a.files.DecryptReader(key, rc, offset)
	if err != nil {
		rc.Close()
		return nil, err
	}
	if whole {
		plain = &scanCheck{r: plain, h: sha256.New(), want: s.SHA256, id: s.ID}
	} else {
		plain = io.LimitReader(plain, length)
	}
	return readCloser{plain, rc}, nil
}

// scanCheck ends a stream of a whole scan with an Integrity error when
// its bytes are not those added.
type scanCheck struct {
	r    io.Reader
	h    hash.Hash
	want string
	id   ScanID
}

func (c *scanCheck) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		err = E("scan.read", Integrity, nil, "scan %s differs from the file added", c.id)
	}
	return n, err
}

// FileScan files scan id to record rid: its content becomes an
// attachment of the record, marked Scanned, under the record's key, and
// the scan leaves the inbox, filed (see the top of this file for the
// three journal entries, and why a crash between them files nothing
// twice). The caller must be allowed to change scans (Forbidden) and to
// attach files to the record (see NewUpload: NotFound, Forbidden, or
// Conflict for a record in a state that takes no files from them). A
// scan filed to rid already is returned as it is, so that a retry
// succeeds; one filed elsewhere or discarded is Conflict.
func (a *Archive) FileScan(ctx context.Context, id ScanID, rid RecordID) (*Scan, error) {
	const op = "scan.file"
	s, err := a.scanForChange(ctx, op, id)
	if err != nil {
		return nil, err
	}
	f := a.filingDone(s)
	switch {
	case f != nil && f.Record == rid:
		sc, _, err := a.openScan(ctx, s)
		return sc, err
	case f != nil:
		return nil, E(op, Conflict, nil, "scan %s is filed to record %s already", id, f.Record)
	case s.State == ScanDiscarded:
		return nil, E(op, Conflict, nil, "scan %s was discarded; a discarded scan is not filed", id)
	}
	sc, key, err := a.openScan(ctx, s)
	if err != nil {
		return nil, err
	}
	up, err := a.NewUpload(ctx, rid)
	if err != nil {
		return nil, err
	}
	up.Scanned = true
	att, err := a.attachScan(ctx, up, sc, key)
	if err != nil {
		up.Abort(ctx)
		return nil, err
	}
	begun := a.nextScan(s)
	begun.Filing = &ScanFiling{Record: rid, Attachment: att.ID, By: ActorFrom(ctx), At: a.now().UTC()}
	if err := a.putScan(ctx, op, ActionScanFiling, begun); err != nil {
		up.Abort(ctx)
		return nil, err
	}
	if _, err := up.Commit(ctx); err != nil {
		return nil, err
	}
	filed, err := a.markFiled(ctx, op, begun)
	if err != nil {
		return nil, err
	}
	out, _, err := a.openScan(ctx, filed)
	return out, err
}

// attachScan adds the content of scan sc, whose file key is key, to up
// as a file named as the scan is.
func (a *Archive) attachScan(ctx context.Context, up *Upload, sc *Scan, key []byte) (*Attachment, error) {
	rc, err := a.readScan(ctx, sc, key, 0, sc.Size, true)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return up.Add(ctx, sc.Name, sc.MediaType, rc)
}

// scanForChange returns the current version of scan id for a change by
// the caller, who must be allowed to change scans, after settling a
// filing it began (see settleFiling).
func (a *Archive) scanForChange(ctx context.Context, op string, id ScanID) (*storedScan, error) {
	if _, err := actor(ctx, op); err != nil {
		return nil, err
	}
	if err := a.mayScans(ctx, op, PermUpdate); err != nil {
		return nil, err
	}
	s, err := a.storedScanOf(op, id)
	if err != nil {
		return nil, err
	}
	return a.settleFiling(ctx, op, s)
}

// settleFiling marks scan s filed when a filing it began made its attachment
// (a crash came between the two), and returns its current version.
func (a *Archive) settleFiling(ctx context.Context, op string, s *storedScan) (*storedScan, error) {
	if s.State != ScanInbox || a.filingDone(s) == nil {
		return s, nil
	}
	filed, err := a.markFiled(ctx, op, s)
	if IsKind(err, Conflict) { // someone else settled it first
		return a.storedScanOf(op, s.ID)
	}
	return filed, err
}

// markFiled writes the version after begun, a scan whose filing began and
// whose attachment was journaled: the scan filed.
func (a *Archive) markFiled(ctx context.Context, op string, begun *storedScan) (*storedScan, error) {
	next := a.nextScan(begun)
	f := *begun.Filing
	next.State, next.Filed, next.Filing = ScanFiled, &f, nil
	return next, a.putScan(ctx, op, ActionScanFile, next)
}

// nextScan returns a copy of s as its next version.
func (a *Archive) nextScan(s *storedScan) *storedScan {
	n := *s
	n.Version++
	n.Source.Pages = slices.Clone(s.Source.Pages)
	return &n
}

// putScan writes next, a new version of a scan, create-only, and
// journals it as action: Conflict when someone else changed the scan
// first.
func (a *Archive) putScan(ctx context.Context, op, action string, next *storedScan) error {
	ch, err := scanKind.put(ctx, a, op, next)
	if err != nil {
		return err
	}
	return a.commit(ctx, action, ch, next)
}

// DiscardScan discards scan id from the inbox, for reason: a new version
// of the scan, journaled; its content is kept. The caller must be
// allowed to change scans (Forbidden). A scan discarded already is
// returned as it is, so that a retry succeeds; a filed one is Conflict.
// A reason that is missing or longer than 500 characters is Invalid.
func (a *Archive) DiscardScan(ctx context.Context, id ScanID, reason string) (*Scan, error) {
	const op = "scan.discard"
	s, err := a.scanForChange(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if f := a.filingDone(s); f != nil {
		return nil, E(op, Conflict, nil, "scan %s is filed to record %s; a filed scan is not discarded", id, f.Record)
	}
	if s.State == ScanDiscarded {
		sc, _, err := a.openScan(ctx, s)
		return sc, err
	}
	var c checker
	c.required("reason", reason)
	c.text("reason", reason, maxDiscardReason)
	if err := c.result(op, "discard"); err != nil {
		return nil, err
	}
	next := a.nextScan(s)
	next.State, next.Filing = ScanDiscarded, nil
	next.Discarded = &ScanDiscard{By: ActorFrom(ctx), At: a.now().UTC(), Reason: reason}
	if err := a.putScan(ctx, op, ActionScanDiscard, next); err != nil {
		return nil, err
	}
	out, _, err := a.openScan(ctx, next)
	return out, err
}

// MayChangeScan tells, before anything a request sends is read, whether
// the caller may file or discard scan id: NotFound when there is none,
// Forbidden when they may not change scans. The change checks again.
func (a *Archive) MayChangeScan(ctx context.Context, id ScanID) error {
	const op = "scan.change"
	if err := a.mayScans(ctx, op, PermUpdate); err != nil {
		return err
	}
	_, err := a.storedScanOf(op, id)
	return err
}
