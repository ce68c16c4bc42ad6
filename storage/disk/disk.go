// Package disk is the embedded default visitarchive.Store: one directory on
// a local file system, no server to run.
//
// # Layout
//
//	<dir>/LOCK              held shared by every open Store (flock)
//	<dir>/objects/<key>     one file per object; key segments are directories
//	<dir>/tmp/              objects being written; stale ones are removed at Open
//
// # File format
//
// Each object file starts with a fixed 128-byte ASCII header, then the body:
//
//	"visitarchive object v1\n"
//	"sha256 " <64 lower-case hex digits of the body's SHA-256> "\n"
//	"size " <body length, 20 decimal digits> "\n"
//	"\n" padding up to byte 128
//
// The header holds what was recorded at write, so that Get can tell a body
// that changed or was cut short after the fact (it returns an Integrity
// error at the end of the read), and Stat and List need not read the body.
//
// # Durability
//
// Put writes the header's space, streams the body into a temporary file
// while hashing it, writes the header, fsyncs the file, and publishes it
// with link(2), which fails when the key exists: that is the create-only
// check, atomic even between processes. The directory is fsynced before Put
// returns. A crash at any instant leaves the whole object or nothing under
// objects/; a leftover temporary is invisible and removed by the next Open.
// PutBatch does the same for many objects with two file-system syncs in all,
// for bulk imports.
//
// # Limits
//
// The disk store does not provide WORM immutability: anyone with access to
// the directory can change or remove files. Changes are detected (Get
// checks the hash), not prevented. A key cannot also be a directory of
// other keys ("a" and "a/b"); the second Put is a Conflict. The object-key
// layout (objectkeys.go in the root package) never does this.
package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage"
	"golang.org/x/sys/unix"
)

// Store is a visitarchive.Store in a local directory. It is safe for
// concurrent use, and several processes may open the same directory.
type Store struct {
	root string   // the directory given to Open
	lock *os.File // LOCK, flocked shared until Close

	// dirs holds the object directories (relative to objects/) whose entry
	// in their parent this Store has fsynced. A directory found in place
	// may have been created by a concurrent Put that has not synced it yet,
	// so it is trusted only after one fsync of its parent.
	dirs sync.Map

	// group makes concurrent Puts durable with one sync of the file system
	// between them, instead of one sync per file and directory each.
	group groupSync
}

var _ visitarchive.Store = (*Store)(nil)

// Open opens the store in dir, creating it when needed. When no other
// Store has dir open, Open removes temporaries that a crash left behind.
func Open(dir string) (*Store, error) {
	const op = "disk.open"
	s := &Store{root: dir}
	for _, d := range []string{dir, s.objects(), s.tmp()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, ioError(op, "", err)
		}
	}
	// Make a new store's own directories durable before any object relies
	// on them.
	for _, d := range []string{filepath.Dir(filepath.Clean(dir)), dir} {
		if err := storage.SyncDir(d); err != nil {
			return nil, ioError(op, "", err)
		}
	}
	if err := s.lockAndClean(); err != nil {
		return nil, ioError(op, "", err)
	}
	return s, nil
}

