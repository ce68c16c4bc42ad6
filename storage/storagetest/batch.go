package storagetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// runBatch runs the PutBatch checks, each on a fresh store, when the
// backend's stores implement visitarchive.BatchStore, and skips them once
// otherwise.
func runBatch(t *testing.T, newStore func(t *testing.T) visitarchive.Store, o Options) {
	if s := newStore(t); !implementsBatch(s) {
		t.Skipf("%T does not implement visitarchive.BatchStore", s)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s visitarchive.BatchStore, o Options)
	}{
		{"Results", testBatchResults},
		{"Empty", testBatchEmpty},
		{"CreateOnly", testBatchCreateOnly},
		{"FailedObjectsLeaveNothing", testBatchFailed},
		{"Interrupted", testBatchInterrupted},
		{"ConcurrentCreate", testBatchConcurrent},
		{"Durable", testBatchDurable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t).(visitarchive.BatchStore), o)
		})
	}
}

func implementsBatch(s visitarchive.Store) bool {
	_, ok := s.(visitarchive.BatchStore)
	return ok
}

// object is one object of a batch, with the outcome the suite wants: the
// kind of its error, or -1 for success. anyErr accepts any error.
type object struct {
	key    string
	body   []byte
	size   int64     // -1: unknown
	reader io.Reader // read instead of body when not nil
	want   visitarchive.Kind
	anyErr bool
}

// good is an object that PutBatch must store.
func good(key, body string) object {
	return object{key: key, body: []byte(body), size: int64(len(body)), want: -1}
}

func (o object) putObject() visitarchive.PutObject {
	r := o.reader
	if r == nil {
		r = bytes.NewReader(o.body)
	}
	return visitarchive.PutObject{Key: o.key, Body: r, Size: o.size}
}

// putBatch puts objs in one batch and checks each result against what the
// object wants, in order; a success must carry the object's info.
func putBatch(t *testing.T, s visitarchive.BatchStore, objs []object) {
	t.Helper()
	in := make([]visitarchive.PutObject, len(objs))
	for i, o := range objs {
		in[i] = o.putObject()
	}
	res := s.PutBatch(t.Context(), in)
	if len(res) != len(objs) {
		t.Fatalf("PutBatch of %d objects returned %d results", len(objs), len(res))
	}
	for i, o := range objs {
		what := fmt.Sprintf("PutBatch object %d (%.40q)", i, o.key)
		switch {
		case o.anyErr:
			if res[i].Err == nil {
				t.Errorf("%s: succeeded, want an error", what)
			}
		case o.want >= 0:
			wantKind(t, what, res[i].Err, o.want)
		case res[i].Err != nil:
			t.Errorf("%s: %v", what, res[i].Err)
		default:
			checkInfo(t, what, res[i].Info, o.key, o.body)
		}
	}
}

// wantStored checks that each key holds its body, read through s.
func wantStored(t *testing.T, s visitarchive.Store, objs map[string]string) {
	t.Helper()
	for key, body := range objs {
		got, info, err := get(t, s, key)
		if err != nil || string(got) != body {
			t.Errorf("Get(%q): %q, %v; want %q", key, got, err, body)
			continue
		}
		checkInfo(t, "Get "+key, info, key, []byte(body))
	}
}

// wantAbsent checks that none of keys is visible to Stat or Get.
func wantAbsent(t *testing.T, s visitarchive.Store, keys ...string) {
	t.Helper()
	for _, key := range keys {
		_, err := s.Stat(t.Context(), key)
		wantKind(t, "Stat "+key, err, visitarchive.NotFound)
		_, _, err = s.Get(t.Context(), key)
		wantKind(t, "Get "+key, err, visitarchive.NotFound)
	}
}

// Every object of a good batch is stored as Put would store it, and the
// results come in the order of the objects.
func testBatchResults(t *testing.T, s visitarchive.BatchStore, _ Options) {
	objs := []object{
		good("records/R2/0000000001.json", `{"topic":"拜访 LX-3021B"}`),
		good("records/R1/0000000001.json", "first in byte order, second in the batch"),
		{key: "u/unknown-size", body: bytes.Repeat([]byte("visit "), 1000), size: -1, want: -1},
		good("e/empty", ""),
		good("deep/a/b/c/d", "nested"),
	}
	putBatch(t, s, objs)
	want := map[string]string{}
	for _, o := range objs {
		want[o.key] = string(o.body)
	}
	wantStored(t, s, want)
	keys := slices.Sorted(maps.Keys(want))
	if got := listKeys(t, s, "", ""); !slices.Equal(got, keys) {
		t.Errorf("List after PutBatch: %q, want %q", got, keys)
	}
}

func testBatchEmpty(t *testing.T, s visitarchive.BatchStore, _ Options) {
	if res := s.PutBatch(t.Context(), nil); len(res) != 0 {
		t.Errorf("PutBatch of no objects: %d results, want none", len(res))
	}
	if keys := listKeys(t, s, "", ""); len(keys) != 0 {
		t.Errorf("List after an empty batch: %q, want none", keys)
	}
}

// Each object is created only when its key is free, as one Put after
// another in the batch's order: a key that exists, or that an earlier
// object of the batch created, is a Conflict for that object alone.
func testBatchCreateOnly(t *testing.T, s visitarchive.BatchStore, _ Options) {
	put(t, s, "k/exists", []byte("old"))
	conflict := func(key, body string) object {
		o := good(key, body)
		o.want = visitarchive.Conflict
		return o
	}
	unknown := conflict("k/exists", "new, size unknown")
	unknown.size = -1
	putBatch(t, s, []object{
		good("k/1", "one"),
		conflict("k/exists", "new"),
		good("k/2", "two"),
		conflict("k/1", "the same key again"),
		unknown,
		good("k/3", "three"),
	})
	wantStored(t, s, map[string]string{"k/1": "one", "k/exists": "old", "k/2": "two", "k/3": "three"})
	_, err := s.Put(t.Context(), "k/2", strings.NewReader("over a batch's object"), -1)
	wantKind(t, "Put over an object of a batch", err, visitarchive.Conflict)
	putBatch(t, s, []object{conflict("k/3", "again, in a later batch")})
	wantStored(t, s, map[string]string{"k/2": "two", "k/3": "three"})
}

