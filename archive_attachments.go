package visitarchive

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// Attachments: files attached to a record. An upload streams each file
// through a hash of its plain bytes and the FileSealer into the store
// (attachments/<record>/<id>.bin), writes its metadata beside it
// (<id>.json) and the job that will extract its text (jobs/<id>/,
// archive_jobs.go), and journals every file of the upload in one entry
// once all have arrived; an upload that fails removes what it wrote, so that
// nothing partial and no entry remains. Nothing is ever removed
// otherwise: destroying the record's data key leaves the content
// unreadable for good.
//
// Each file has its own key, derived (HKDF-SHA-256) from the record's data
// key and bound to the file's id; the metadata seals the file's name and
// SHA-256 under it, since a name ("王总名片 13912345678.jpg") or the hash
// of a short text can tell what the content is.

// ActionAttach is the journal action of the objects of an upload;
// ActionAttachmentRead is the access event of a download.
const (
	ActionAttach         = "attachment.add"
	ActionAttachmentRead = "attachment.read"
)

// FieldsAttachments names the list of a record's attachments in an access
// event (ActionRead).
const FieldsAttachments = "attachments"

// storedAttachment is the metadata object of an attachment: name and
// SHA-256 empty, sealed in Sealed.
type storedAttachment struct {
	Attachment
	Sealed *envelope `json:"sealed"`
}

// attachmentSecrets is the plain text inside an attachment's envelope.
type attachmentSecrets struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// attachmentAAD binds an attachment's sealed data to its record and id.
func attachmentAAD(rid RecordID, id string) string { return "attachment/" + string(rid) + "/" + id }

// fileKey derives the key of attachment id of record rid from the
// record's data key.
func fileKey(dataKey []byte, rid RecordID, id string) ([]byte, error) {
	return hkdf.Key(sha256.New, dataKey, nil, "visitarchive "+attachmentAAD(rid, id), 32)
}

// attachStates are the states in which someone may attach files to a
// record (policy: PermAttach).
var attachStates = []RecordStatus{StatusDraft, StatusReturned, StatusArchived}

// mayAttach checks that the caller may attach files to record rid now:
// NotFound when they may not read it, Conflict when another state of it
// would let them, Forbidden otherwise.
func (a *Archive) mayAttach(ctx context.Context, op string, rid RecordID) (*storedRecord, error) {
	if a.files == nil {
		return nil, E(op, Unavailable, nil, "this server keeps no attachments: no file encryption is configured")
	}
	cur, err := a.loadRecord(ctx, op, rid)
	if err != nil {
		return nil, err
	}
	res := RecordResource(&cur.Record)
	if err := a.visible(ctx, op, res, string(rid)); err != nil {
		return nil, err
	}
	if err := a.allow(ctx, op, PermAttach, res); !IsKind(err, Forbidden) {
		return cur, err
	}
	for _, st := range attachStates {
		other := res
		other.Status = st
		if a.Allowed(ctx, PermAttach, other) {
			return nil, E(op, Conflict, nil, "record %s is %s: files are attached to a record while it is a draft or returned for correction, and to an archived one by an archivist", rid, res.Status)
		}
	}
	return nil, E(op, Forbidden, nil, "your roles do not allow you to %s this %s", Word(PermAttach), Word(KindRecord))
}

// Upload adds files to one record: each file is written as it streams in,
// and Commit journals them all in one entry, or Abort removes them. An
// Upload is used by one goroutine.
type Upload struct {
	// Scanned marks the files added after it is set as the record's
	// scanned paper form.
	Scanned bool

	a       *Archive
	record  RecordID
	dataKey []byte
	changes []Change // the objects written, the new data key's first
	added   []*Attachment
	closed  bool
}

