package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// Manifest is the proof of one backup pass, stored in the target (and in
// the source, journaled) under visitarchive.BackupManifestKey(To).
type Manifest struct {
	Format int `json:"format"` // 1
	// From and To are the journal entries the pass copied: those after
	// From up to To; Head is the hash of entry To.
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
	Head string `json:"head"`
	// Previous is the key of the manifest before this one; "" for the first.
	Previous string    `json:"previous,omitempty"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	// Objects and Bytes are what the pass copied; Present the objects it
	// found in the target already, with the right hash.
	Objects int   `json:"objects"`
	Bytes   int64 `json:"bytes"`
	Present int   `json:"present"`
	// Deleted are the keys the pass removed from the target because an
	// entry recorded their removal from the store.
	Deleted []string `json:"deleted,omitempty"`
	// Files are the objects the pass put or found in the target, in the
	// order it copied them, and FilesHash the SHA-256 of their lines (see
	// filesHash), which proves the list itself.
	Files     []File `json:"files"`
	FilesHash string `json:"files_hash"`
}

// File is one object of a backup pass.
type File struct {
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// filesHash is the SHA-256 of the lines "<sha256> <size> <key>\n" of
// files, in order.
func filesHash(files []File) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s %d %s\n", f.SHA256, f.Size, f.Key)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		panic("backup: encode: " + err.Error())
	}
	return b.Bytes()
}

// lastManifest returns the newest manifest in target, or nil when it
// holds none.
func lastManifest(ctx context.Context, target va.Store) (*Manifest, error) {
	var last string
	for info, err := range target.List(ctx, va.BackupsPrefix, "") {
		if err != nil {
			return nil, fmt.Errorf("backup: list the manifests of the target: %w", err)
		}
		last = info.Key
	}
	if last == "" {
		return nil, nil
	}
	return readManifest(ctx, target, last)
}

// manifests returns every manifest in target, oldest first.
func manifests(ctx context.Context, target va.Store) ([]*Manifest, error) {
	var out []*Manifest
	for info, err := range target.List(ctx, va.BackupsPrefix, "") {
		if err != nil {
			return nil, fmt.Errorf("backup: list the manifests of the target: %w", err)
		}
		m, err := readManifest(ctx, target, info.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func readManifest(ctx context.Context, target va.Store, key string) (*Manifest, error) {
	rc, _, err := target.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("backup: read manifest %s: %w", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("backup: read manifest %s: %w", key, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, va.E("backup", va.Integrity, err, "manifest %s is not valid JSON", key)
	}
	if m.FilesHash != filesHash(m.Files) || va.BackupManifestKey(m.To) != key {
		return nil, va.E("backup", va.Integrity, nil, "manifest %s was altered: its list of files does not match its hash", key)
	}
	return &m, nil
}