// lockAndClean takes the exclusive lock if it can, which proves that no
// other Store is writing temporaries, and removes the stale ones; then it
// holds the lock shared so that later Opens elsewhere leave ours alone.
func (s *Store) lockAndClean() error {
	f, err := os.OpenFile(filepath.Join(s.root, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	fd := int(f.Fd())
	if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil {
		err = s.cleanTmp()
	}
	if err == nil {
		err = unix.Flock(fd, unix.LOCK_SH)
	}
	if err != nil {
		f.Close()
		return err
	}
	s.lock = f
	return nil
}

func (s *Store) cleanTmp() error {
	entries, err := os.ReadDir(s.tmp())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(s.tmp(), e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the directory lock. The Store must not be used after.
func (s *Store) Close() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close() // closing the descriptor drops the flock
	s.lock = nil
	return err
}

// Dir returns the directory the store lives in.
func (s *Store) Dir() string { return s.root }

// Path returns the file that holds key. It is for tests and repair tools
// that need the raw file; normal access goes through Get.
func (s *Store) Path(key string) (string, error) {
	if err := storage.ValidKey(key); err != nil {
		return "", err
	}
	return s.objPath(key), nil
}

func (s *Store) objects() string { return filepath.Join(s.root, "objects") }
func (s *Store) tmp() string     { return filepath.Join(s.root, "tmp") }

// objPath maps a key, or a directory of keys, to its file. Only validated
// keys reach it; their segments cannot be "..", so the result stays under
// objects/.
func (s *Store) objPath(rel string) string {
	return filepath.Join(s.objects(), filepath.FromSlash(rel))
}

// Put implements visitarchive.Store.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) (visitarchive.ObjectInfo, error) {
	return s.putWith(ctx, key, r, size, func(do func() error) func() error { return do })
}

// putWith is Put with each sync passed through wrap (tests count them).
func (s *Store) putWith(ctx context.Context, key string, r io.Reader, size int64, wrap func(func() error) func() error) (visitarchive.ObjectInfo, error) {
	const op = "disk.put"
	if err := validKeyAbsent(s, op, key); err != nil {
		return visitarchive.ObjectInfo{}, err
	}
	t, err := s.writeTemp(ctx, key, r, size, false)
	if err != nil {
		return visitarchive.ObjectInfo{}, err
	}
	defer os.Remove(t.path)
	var dirs []string
	if err := s.publish(op, t, &dirs); err != nil {
		return visitarchive.ObjectInfo{}, err
	}
	own := wrap(func() error { return s.syncOwn(op, key, dirs) })
	if err := s.group.sync(own, wrap(func() error { return s.syncfs(op) })); err != nil {
		// A failed Put leaves nothing visible, even this late.
		unix.Unlink(s.objPath(key))
		return visitarchive.ObjectInfo{}, err
	}
	for _, d := range dirs {
		s.dirs.Store(d, struct{}{})
	}
	return t.info, nil
}

// syncOwn makes durable the object at key and the directories dirs that
// its Put created: the file, the entry of each new directory in its
// parent, and the object's entry in its directory.
func (s *Store) syncOwn(op, key string, dirs []string) error {
	f, err := os.Open(s.objPath(key))
	if err != nil {
		return ioError(op, key, err)
	}
	err = f.Sync()
	f.Close()
	for _, d := range dirs {
		if err == nil {
			err = storage.SyncDir(s.objPath(parentDir(d)))
		}
	}
	if err == nil {
		err = storage.SyncDir(s.objPath(parentDir(key)))
	}
	if err != nil {
		return ioError(op, key, err)
	}
	return nil
}

// validKeyAbsent checks key and refuses early a key that exists, rather
// than stream a large body first; the link stays the authoritative check.
func validKeyAbsent(s *Store, op, key string) error {
	if err := storage.ValidKey(key); err != nil {
		return err
	}
	if _, err := os.Lstat(s.objPath(key)); err == nil {
		return conflict(op, key, nil)
	}
	return nil
}

// publish links the finished temporary under its key. With batch set, the
// directories it creates are not synced but appended to batch, for one
// sync of the whole file system afterwards.
func (s *Store) publish(op string, t *temp, batch *[]string) error {
	err := s.link(t, batch)
	if errors.Is(err, fs.ErrNotExist) {
		// A directory this Store knew was removed behind its back (by
		// hand, or a restore): forget what it knew and try once more.
		s.dirs.Clear()
		err = s.link(t, batch)
	}
	return mapExists(op, t.info.Key, err)
}

func (s *Store) link(t *temp, batch *[]string) error {
	if err := s.ensureDir(parentDir(t.info.Key), batch); err != nil {
		return err
	}
	return os.Link(t.path, s.objPath(t.info.Key))
}

// mapExists turns the errors that mean "the key, or a file where a
// directory of it should be, is already there" into Conflict.
func mapExists(op, key string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist), errors.Is(err, syscall.ENOTDIR):
		return conflict(op, key, err)
	default:
		return ioError(op, key, err)
	}
}

// ensureDir makes the object directory rel exist with a durable entry in
// its parent, creating its ancestors the same way. With batch set it leaves
// the syncing to the caller and appends what it has not synced to batch.
func (s *Store) ensureDir(rel string, batch *[]string) error {
	if rel == "" {
		return nil
	}
	if _, ok := s.dirs.Load(rel); ok {
		return nil
	}
	parent := parentDir(rel)
	if err := s.ensureDir(parent, batch); err != nil {
		return err
	}
	if err := mkdir(s.objPath(rel)); err != nil {
		return err
	}
	if batch != nil {
		*batch = append(*batch, rel)
		return nil
	}
	if err := storage.SyncDir(s.objPath(parent)); err != nil {
		return err
	}
	s.dirs.Store(rel, struct{}{})
	return nil
}