// NewUpload starts adding files to record rid, if the caller may (see
// mayAttach). A record without a data key gets one, written now and
// journaled with the files.
func (a *Archive) NewUpload(ctx context.Context, rid RecordID) (*Upload, error) {
	const op = ActionAttach
	if _, err := actor(ctx, op); err != nil {
		return nil, err
	}
	if _, err := a.mayAttach(ctx, op, rid); err != nil {
		return nil, err
	}
	u := &Upload{a: a, record: rid}
	prefix := RecordDataKeyPrefix(rid)
	k, err := a.dataKey(ctx, prefix)
	switch {
	case IsKind(err, NotFound):
		k, err = u.newDataKey(ctx, op, prefix)
	case err == errKeyDestroyed:
		return nil, E(op, Conflict, err, "the data key of record %s was destroyed: it takes no more files", rid)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: data key of record %s: %w", op, rid, err)
	}
	u.dataKey = k
	return u, nil
}

// newDataKey writes version 1 of the record's data key. It is not cached
// until the upload is journaled, so that nothing else is sealed with a key
// that may yet be removed; a concurrent first write of the record's key
// makes one of the two fail.
func (u *Upload) newDataKey(ctx context.Context, op, prefix string) ([]byte, error) {
	k, w, err := u.a.keys.NewDataKey()
	if err != nil {
		return nil, err
	}
	key := prefix + fmt.Sprintf("%010d.json", 1)
	info, err := u.a.put(ctx, key, w)
	if IsKind(err, Conflict) {
		return nil, E(op, Conflict, err, "record %s is being written by another request; try again", u.record)
	}
	if err != nil {
		return nil, err
	}
	u.wrote(Change{Action: "datakey.create", Key: key, SHA256: info.SHA256})
	return k, nil
}

// wrote records an object of the upload, which RemoveUnrecorded leaves
// alone until the upload ends.
func (u *Upload) wrote(c Change) {
	u.changes = append(u.changes, c)
	u.a.uploading.Store(c.Key, struct{}{})
}

// isUploading reports whether key belongs to an upload in progress.
func (a *Archive) isUploading(key string) bool {
	_, ok := a.uploading.Load(key)
	return ok
}

// Add streams the file named name from r into the store, encrypted, and
// returns its attachment, not yet journaled. mediaType is what the caller
// detected from the content (see AttachmentMediaType): a type the archive
// does not take is Unsupported. An empty file is BadRequest; an error
// reading r is returned as it is when it is an *Error (the caller's limits:
// TooLarge), and as BadRequest otherwise (the upload was cut short).
// Whatever fails, nothing of the file remains.
func (u *Upload) Add(ctx context.Context, name, mediaType string, r io.Reader) (*Attachment, error) {
	const op = ActionAttach
	if u.closed {
		return nil, E(op, Internal, nil, "the upload is over")
	}
	var c checker
	c.fileName("name", name)
	if err := c.result(op, "file"); err != nil {
		return nil, err
	}
	mt, ok := AttachmentMediaType(mediaType, name)
	if !ok {
		return nil, E(op, Unsupported, nil, "%q is a file of type %s, which the archive does not take: it takes PDF, JPEG, PNG, TIFF, plain text, Word and Excel files", name, mediaType)
	}
	now := u.a.now().UTC()
	att := &Attachment{ID: NewID("F", now), Record: u.record, Name: name, MediaType: mt,
		UploadedBy: ActorFrom(ctx), UploadedAt: now, Scanned: u.Scanned,
		Text: AttachmentText{Job: NewID("J", now), State: TextQueued}}
	key, err := fileKey(u.dataKey, u.record, att.ID)
	if err != nil {
		return nil, err
	}
	if err := u.putContent(ctx, op, att, key, r); err != nil {
		return nil, err
	}
	if err := u.putMeta(ctx, att, key); err != nil {
		return nil, err
	}
	if err := u.putJob(ctx, att); err != nil {
		return nil, err
	}
	u.added = append(u.added, att)
	return att, nil
}

