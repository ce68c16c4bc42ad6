// Package storagetest is the conformance suite that every
// visitarchive.Store passes: the disk backend and the S3 backend against a
// real MinIO run the same tests, so that the rest of the system can rely on
// one behaviour (create-only puts, byte-ordered listing, integrity checks on
// read, the error kinds).
//
// A backend's test calls Run with a constructor that returns a fresh, empty
// store for each subtest:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) visitarchive.Store {
//			s, err := disk.Open(t.TempDir())
//			...
//			return s
//		}, storagetest.Options{Corrupt: corrupt, Reopen: reopen})
//	}
//
// A store that implements visitarchive.BatchStore is also held to
// PutBatch's contract (the subtests under PutBatch): each object created
// only when its key is free, as one Put after another in the batch's order
// (a key given twice is created by the first and a Conflict for the
// second); one result per object, in order; a failed object fails alone
// and leaves nothing visible; an interrupted batch leaves each object whole
// or absent, as its result says; and what PutBatch acknowledged is there
// for a store opened afterwards. For a store that does not implement it
// these subtests are skipped: the S3 store does not, today.
//
// A store that implements visitarchive.RangeStore is held to GetRange's
// contract (the subtest GetRange); both backends do.
//
// BenchmarkPut and BenchmarkPutBatch measure a backend's writes; each
// backend's tests run them for that backend.
package storagetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// Options adapts the suite to one backend.
type Options struct {
	// Corrupt changes the stored bytes of key behind the store's back
	// while keeping the SHA-256 recorded for it at write, as bit rot or
	// tampering would. The suite cannot do this through the Store
	// interface, so each backend supplies it; when nil, the corruption
	// test is skipped.
	Corrupt func(t *testing.T, s visitarchive.Store, key string)

	// Reopen opens a second store over the data of s, as a process started
	// after s's writes would open it; the PutBatch checks read back through
	// it what PutBatch acknowledged. When nil, they read back through s.
	Reopen func(t *testing.T, s visitarchive.Store) visitarchive.Store
}

