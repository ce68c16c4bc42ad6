package disk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/storagetest"
)

func open(t testing.TB, dir string) *disk.Store {
	t.Helper()
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newStore opens a store in a new directory.
func newStore(tb testing.TB) visitarchive.Store { return open(tb, tb.TempDir()) }

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) visitarchive.Store { return newStore(t) }, storagetest.Options{
		Corrupt: func(t *testing.T, s visitarchive.Store, key string) {
			flipByte(t, s.(*disk.Store), key, 128+7) // a byte of the body
		},
		Reopen: func(t *testing.T, s visitarchive.Store) visitarchive.Store {
			return open(t, s.(*disk.Store).Dir()) // as another process would
		},
	})
}

func BenchmarkPut(b *testing.B)      { storagetest.BenchmarkPut(b, newStore) }
func BenchmarkPutBatch(b *testing.B) { storagetest.BenchmarkPutBatch(b, newStore) }

// flipByte inverts the byte at off in the file of key.
func flipByte(t *testing.T, s *disk.Store, key string, off int64) {
	t.Helper()
	p, err := s.Path(key)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, s visitarchive.Store, key, body string) {
	t.Helper()
	if _, err := s.Put(t.Context(), key, strings.NewReader(body), int64(len(body))); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// Hostile keys must never reach the file system outside the store's
// directory, whatever the operation.
func TestKeysCannotEscape(t *testing.T) {
	base := t.TempDir()
	s := open(t, filepath.Join(base, "store"))
	outside := filepath.Join(base, "outside")
	keys := []string{
		"../outside", "../../outside", "objects/../../outside", "a/../../../outside",
		outside, "/" + outside, `..\outside`, "..%2foutside", "a\x00/../../outside",
		"./../outside", "..", ".", "tmp/../../outside",
	}
	for _, key := range keys {
		_, err := s.Put(t.Context(), key, strings.NewReader("x"), 1)
		wantKind(t, fmt.Sprintf("Put(%q)", key), err, visitarchive.Invalid)
		_, _, err = s.Get(t.Context(), key)
		wantKind(t, fmt.Sprintf("Get(%q)", key), err, visitarchive.Invalid)
		wantKind(t, fmt.Sprintf("Delete(%q)", key), s.Delete(t.Context(), key), visitarchive.Invalid)
		for _, err := range s.List(t.Context(), key, "") {
			wantKind(t, fmt.Sprintf("List(%q)", key), err, visitarchive.Invalid)
		}
	}
	entries, _ := os.ReadDir(base)
	if len(entries) != 1 || entries[0].Name() != "store" {
		t.Errorf("entries beside the store: %v", entries)
	}
	if _, err := os.Lstat(outside); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists", outside)
	}
}

// A crash mid-Put leaves a temporary file. It must be invisible, and the
// next Open that has the directory to itself removes it.
func TestCrashLeftoverTemp(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir)
	leftover := filepath.Join(dir, "tmp", "put-123")
	if err := os.WriteFile(leftover, []byte("half an object"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := len(listAll(t, a)); n != 0 {
		t.Errorf("List sees %d objects, want 0", n)
	}
	b := open(t, dir) // a still has the directory open: its temps must stay
	if _, err := os.Stat(leftover); err != nil {
		t.Errorf("Open removed a temporary while another Store had the directory open: %v", err)
	}
	a.Close()
	b.Close()
	c := open(t, dir)
	if _, err := os.Stat(leftover); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("leftover temporary still there after Open: %v", err)
	}
	if n := len(listAll(t, c)); n != 0 {
		t.Errorf("List sees %d objects, want 0", n)
	}
	put(t, c, "after/crash", "fine")
}

func listAll(t *testing.T, s visitarchive.Store) []visitarchive.ObjectInfo {
	t.Helper()
	var all []visitarchive.ObjectInfo
	for info, err := range s.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, info)
	}
	return all
}

// A damaged header is caught on Stat, Get and List; List names the key
// so that a caller (verify) can report it and carry on after it.
func TestDamagedHeader(t *testing.T) {
	s := open(t, t.TempDir())
	for _, k := range []string{"h/1", "h/2", "h/3"} {
		put(t, s, k, "content of "+k)
	}
	flipByte(t, s, "h/2", 40) // inside the recorded sha256
	_, err := s.Stat(t.Context(), "h/2")
	wantKind(t, "Stat", err, visitarchive.Integrity)
	_, _, err = s.Get(t.Context(), "h/2")
	wantKind(t, "Get", err, visitarchive.Integrity)
	var got []string
	for info, err := range s.List(t.Context(), "h/", "") {
		got = append(got, fmt.Sprintf("%s:%v", info.Key, visitarchive.ErrorKind(err)))
	}
	want := []string{"h/1:internal", "h/2:integrity"} // Kind 0 prints as internal
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("List: got %v, want %v", got, want)
	}
	if keys := listAll(t, onlyAfter{s, "h/2"}); len(keys) != 1 || keys[0].Key != "h/3" {
		t.Errorf("List after the damaged key: %v, want h/3", keys)
	}
}

// onlyAfter lists after a fixed key, for listAll.
type onlyAfter struct {
	visitarchive.Store
	after string
}

func (o onlyAfter) List(ctx context.Context, prefix, _ string) iter.Seq2[visitarchive.ObjectInfo, error] {
	return o.Store.List(ctx, prefix, o.after)
}

func TestTruncatedBody(t *testing.T) {
	s := open(t, t.TempDir())
	put(t, s, "t/1", strings.Repeat("body ", 100))
	p, _ := s.Path("t/1")
	if err := os.Truncate(p, 128+50); err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Get(t.Context(), "t/1")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	wantKind(t, "reading a truncated object", err, visitarchive.Integrity)
}

func wantKind(t *testing.T, what string, err error, k visitarchive.Kind) {
	t.Helper()
	if !visitarchive.IsKind(err, k) {
		t.Errorf("%s: got %v, want kind %v", what, err, k)
	}
}

// A key that is also a directory of other keys cannot be stored on disk;
// the clash is a Conflict, never a half-done write.
func TestKeyDirectoryClash(t *testing.T) {
	s := open(t, t.TempDir())
	put(t, s, "a/b", "x")
	_, err := s.Put(t.Context(), "a", strings.NewReader("y"), 1)
	wantKind(t, "Put over a directory", err, visitarchive.Conflict)
	put(t, s, "c", "x")
	_, err = s.Put(t.Context(), "c/d", strings.NewReader("y"), 1)
	wantKind(t, "Put under a file", err, visitarchive.Conflict)
	if err := s.Delete(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	put(t, s, "c/d", "now fine")
}

// A batch with failures leaves no temporary behind (the rest of
// PutBatch's contract is in the conformance suite).
func TestPutBatchLeavesNoTemporaries(t *testing.T) {
	s := open(t, t.TempDir())
	put(t, s, "m/exists", "old")
	res := s.PutBatch(t.Context(), []disk.Object{
		{Key: "m/1", Body: strings.NewReader("one"), Size: 3},
		{Key: "m/exists", Body: strings.NewReader("new"), Size: 3},
		{Key: "../bad", Body: strings.NewReader("x"), Size: 1},
		{Key: "m/1", Body: strings.NewReader("dup"), Size: 3},
		{Key: "m/3", Body: strings.NewReader("short"), Size: 9},
	})
	if res[0].Err != nil {
		t.Fatalf("PutBatch: %v", res[0].Err)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp")); len(entries) != 0 {
		t.Errorf("PutBatch left %d temporaries", len(entries))
	}
}
