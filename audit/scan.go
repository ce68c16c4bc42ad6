package audit

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	va "github.com/visitarchive/visitarchive"
)

// storeScan is what one read of every object of the store found, for
// usability.decode and security.plaintext: the store is read once for
// both (and once more by the verification of the journal).
type storeScan struct {
	objects, jsons int       // objects read, of them JSON
	undecodable    []Finding // JSON objects that do not parse
	plain          []Finding // objects that hold a sensitive value in clear
}

// scanStore reads every object of the store.
func (r *run) scanStore(ctx context.Context) error {
	for info, err := range r.Store.List(ctx, "", "") {
		if err != nil && !va.IsKind(err, va.Integrity) {
			return err
		}
		b, altered, err := r.raw(ctx, info.Key)
		if err != nil {
			return err
		}
		r.scan.objects++
		r.progress("reading every object", r.scan.objects, 0)
		r.scanObject(info.Key, b, altered)
	}
	return nil
}

func (r *run) scanObject(key string, b []byte, altered bool) {
	if strings.HasSuffix(key, ".json") {
		r.scan.jsons++
		// An altered object is named by authenticity.hashes; its bytes
		// are no longer what was written, parsed or not.
		if !altered && !json.Valid(b) {
			r.scan.undecodable = append(r.scan.undecodable, Finding{Object: key, Record: recordOf(key), Detail: "is not valid JSON"})
		}
	}
	for _, rec := range r.secrets.in(b) {
		r.scan.plain = append(r.scan.plain, Finding{Object: key, Record: rec,
			Detail: "holds a contact detail or decision-chain text of record " + rec + " in clear"})
	}
}

// raw reads the bytes of key, whatever its checksum says, and whether
// they differ from what was written; nothing when it was removed
// meanwhile.
func (r *run) raw(ctx context.Context, key string) ([]byte, bool, error) {
	rc, _, err := r.Store.Get(ctx, key)
	if va.IsKind(err, va.NotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if va.IsKind(err, va.Integrity) {
		return b, true, nil
	}
	return b, false, err
}