// Run runs the conformance suite. newStore must return a new, empty store
// on each call; it may register cleanups on t. At most one Options may be
// given.
func Run(t *testing.T, newStore func(t *testing.T) visitarchive.Store, opts ...Options) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s visitarchive.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"UnknownSize", testUnknownSize},
		{"Empty", testEmpty},
		{"CreateOnly", testCreateOnly},
		{"ConcurrentCreate", testConcurrentCreate},
		{"Missing", testMissing},
		{"InvalidKeys", testInvalidKeys},
		{"FailedPutLeavesNothing", testFailedPut},
		{"List", testList},
		{"ListStop", testListStop},
		{"Delete", testDelete},
		{"Corrupt", func(t *testing.T, s visitarchive.Store) { testCorrupt(t, s, o.Corrupt) }},
		{"Large", testLarge},
		{"GetRange", testGetRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
	t.Run("PutBatch", func(t *testing.T) { runBatch(t, newStore, o) })
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// put stores body under key and fails the test on error.
func put(t *testing.T, s visitarchive.Store, key string, body []byte) visitarchive.ObjectInfo {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

// get reads key to EOF and returns its body, or the error of Get or of
// the read.
func get(t *testing.T, s visitarchive.Store, key string) ([]byte, visitarchive.ObjectInfo, error) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key)
	if err != nil {
		return nil, info, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, info, err
}

func wantKind(t *testing.T, what string, err error, k visitarchive.Kind) {
	t.Helper()
	if !visitarchive.IsKind(err, k) {
		t.Errorf("%s: got error %v (kind %v), want kind %v", what, err, visitarchive.ErrorKind(err), k)
	}
}

// checkInfo compares the fields every backend must fill.
func checkInfo(t *testing.T, what string, got visitarchive.ObjectInfo, key string, body []byte) {
	t.Helper()
	if got.Key != key || got.Size != int64(len(body)) || got.SHA256 != sum(body) {
		t.Errorf("%s: got info {%q %d %s}, want {%q %d %s}", what,
			got.Key, got.Size, got.SHA256, key, len(body), sum(body))
	}
	if d := time.Since(got.Modified); d < -time.Minute || d > time.Minute {
		t.Errorf("%s: Modified %v is not about now", what, got.Modified)
	}
}

func testRoundTrip(t *testing.T, s visitarchive.Store) {
	key := "records/R1/0000000001.json"
	body := []byte(`{"topic":"拜访 LX-3021B"}`)
	checkInfo(t, "Put", put(t, s, key, body), key, body)
	got, info, err := get(t, s, key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !bytes.Equal(got, body) {
		t.Errorf("Get: got %q, want %q", got, body)
	}
	checkInfo(t, "Get", info, key, body)
	st, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	checkInfo(t, "Stat", st, key, body)
}

func testUnknownSize(t *testing.T, s visitarchive.Store) {
	body := bytes.Repeat([]byte("visit "), 1000)
	info, err := s.Put(t.Context(), "u/1", io.MultiReader(bytes.NewReader(body)), -1)
	if err != nil {
		t.Fatalf("Put size -1: %v", err)
	}
	checkInfo(t, "Put", info, "u/1", body)
	if got, _, err := get(t, s, "u/1"); err != nil || !bytes.Equal(got, body) {
		t.Errorf("Get: %d bytes, %v; want %d bytes", len(got), err, len(body))
	}
}

func testEmpty(t *testing.T, s visitarchive.Store) {
	checkInfo(t, "Put", put(t, s, "e/0", nil), "e/0", nil)
	got, info, err := get(t, s, "e/0")
	if err != nil || len(got) != 0 {
		t.Errorf("Get: %q, %v; want empty", got, err)
	}
	checkInfo(t, "Get", info, "e/0", nil)
}

func testCreateOnly(t *testing.T, s visitarchive.Store) {
	put(t, s, "k/1", []byte("first"))
	_, err := s.Put(t.Context(), "k/1", strings.NewReader("second"), 6)
	wantKind(t, "second Put", err, visitarchive.Conflict)
	_, err = s.Put(t.Context(), "k/1", strings.NewReader("third"), -1)
	wantKind(t, "Put size -1 over existing", err, visitarchive.Conflict)
	if got, _, err := get(t, s, "k/1"); err != nil || string(got) != "first" {
		t.Errorf("Get after conflicts: %q, %v; want %q", got, err, "first")
	}
}

func testConcurrentCreate(t *testing.T, s visitarchive.Store) {
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			body := fmt.Sprintf("writer %02d %s", i, strings.Repeat("x", i*1000))
			_, errs[i] = s.Put(t.Context(), "race/1", strings.NewReader(body), int64(len(body)))
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		default:
			wantKind(t, fmt.Sprintf("writer %d", i), err, visitarchive.Conflict)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	want := fmt.Sprintf("writer %02d %s", winner, strings.Repeat("x", winner*1000))
	if got, _, err := get(t, s, "race/1"); err != nil || string(got) != want {
		t.Errorf("Get: %d bytes starting %.10q, %v; want the winner's %.10q", len(got), got, err, want)
	}
}

func testMissing(t *testing.T, s visitarchive.Store) {
	put(t, s, "m/1", []byte("x"))
	for _, key := range []string{"m/2", "nothing", "m/1/deeper", "m"} {
		_, _, err := s.Get(t.Context(), key)
		wantKind(t, "Get "+key, err, visitarchive.NotFound)
		_, err = s.Stat(t.Context(), key)
		wantKind(t, "Stat "+key, err, visitarchive.NotFound)
		wantKind(t, "Delete "+key, s.Delete(t.Context(), key), visitarchive.NotFound)
	}
}

// invalidKeys break the key rules in storage/doc.go; several would escape
// a directory if a backend used them as paths.
var invalidKeys = []string{
	"", "/", "../x", "a/../../x", "/abs", "a//b", "a/", "a/./b", "a/../b",
	".", "..", "a\x00b", `a\b`, `..\x`, "a b", "é", "a\nb", strings.Repeat("k", 2000),
}

func testInvalidKeys(t *testing.T, s visitarchive.Store) {
	ctx := t.Context()
	for _, key := range invalidKeys {
		_, err := s.Put(ctx, key, strings.NewReader("x"), 1)
		wantKind(t, fmt.Sprintf("Put(%q)", key), err, visitarchive.Invalid)
		_, _, err = s.Get(ctx, key)
		wantKind(t, fmt.Sprintf("Get(%q)", key), err, visitarchive.Invalid)
		_, err = s.Stat(ctx, key)
		wantKind(t, fmt.Sprintf("Stat(%q)", key), err, visitarchive.Invalid)
		wantKind(t, fmt.Sprintf("Delete(%q)", key), s.Delete(ctx, key), visitarchive.Invalid)
	}
	for _, prefix := range []string{"../", "/abs", "a//", "a\x00", "./"} {
		for _, err := range s.List(ctx, prefix, "") {
			wantKind(t, fmt.Sprintf("List(%q)", prefix), err, visitarchive.Invalid)
			break
		}
	}
}

// failingReader fails after giving some bytes, as a dropped upload does.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := min(len(p), f.n)
	clear(p[:n])
	f.n -= n
	return n, nil
}

func testFailedPut(t *testing.T, s visitarchive.Store) {
	ctx := t.Context()
	if _, err := s.Put(ctx, "f/read", &failingReader{n: 100}, -1); err == nil {
		t.Error("Put from a failing reader succeeded")
	}
	_, err := s.Put(ctx, "f/short", strings.NewReader("short"), 10)
	wantKind(t, "Put shorter than size", err, visitarchive.Invalid)
	_, err = s.Put(ctx, "f/long", strings.NewReader("longer than said"), 3)
	wantKind(t, "Put longer than size", err, visitarchive.Invalid)
	for _, key := range []string{"f/read", "f/short", "f/long"} {
		_, err := s.Stat(ctx, key)
		wantKind(t, "Stat after failed Put "+key, err, visitarchive.NotFound)
	}
	if keys := listKeys(t, s, "", ""); len(keys) != 0 {
		t.Errorf("List after failed Puts: %q, want none", keys)
	}
	put(t, s, "f/short", []byte("fine now")) // the key is still free
}

func testDelete(t *testing.T, s visitarchive.Store) {
	ctx := t.Context()
	put(t, s, "d/1", []byte("one"))
	put(t, s, "d/2", []byte("two"))
	if err := s.Delete(ctx, "d/1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, _, err := s.Get(ctx, "d/1")
	wantKind(t, "Get after Delete", err, visitarchive.NotFound)
	wantKind(t, "second Delete", s.Delete(ctx, "d/1"), visitarchive.NotFound)
	if keys := listKeys(t, s, "d/", ""); !slices.Equal(keys, []string{"d/2"}) {
		t.Errorf("List after Delete: %q, want [d/2]", keys)
	}
	put(t, s, "d/1", []byte("again")) // a deleted key may be created anew
	if got, _, err := get(t, s, "d/1"); err != nil || string(got) != "again" {
		t.Errorf("Get after re-Put: %q, %v", got, err)
	}
}

func testCorrupt(t *testing.T, s visitarchive.Store, corrupt func(*testing.T, visitarchive.Store, string)) {
	if corrupt == nil {
		t.Skip("the backend gave no Corrupt hook")
	}
	body := bytes.Repeat([]byte("归档 archive "), 500)
	put(t, s, "c/1", body)
	corrupt(t, s, "c/1")
	_, _, err := get(t, s, "c/1")
	wantKind(t, "reading a corrupted object", err, visitarchive.Integrity)
}
