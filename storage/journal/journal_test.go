package journal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

// backends are the stores every journal test runs against.
var backends = map[string]func(t *testing.T) va.Store{
	"disk": func(t *testing.T) va.Store {
		s, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"minio": func(t *testing.T) va.Store { return s3test.Open(t, false) },
}

func TestMain(m *testing.M) { s3test.Main(m) }

func forEachBackend(t *testing.T, test func(t *testing.T, store va.Store)) {
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) { test(t, newStore(t)) })
	}
}

func open(t *testing.T, store va.Store, opts ...journal.Option) *journal.Journal {
	t.Helper()
	j, err := journal.Open(t.Context(), store, slog.New(slog.DiscardHandler), opts...)
	if err != nil {
		t.Fatalf("open journal: %v", err)
	}
	return j
}

// putObject writes an object and returns the change that records it.
func putObject(t *testing.T, store va.Store, key, content string) va.Change {
	t.Helper()
	info, err := store.Put(t.Context(), key, strings.NewReader(content), int64(len(content)))
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return va.Change{Actor: "alice", Action: "test.put", Key: key, SHA256: info.SHA256}
}

// fill appends n entries of one object each: objects/<i>.
func fill(t *testing.T, store va.Store, j *journal.Journal, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		c := putObject(t, store, fmt.Sprintf("objects/%03d", i), fmt.Sprintf("content %d", i))
		if _, err := j.Append(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// verify returns the problems verify reports an hour from now, when every
// object is past the grace period of writes in flight.
func verify(t *testing.T, store va.Store) []string {
	t.Helper()
	rep, err := journal.VerifyWith(t.Context(), store, journal.Options{Now: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.String())
	}
	return got
}

func TestConcurrentAppendsAreGapFreeAndComplete(t *testing.T) {
	forEachBackend(t, func(t *testing.T, store va.Store) {
		// Two journals over one store stand for two processes.
		js := []*journal.Journal{open(t, store), open(t, store)}
		const writers, each = 8, 10
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					c := va.Change{Actor: "alice", Action: "test", Key: fmt.Sprintf("k/%d-%d", w, i)}
					if _, err := js[w%2].Append(context.Background(), c); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		var keys []string
		want := uint64(1)
		for e, err := range open(t, store).Since(t.Context(), 0) {
			if err != nil {
				t.Fatal(err)
			}
			if e.Seq != want {
				t.Fatalf("entry seq %d, want %d", e.Seq, want)
			}
			want++
			for _, c := range e.Changes {
				keys = append(keys, c.Key)
			}
		}
		slices.Sort(keys)
		if len(keys) != writers*each || len(slices.Compact(keys)) != writers*each {
			t.Errorf("journal holds %d changes (%d distinct), want %d once each", len(keys), len(slices.Compact(keys)), writers*each)
		}
		if got := verify(t, store); len(got) != 0 {
			t.Errorf("verify found %v in an untouched journal", got)
		}
	})
}

func TestReopenFindsHead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, store va.Store) {
		fill(t, store, open(t, store, journal.WithCheckpointEvery(4)), 10)
		j := open(t, store, journal.WithCheckpointEvery(4))
		head, err := j.Head(t.Context())
		if err != nil || head != 10 {
			t.Fatalf("head = %d, %v; want 10", head, err)
		}
		seq, err := j.Append(t.Context(), va.Change{Actor: "bob", Action: "test", Key: "x"})
		if err != nil || seq != 11 {
			t.Fatalf("append after reopen = %d, %v; want 11", seq, err)
		}
		if got := verify(t, store); len(got) != 0 {
			t.Errorf("verify: %v", got)
		}
	})
}

