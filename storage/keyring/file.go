package keyring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage"
)

const (
	formatV1 = "visitarchive-keyring/1"
	keyLen   = 32 // AES-256 and HMAC-SHA256 keys alike

	// maxFileSize bounds what Load reads: a key file of thousands of
	// rotations is still a few hundred kilobytes.
	maxFileSize = 1 << 20
)

// keyFile is the JSON of the key file; doc.go documents it.
type keyFile struct {
	Format     string    `json:"format"`
	Current    string    `json:"current"`
	MasterKeys []fileKey `json:"master_keys"`
	BlindKey   []byte    `json:"blind_key"`
}

type fileKey struct {
	ID      string    `json:"id"`
	Key     []byte    `json:"key"`
	Created time.Time `json:"created"`
}

// readFile opens, checks and parses the key file at path.
func readFile(op, path string) (*keyFile, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, visitarchive.E(op, visitarchive.NotFound, err,
			"no key file at %s; create one with `visitarchive keys init --key-file %s`", path, path)
	}
	if err != nil {
		return nil, ioError(op, "open key file", path, err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the mode checked is the mode of
	// the bytes read even if the file is replaced meanwhile.
	st, err := f.Stat()
	if err != nil {
		return nil, ioError(op, "stat key file", path, err)
	}
	if err := checkMode(op, path, st.Mode()); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, ioError(op, "read key file", path, err)
	}
	if len(data) > maxFileSize {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil,
			"key file %s is over %d bytes; it is not a key file", path, maxFileSize)
	}
	return parse(op, path, data)
}

// checkMode refuses anything but a regular file that only its owner may
// read: a key file others can read has leaked, or soon will.
func checkMode(op, path string, mode fs.FileMode) error {
	if !mode.IsRegular() {
		return visitarchive.E(op, visitarchive.Invalid, nil, "key file %s is not a regular file", path)
	}
	if perm := mode.Perm(); perm&0o077 != 0 {
		return visitarchive.E(op, visitarchive.Invalid, nil,
			"key file %s has mode %04o, so group or others can read it; run `chmod 600 %s` (and consider the keys exposed)",
			path, perm, path)
	}
	return nil
}

func parse(op, path string, data []byte) (*keyFile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	// Rotate rewrites the whole file: a field it does not know would be
	// dropped silently, so refuse it instead.
	dec.DisallowUnknownFields()
	var kf keyFile
	if err := dec.Decode(&kf); err != nil {
		return nil, visitarchive.E(op, visitarchive.Invalid, err, "key file %s is not valid key-file JSON", path)
	}
	if dec.More() {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "key file %s has data after its JSON object", path)
	}
	if err := kf.validate(); err != nil {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "key file %s: %v", path, err)
	}
	return &kf, nil
}

// validate names the first problem of kf. Its messages name ids and
// lengths, never key bytes.
func (kf *keyFile) validate() error {
	if kf.Format != formatV1 {
		return fmt.Errorf("format is %q, want %q", kf.Format, formatV1)
	}
	if len(kf.MasterKeys) == 0 {
		return errors.New("master_keys is empty")
	}
	seen := make(map[string]bool, len(kf.MasterKeys))
	for i, mk := range kf.MasterKeys {
		switch {
		case mk.ID == "":
			return fmt.Errorf("master key %d has no id", i)
		case seen[mk.ID]:
			return fmt.Errorf("master key id %q appears more than once", mk.ID)
		case len(mk.Key) != keyLen:
			return fmt.Errorf("master key %q is %d bytes, want %d", mk.ID, len(mk.Key), keyLen)
		}
		seen[mk.ID] = true
	}
	if !seen[kf.Current] {
		return fmt.Errorf("current master key %q is not in master_keys", kf.Current)
	}
	if len(kf.BlindKey) != keyLen {
		return fmt.Errorf("blind_key is %d bytes, want %d", len(kf.BlindKey), keyLen)
	}
	return nil
}

// writeFile writes kf to path through a fsynced temporary file in the same
// directory, so a crash leaves the old file or the new one. With create it
// links instead of renaming, which fails when path exists: Init must never
// replace a key file that data may depend on.
func writeFile(op, path string, kf *keyFile, create bool) (err error) {
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return visitarchive.E(op, visitarchive.Internal, err, "cannot encode key file")
	}
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, append(data, '\n'))
	if err != nil {
		return ioError(op, "write key file in", dir, err)
	}
	defer os.Remove(tmp) // after a link, or a failure; gone after a rename
	if create {
		err = os.Link(tmp, path)
	} else {
		err = os.Rename(tmp, path)
	}
	if errors.Is(err, fs.ErrExist) {
		return visitarchive.E(op, visitarchive.Conflict, nil,
			"key file %s already exists; refusing to overwrite it, data may depend on its keys", path)
	}
	if err != nil {
		return ioError(op, "write key file", path, err)
	}
	if err := storage.SyncDir(dir); err != nil {
		return ioError(op, "sync directory", dir, err)
	}
	return nil
}

// writeTemp writes data to a new fsynced file in dir and returns its path.
// os.CreateTemp creates it with mode 0600, before any key byte is written.
func writeTemp(dir string, data []byte) (path string, err error) {
	f, err := os.CreateTemp(dir, ".keyring-*.tmp")
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	return f.Name(), f.Sync()
}

// lockFile takes an exclusive flock on path+".lock" for a read, change and
// write of the key file: two Rotates at once would otherwise each write a
// file without the other's new key, and data keys wrapped under the lost
// one could never be unwrapped. The lock file is not the key file, whose
// inode each rename replaces.
func lockFile(op, path string) (unlock func(), err error) {
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, ioError(op, "open lock file", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, ioError(op, "lock", name, err)
	}
	return func() { f.Close() }, nil // closing drops the flock
}

// ioError turns a file-system failure into an error that says what could
// not be done to which path.
func ioError(op, what, path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return visitarchive.E(op, visitarchive.Forbidden, err, "cannot %s %s: permission denied", what, path)
	case errors.Is(err, fs.ErrNotExist):
		return visitarchive.E(op, visitarchive.NotFound, err, "cannot %s %s: no such file or directory", what, path)
	}
	return visitarchive.E(op, visitarchive.Internal, err, "cannot %s %s", what, path)
}