// An object that fails — an invalid key, a body shorter or longer than
// its size, a reader that breaks — fails alone and leaves nothing
// visible; its key stays free.
func testBatchFailed(t *testing.T, s visitarchive.BatchStore, _ Options) {
	invalid := func(key, body string, size int64) object {
		return object{key: key, body: []byte(body), size: size, want: visitarchive.Invalid}
	}
	putBatch(t, s, []object{
		good("f/before", "stored"),
		invalid("../bad", "x", 1),
		invalid("f/short", "short", 9),
		invalid("f/long", "longer than said", 3),
		{key: "f/read", reader: &failingReader{n: 100}, size: -1, anyErr: true},
		good("f/after", "stored too"),
	})
	wantAbsent(t, s, "f/short", "f/long", "f/read")
	if keys := listKeys(t, s, "", ""); !slices.Equal(keys, []string{"f/after", "f/before"}) {
		t.Errorf("List after a batch with failures: %q, want only [f/after f/before]", keys)
	}
	putBatch(t, s, []object{good("f/short", "fine now"), good("f/read", "fine too")})
}

// cancelReader cancels a context when it is first read, then reads r:
// a batch whose caller goes away while its objects stream in.
type cancelReader struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c cancelReader) Read(p []byte) (int, error) {
	c.cancel()
	return c.r.Read(p)
}

// A batch whose context ends part-way leaves each object whole or absent,
// as its result says.
func testBatchInterrupted(t *testing.T, s visitarchive.BatchStore, _ Options) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var in []visitarchive.PutObject
	bodies := map[string][]byte{}
	for i := range 6 {
		key := fmt.Sprintf("i/%d", i)
		bodies[key] = bytes.Repeat([]byte(key+" "), 4096)
		var r io.Reader = bytes.NewReader(bodies[key])
		if i == 2 {
			r = cancelReader{r, cancel}
		}
		in = append(in, visitarchive.PutObject{Key: key, Body: r, Size: int64(len(bodies[key]))})
	}
	res := s.PutBatch(ctx, in)
	if len(res) != len(in) {
		t.Fatalf("PutBatch of %d objects returned %d results", len(in), len(res))
	}
	for i, r := range res {
		key := in[i].Key
		if r.Err != nil {
			t.Logf("%s: %v", key, r.Err)
			wantAbsent(t, s, key)
			continue
		}
		checkInfo(t, "PutBatch "+key, r.Info, key, bodies[key])
		wantStored(t, s, map[string]string{key: string(bodies[key])})
	}
}

// Concurrent batches, and Puts, of the same keys: each key is created by
// exactly one of them, and the others get a Conflict for it.
func testBatchConcurrent(t *testing.T, s visitarchive.BatchStore, _ Options) {
	const writers, keys = 6, 5
	body := func(w, k int) string { return fmt.Sprintf("writer %d, key %d", w, k) }
	errs := make([][]error, writers+1) // the last writer uses Put
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			var in []visitarchive.PutObject
			for i := range keys {
				k := (i + w) % keys // each writer in another order
				b := body(w, k)
				in = append(in, visitarchive.PutObject{Key: fmt.Sprintf("race/%d", k), Body: strings.NewReader(b), Size: int64(len(b))})
			}
			<-start
			res := s.PutBatch(t.Context(), in)
			errs[w] = make([]error, keys)
			for i, r := range res {
				errs[w][(i+w)%keys] = r.Err
			}
		})
	}
	wg.Go(func() {
		<-start
		errs[writers] = make([]error, keys)
		for k := range keys {
			b := body(writers, k)
			_, errs[writers][k] = s.Put(t.Context(), fmt.Sprintf("race/%d", k), strings.NewReader(b), int64(len(b)))
		}
	})
	close(start)
	wg.Wait()
	for k := range keys {
		key := fmt.Sprintf("race/%d", k)
		winner := -1
		for w := range errs {
			switch err := errs[w][k]; {
			case err == nil && winner >= 0:
				t.Errorf("%s: writers %d and %d both created it", key, winner, w)
			case err == nil:
				winner = w
			default:
				wantKind(t, fmt.Sprintf("%s, writer %d", key, w), err, visitarchive.Conflict)
			}
		}
		if winner < 0 {
			t.Errorf("%s: no writer created it", key)
			continue
		}
		wantStored(t, s, map[string]string{key: body(winner, k)})
	}
}

// What PutBatch acknowledged is there for a store opened after it
// returned (Options.Reopen), and nothing of what it refused.
func testBatchDurable(t *testing.T, s visitarchive.BatchStore, o Options) {
	put(t, s, "d/exists", []byte("old"))
	putBatch(t, s, []object{
		good("d/1", "one"),
		{key: "d/exists", body: []byte("new"), size: 3, want: visitarchive.Conflict},
		{key: "d/short", body: []byte("short"), size: 9, want: visitarchive.Invalid},
		good("d/2/deep", "two"),
	})
	var after visitarchive.Store = s
	if o.Reopen != nil {
		after = o.Reopen(t, s)
	} else {
		t.Log("the backend gave no Reopen hook: reading back through the same store")
	}
	wantStored(t, after, map[string]string{"d/1": "one", "d/exists": "old", "d/2/deep": "two"})
	wantAbsent(t, after, "d/short")
}