// rewrite replaces an object through the store's own API, as someone with
// write access to the bucket or directory could.
func rewrite(t *testing.T, store va.Store, key string, content []byte) {
	t.Helper()
	if err := store.Delete(t.Context(), key); err != nil {
		t.Fatalf("delete %s: %v", key, err)
	}
	if _, err := store.Put(t.Context(), key, bytes.NewReader(content), int64(len(content))); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func readEntry(t *testing.T, store va.Store, seq uint64) (va.Entry, []byte) {
	t.Helper()
	rc, _, err := store.Get(t.Context(), journal.EntryKey(seq))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	var e va.Entry
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e, b
}

func encode(t *testing.T, e va.Entry) []byte {
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unrecorded is what verify reports of an object no entry records.
func unrecorded(key string) string {
	return "seq 0 " + key + ": unrecorded: no journal entry records this object (a write interrupted before its entry, or put there by hand); it is never served"
}

func TestVerifyReportsTampering(t *testing.T) {
	key := journal.EntryKey
	obj3 := "objects/003"
	tests := []struct {
		name   string
		tamper func(t *testing.T, store va.Store)
		want   []string
	}{{
		name: "entry altered, hash left",
		tamper: func(t *testing.T, store va.Store) {
			e, _ := readEntry(t, store, 3)
			e.Changes[0].Actor = "mallory"
			rewrite(t, store, key(3), encode(t, e))
		},
		want: []string{"seq 3 " + key(3) + ": altered: its content does not match its hash"},
	}, {
		name: "entry altered, hash recomputed",
		tamper: func(t *testing.T, store va.Store) {
			e, _ := readEntry(t, store, 3)
			e.Changes[0].Actor = "mallory"
			e.Hash = journal.Hash(e)
			rewrite(t, store, key(3), encode(t, e))
		},
		want: []string{"seq 4 " + key(4) + ": altered or reordered: it does not link to entry 3"},
	}, {
		name: "entry removed",
		tamper: func(t *testing.T, store va.Store) {
			if err := store.Delete(t.Context(), key(3)); err != nil {
				t.Fatal(err)
			}
		},
		want: []string{"seq 3 " + key(3) + ": removed: entries 3 to 3 are missing", unrecorded(obj3)},
	}, {
		name: "entries reordered",
		tamper: func(t *testing.T, store va.Store) {
			_, b3 := readEntry(t, store, 3)
			_, b4 := readEntry(t, store, 4)
			rewrite(t, store, key(3), b4)
			rewrite(t, store, key(4), b3)
		},
		want: []string{
			"seq 3 " + key(3) + ": reordered: the entry says it is seq 4",
			"seq 4 " + key(4) + ": reordered: the entry says it is seq 3",
		},
	}, {
		name: "tail cut past a checkpoint",
		tamper: func(t *testing.T, store va.Store) {
			for seq := uint64(5); seq <= 6; seq++ {
				if err := store.Delete(t.Context(), key(seq)); err != nil {
					t.Fatal(err)
				}
			}
		},
		want: []string{"seq 5 " + key(5) + ": removed: the journal ends at entry 4 but a checkpoint pins entry 5",
			unrecorded("objects/005"), unrecorded("objects/006")},
	}, {
		name: "object altered",
		tamper: func(t *testing.T, store va.Store) {
			rewrite(t, store, obj3, []byte("forged content"))
		},
		want: []string{fmt.Sprintf("seq 3 %s: object altered: sha256 %s, the journal recorded %s", obj3, sha("forged content"), sha("content 3"))},
	}, {
		name: "object put without a journal entry",
		tamper: func(t *testing.T, store va.Store) {
			putObject(t, store, "objects/007", "forged")
		},
		want: []string{unrecorded("objects/007")},
	}, {
		name: "removal journaled, object left",
		tamper: func(t *testing.T, store va.Store) {
			c := va.Change{Actor: "alice", Action: "test.remove", Key: obj3, Removed: true}
			if _, err := open(t, store).Append(t.Context(), c); err != nil {
				t.Fatal(err)
			}
		},
		want: []string{"seq 7 " + obj3 + ": still present, though the journal recorded its removal"},
	}, {
		name: "object removed",
		tamper: func(t *testing.T, store va.Store) {
			if err := store.Delete(t.Context(), obj3); err != nil {
				t.Fatal(err)
			}
		},
		want: []string{"seq 3 " + obj3 + ": object missing"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, store va.Store) {
				fill(t, store, open(t, store, journal.WithCheckpointEvery(5)), 6)
				if got := verify(t, store); len(got) != 0 {
					t.Fatalf("verify before tampering: %v", got)
				}
				tt.tamper(t, store)
				if got := verify(t, store); !slices.Equal(got, tt.want) {
					t.Errorf("verify reported\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
				}
			})
		})
	}
}

// TestVerifyUnrecordedInFlight: an object no entry records yet is in
// flight while it is younger than the grace period, and a problem after.
func TestVerifyUnrecordedInFlight(t *testing.T) {
	store := backends["disk"](t)
	fill(t, store, open(t, store), 2)
	putObject(t, store, "objects/009", "not journaled yet")
	for _, tt := range []struct {
		after          time.Duration
		inFlight, late int
	}{{0, 1, 0}, {va.UnrecordedGrace - time.Minute, 1, 0}, {va.UnrecordedGrace + time.Minute, 0, 1}} {
		rep, err := journal.VerifyWith(t.Context(), store, journal.Options{Now: time.Now().Add(tt.after)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.InFlight) != tt.inFlight || len(rep.Unrecorded) != tt.late || len(rep.Problems) != tt.late {
			t.Errorf("after %v: %d in flight, %d unrecorded, problems %v; want %d, %d", tt.after,
				len(rep.InFlight), len(rep.Unrecorded), rep.Problems, tt.inFlight, tt.late)
		}
	}
}

// TestCheckpointPinsTheHead: Checkpoint pins the head between the
// thousand-entry checkpoints, so that verify sees its end cut.
func TestCheckpointPinsTheHead(t *testing.T) {
	store := backends["disk"](t)
	j := open(t, store)
	fill(t, store, j, 3)
	for range 2 { // the second finds the head pinned already
		if err := j.Checkpoint(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Delete(t.Context(), journal.EntryKey(3)); err != nil {
		t.Fatal(err)
	}
	want := []string{"seq 3 " + journal.EntryKey(3) + ": removed: the journal ends at entry 2 but a checkpoint pins entry 3", unrecorded("objects/003")}
	if got := verify(t, store); !slices.Equal(got, want) {
		t.Errorf("verify reported\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