// putContent streams r, encrypted under key, to the content object of
// att, and sets att's size and hash.
func (u *Upload) putContent(ctx context.Context, op string, att *Attachment, key []byte, r io.Reader) error {
	src := &hashingReader{r: r, h: sha256.New()}
	sealed, err := u.a.files.EncryptReader(key, src)
	if err != nil {
		return err
	}
	ck := AttachmentContentKey(att.Record, att.ID)
	u.a.uploading.Store(ck, struct{}{})
	info, err := u.a.store.Put(ctx, ck, sealed, -1)
	switch {
	case src.err != nil:
		err = sourceError(op, att.Name, src.err)
	case err == nil && src.n == 0:
		err = E(op, BadRequest, nil, "file %q is empty", att.Name)
	}
	if err != nil {
		if info.Key != "" {
			u.a.dropObject(ctx, ck)
		}
		u.a.uploading.Delete(ck)
		return err
	}
	att.Size, att.SHA256 = src.n, hex.EncodeToString(src.h.Sum(nil))
	u.wrote(Change{Action: ActionAttach, Key: ck, SHA256: info.SHA256})
	return nil
}

// sourceError is what an error reading a file's source says: the caller's
// own error (a limit), or that the file was cut short.
func sourceError(op, name string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return E(op, BadRequest, err, "the upload of %q ended before the file did", name)
}

// putMeta writes the metadata object of att, with its name and hash
// sealed under key.
func (u *Upload) putMeta(ctx context.Context, att *Attachment, key []byte) error {
	s := storedAttachment{Attachment: *att}
	s.Name, s.SHA256 = "", ""
	var err error
	s.Sealed, err = seal(key, attachmentSecrets{Name: att.Name, SHA256: att.SHA256}, attachmentAAD(att.Record, att.ID))
	if err != nil {
		return err
	}
	mk := AttachmentKey(att.Record, att.ID)
	u.a.uploading.Store(mk, struct{}{})
	info, err := u.a.put(ctx, mk, &s)
	if err != nil {
		u.a.uploading.Delete(mk)
		return err
	}
	u.wrote(Change{Action: ActionAttach, Key: mk, SHA256: info.SHA256})
	return nil
}

// Commit journals the files of the upload, the jobs that extract their
// text and the data key it made, in one entry, and returns their
// attachments. The caller must still be
// allowed to attach files to the record, which may have moved on while
// they came in. On any error the upload is aborted.
func (u *Upload) Commit(ctx context.Context) ([]*Attachment, error) {
	const op = ActionAttach
	if u.closed {
		return nil, E(op, Internal, nil, "the upload is over")
	}
	if len(u.added) == 0 {
		u.Abort(ctx)
		return nil, E(op, BadRequest, nil, "the upload holds no file")
	}
	if _, err := u.a.mayAttach(ctx, op, u.record); err != nil {
		u.Abort(ctx)
		return nil, err
	}
	// Another process (verify --remove-unrecorded) knows nothing of this
	// upload, and may have removed what it wrote long ago.
	for _, c := range u.changes {
		if _, err := u.a.store.Stat(ctx, c.Key); err != nil {
			u.Abort(ctx)
			if IsKind(err, NotFound) {
				err = E(op, Unavailable, err, "the upload took so long that its first files were removed as abandoned; send it again")
			}
			return nil, err
		}
	}
	actor := ActorFrom(ctx)
	for i := range u.changes {
		u.changes[i].Actor = actor
	}
	if _, err := u.a.append(ctx, u.changes...); err != nil {
		u.Abort(ctx)
		return nil, fmt.Errorf("%s: journal: %w", op, err)
	}
	u.end()
	u.a.wakeJobs()
	return u.added, nil
}

// Abort removes what the upload wrote. It may be called after Commit,
// which it then leaves alone.
func (u *Upload) Abort(ctx context.Context) {
	if u.closed {
		return
	}
	for _, c := range u.changes {
		u.a.dropObject(ctx, c.Key)
	}
	u.end()
}

func (u *Upload) end() {
	u.closed = true
	for _, c := range u.changes {
		u.a.uploading.Delete(c.Key)
	}
}

// AddAttachment attaches one file to record rid: an Upload of one file.
func (a *Archive) AddAttachment(ctx context.Context, rid RecordID, name, mediaType string, r io.Reader) (*Attachment, error) {
	u, err := a.NewUpload(ctx, rid)
	if err != nil {
		return nil, err
	}
	att, err := u.Add(ctx, name, mediaType, r)
	if err != nil {
		u.Abort(ctx)
		return nil, err
	}
	if _, err := u.Commit(ctx); err != nil {
		return nil, err
	}
	return att, nil
}

