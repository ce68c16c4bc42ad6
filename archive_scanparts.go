package visitarchive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
)

// Filing the parts of scanned batches to their records (ScanUpload), and
// knowing them again: a part of page images by the SHA-256 of its files,
// a part of a PDF by the mark of its filing (scanparts/), since the PDF of
// a part is written anew each time it is cut.

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