// mkdir creates dir, or finds it in place. A file in its place is ENOTDIR:
// that key is an object and cannot also hold keys.
func mkdir(dir string) error {
	err := os.Mkdir(dir, 0o755)
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	if st, serr := os.Lstat(dir); serr != nil || !st.IsDir() {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
	}
	return nil
}

// parentDir is the directory part of a key: "" for a top-level key.
func parentDir(key string) string {
	d := path.Dir(key)
	if d == "." {
		return ""
	}
	return d
}

// Get implements visitarchive.Store.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, visitarchive.ObjectInfo, error) {
	const op = "disk.get"
	f, info, err := s.open(op, key)
	if err != nil {
		return nil, visitarchive.ObjectInfo{}, err
	}
	return storage.NewVerifier(key, f, info.Size, info.SHA256), info, nil
}

// GetRange implements visitarchive.RangeStore.
func (s *Store) GetRange(ctx context.Context, key string, offset int64) (io.ReadCloser, error) {
	const op = "disk.getrange"
	if offset < 0 {
		return nil, visitarchive.E(op, visitarchive.Invalid, nil, "negative offset %d", offset)
	}
	f, info, err := s.open(op, key)
	if err != nil {
		return nil, err
	}
	offset = min(offset, info.Size)
	if _, err := f.Seek(offset, io.SeekCurrent); err != nil {
		f.Close()
		return nil, ioError(op, key, err)
	}
	return rangeReader{io.LimitReader(f, info.Size-offset), f}, nil
}

type rangeReader struct {
	io.Reader
	io.Closer
}

// Stat implements visitarchive.Store.
func (s *Store) Stat(ctx context.Context, key string) (visitarchive.ObjectInfo, error) {
	f, info, err := s.open("disk.stat", key)
	if err != nil {
		return visitarchive.ObjectInfo{}, err
	}
	f.Close()
	return info, nil
}

// open opens the file of key positioned at the start of its body, with the
// info its header records.
func (s *Store) open(op, key string) (*os.File, visitarchive.ObjectInfo, error) {
	if err := storage.ValidKey(key); err != nil {
		return nil, visitarchive.ObjectInfo{}, err
	}
	f, err := os.OpenFile(s.objPath(key), os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, visitarchive.ObjectInfo{}, openError(op, key, err)
	}
	info, err := readHeader(op, key, f)
	if err != nil {
		f.Close()
		return nil, visitarchive.ObjectInfo{}, err
	}
	return f, info, nil
}

// Delete implements visitarchive.Store. Empty directories stay: removing
// them would race with a Put that is about to link into them.
func (s *Store) Delete(ctx context.Context, key string) error {
	const op = "disk.delete"
	if err := storage.ValidKey(key); err != nil {
		return err
	}
	// unlink(2), not os.Remove: that would also remove an empty directory
	// that merely shares a key's name.
	if err := unix.Unlink(s.objPath(key)); err != nil {
		return openError(op, key, err)
	}
	if err := storage.SyncDir(s.objPath(parentDir(key))); err != nil {
		return ioError(op, key, err)
	}
	return nil
}

// openError maps the errors of opening or removing a key's file: a missing
// file, a missing directory on the way, or a directory in its place all
// mean there is no such object.
func openError(op, key string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR),
		errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.ELOOP):
		return visitarchive.E(op, visitarchive.NotFound, err, "no object %s", key)
	default:
		return ioError(op, key, err)
	}
}

func conflict(op, key string, err error) error {
	return visitarchive.E(op, visitarchive.Conflict, err, "object %s already exists", key)
}

// ioError classifies a file-system failure. A full disk is Unavailable
// (space can be freed and the request retried); the rest is Internal.
func ioError(op, key string, err error) error {
	var e *visitarchive.Error
	if errors.As(err, &e) {
		return err
	}
	if key != "" {
		err = fmt.Errorf("%s: %w", key, err)
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return visitarchive.E(op, visitarchive.Unavailable, err, "storage is full")
	}
	return visitarchive.E(op, visitarchive.Internal, err, "storage failed")
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