// hashingReader hashes and counts what is read through it, and keeps the
// first error other than io.EOF.
type hashingReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	err error
}

func (s *hashingReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	s.n += int64(n)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// Attachments returns the attachments of record rid, oldest first, if the
// caller may read the record; the read is logged.
func (a *Archive) Attachments(ctx context.Context, rid RecordID) ([]Attachment, error) {
	const op = "attachment.list"
	s, err := a.loadRecord(ctx, op, rid)
	if err != nil {
		return nil, err
	}
	if err := a.visible(ctx, op, RecordResource(&s.Record), string(rid)); err != nil {
		return nil, err
	}
	out, err := a.attachments(ctx, rid)
	if err != nil {
		return nil, err
	}
	ev := Change{Action: ActionRead, Key: RecordKey(rid, s.Version), Fields: []string{FieldsAttachments}}
	return out, a.logAccess(ctx, op, []Change{ev})
}

// attachments reads the attachments of record rid that the journal
// recorded, oldest first.
func (a *Archive) attachments(ctx context.Context, rid RecordID) ([]Attachment, error) {
	out := []Attachment{}
	var dataKey []byte
	var keyErr error
	for _, e := range a.catalog.objects(AttachmentsPrefix + string(rid) + "/") {
		if !isAttachmentMeta(e.key) {
			continue
		}
		if len(out) == 0 {
			dataKey, keyErr = a.dataKey(ctx, RecordDataKeyPrefix(rid))
		}
		var s storedAttachment
		if err := readSealed(ctx, a.store, e.key, e.sum, &s); err != nil {
			return nil, err
		}
		att, _, err := openAttachment(&s, dataKey, keyErr)
		if err != nil {
			return nil, err
		}
		att.Text = a.textState(att.Text)
		out = append(out, *att)
	}
	return out, nil
}

// isAttachmentMeta reports whether key is the metadata object of an
// attachment (<id>.json), not its content or its text.
func isAttachmentMeta(key string) bool {
	base := key[strings.LastIndexByte(key, '/')+1:]
	return strings.HasSuffix(base, ".json") && strings.Count(base, ".") == 1
}

// openAttachment returns the attachment in s with its name and hash, and
// its file key, under the record's data key (or the error reading it: a
// destroyed key leaves them hidden, and the file key nil).
func openAttachment(s *storedAttachment, dataKey []byte, keyErr error) (*Attachment, []byte, error) {
	att := s.Attachment
	if keyErr == errKeyDestroyed || IsKind(keyErr, NotFound) {
		att.Hidden = []string{"name: data key destroyed", "sha256: data key destroyed", "content: data key destroyed"}
		return &att, nil, nil
	}
	if keyErr != nil {
		return nil, nil, keyErr
	}
	key, err := fileKey(dataKey, att.Record, att.ID)
	if err != nil {
		return nil, nil, err
	}
	var secrets attachmentSecrets
	if err := unseal(key, s.Sealed, attachmentAAD(att.Record, att.ID), &secrets); err != nil {
		return nil, nil, err
	}
	att.Name, att.SHA256 = secrets.Name, secrets.SHA256
	return &att, key, nil
}

// AttachmentFile is an attachment opened for reading: its metadata, and
// Open, which streams its content.
type AttachmentFile struct {
	Attachment
	a   *Archive
	key []byte // the file key
}

// OpenAttachment returns attachment id of record rid for reading, if the
// caller may read the record: NotFound when they may not or there is no
// such attachment, Gone when the record's data key was destroyed. Nothing
// is logged until Open.
func (a *Archive) OpenAttachment(ctx context.Context, rid RecordID, id string) (*AttachmentFile, error) {
	const op = "attachment.get"
	if a.files == nil {
		return nil, E(op, Unavailable, nil, "this server keeps no attachments: no file encryption is configured")
	}
	s, err := a.loadRecord(ctx, op, rid)
	if err != nil {
		return nil, err
	}
	if err := a.visible(ctx, op, RecordResource(&s.Record), string(rid)); err != nil {
		return nil, err
	}
	var stored storedAttachment
	err = E(op, NotFound, nil, "attachment %s of record %s not found", id, rid)
	if ValidID(id) {
		if rerr := a.readObject(ctx, AttachmentKey(rid, id), &stored); !IsKind(rerr, NotFound) {
			err = rerr
		}
	}
	if err != nil {
		return nil, err
	}
	dataKey, keyErr := a.dataKey(ctx, RecordDataKeyPrefix(rid))
	att, key, err := openAttachment(&stored, dataKey, keyErr)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, E(op, Gone, nil, "the content of attachment %s was destroyed with the data key of record %s", id, rid)
	}
	att.Text = a.textState(att.Text)
	return &AttachmentFile{Attachment: *att, a: a, key: key}, nil
}

