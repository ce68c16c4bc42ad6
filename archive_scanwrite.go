package visitarchive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// Writing a new scan: its data key, its content, encrypted, and its
// version 1, not journaled until the ScanUpload that wrote them keeps
// them (or removes them again).

// newScan is a scan written and not yet journaled: its stored form and
// the changes of its objects (data key, content, version 1).
type newScan struct {
	stored  *storedScan
	changes []Change
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