// byteRange resolves the range of length bytes from offset (length < 0:
// to the end) of a file of size bytes: its length, whether it is the
// whole file, and false when it lies outside the file or is empty.
func byteRange(size, offset, length int64) (n int64, whole, ok bool) {
	whole = offset == 0 && (length < 0 || length == size)
	if length < 0 {
		length = size - offset
	}
	return length, whole, offset >= 0 && length > 0 && offset+length <= size
}

// Open logs a download of length bytes from offset (length < 0: to the
// end) in the access log, and returns a stream of them; ctx must last as
// long as the stream is read. A range outside the file is Unsatisfiable.
// A stream of the whole file checks it against its SHA-256 and ends with
// an Integrity error instead of io.EOF when they differ.
func (f *AttachmentFile) Open(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	const op = "attachment.read"
	length, whole, ok := byteRange(f.Size, offset, length)
	if !ok {
		return nil, E(op, Unsatisfiable, nil, "attachment %s has %d bytes; the range asked for lies outside them", f.ID, f.Size)
	}
	ck := AttachmentContentKey(f.Record, f.ID)
	if _, ok := f.a.catalog.object(ck); !ok {
		return nil, E(op, Integrity, nil, "the content of attachment %s is not in the journal; run verify", f.ID)
	}
	ev := Change{Action: ActionAttachmentRead, Key: ck}
	if !whole {
		ev.Detail = fmt.Sprintf("bytes %d-%d of %d", offset, offset+length-1, f.Size)
	}
	if err := f.a.logAccess(ctx, op, []Change{ev}); err != nil {
		return nil, err
	}
	rc, err := f.a.openSealed(ctx, ck, f.a.files.SealedOffset(offset))
	if err != nil {
		return nil, err
	}
	plain, err := f.a.files.DecryptReader(f.key, rc, offset)
	if err != nil {
		rc.Close()
		return nil, err
	}
	if whole {
		plain = &checkingReader{r: plain, h: sha256.New(), want: f.SHA256, id: f.ID}
	} else {
		plain = io.LimitReader(plain, length)
	}
	return readCloser{plain, rc}, nil
}

// openSealed opens the object at key from byte offset on: at once on a
// store that reads ranges (RangeStore), else by skipping what is before.
func (a *Archive) openSealed(ctx context.Context, key string, offset int64) (io.ReadCloser, error) {
	if rs, ok := a.store.(RangeStore); ok {
		return rs.GetRange(ctx, key, offset)
	}
	rc, _, err := a.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if _, err := io.CopyN(io.Discard, rc, offset); err != nil {
		rc.Close()
		return nil, E("attachment.read", Integrity, err, "the content of %s is shorter than its metadata says", key)
	}
	return rc, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// checkingReader ends a stream of a whole attachment with an Integrity
// error when its bytes are not those uploaded.
type checkingReader struct {
	r    io.Reader
	h    hash.Hash
	want string
	id   string
}

func (c *checkingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		err = E("attachment.read", Integrity, nil, "attachment %s differs from the file uploaded", c.id)
	}
	return n, err
}
