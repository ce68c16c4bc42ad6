package backup_test

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/backup"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

func TestMain(m *testing.M) { s3test.Main(m) }

// targets are the kinds of backup target every test runs against.
var targets = map[string]func(t *testing.T) va.Store{
	"disk":  func(t *testing.T) va.Store { return diskStore(t, t.TempDir()) },
	"minio": func(t *testing.T) va.Store { return s3test.Open(t, false) },
}

func forEachTarget(t *testing.T, test func(t *testing.T, target va.Store)) {
	for name, open := range targets {
		t.Run(name, func(t *testing.T) { test(t, open(t)) })
	}
}

func diskStore(t *testing.T, dir string) *disk.Store {
	t.Helper()
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// source is a store on disk with its journal.
type source struct {
	store va.Store
	j     *journal.Journal
	n     int // objects written
}

func newSource(t *testing.T) *source {
	t.Helper()
	s := diskStore(t, t.TempDir())
	j, err := journal.Open(t.Context(), s, slog.New(slog.DiscardHandler), journal.WithCheckpointEvery(7))
	if err != nil {
		t.Fatal(err)
	}
	return &source{store: s, j: j}
}

// write writes n objects, each journaled in an entry of its own.
func (s *source) write(t *testing.T, n int) {
	t.Helper()
	for range n {
		s.n++
		key, body := fmt.Sprintf("records/R%03d/0000000001.json", s.n), fmt.Sprintf(`{"summary":"记录 %d"}`, s.n)
		info, err := s.store.Put(t.Context(), key, strings.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.j.Append(t.Context(), va.Change{Actor: "alice", Action: "record.create", Key: key, SHA256: info.SHA256}); err != nil {
			t.Fatal(err)
		}
	}
}

// remove removes object i as a destruction does: journaled, then deleted.
func (s *source) remove(t *testing.T, i int) string {
	t.Helper()
	key := fmt.Sprintf("records/R%03d/0000000001.json", i)
	if _, err := s.j.Append(t.Context(), va.Change{Actor: "system", Action: va.ActionDestructionRemove, Key: key, Removed: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.store.Delete(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	return key
}

func (s *source) backup(t *testing.T, target va.Store) *backup.Manifest {
	t.Helper()
	m, wrote, err := backup.Backup(t.Context(), s.store, s.j, target, backup.Options{Target: "test"})
	if err != nil || !wrote {
		t.Fatalf("backup: wrote %v, %v", wrote, err)
	}
	return m
}

func checkVerify(t *testing.T, s va.Store, what string) {
	t.Helper()
	rep, err := journal.VerifyWith(t.Context(), s, journal.Options{Now: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		t.Errorf("verify of %s: %s", what, p)
	}
}

// The first pass copies everything; the next copies only what is new:
// ten new objects are ten objects and their ten entries, with the last
// pass's manifest and its entry.
func TestBackupIsIncremental(t *testing.T) {
	forEachTarget(t, func(t *testing.T, target va.Store) {
		src := newSource(t)
		src.write(t, 20)
		m := src.backup(t, target)
		// 20 objects, 20 entries, the checkpoints of entries 7 and 14.
		if m.From != 0 || m.To != 20 || m.Objects != 42 || m.Present != 0 || len(m.Files) != 42 {
			t.Errorf("first pass: from %d to %d, %d objects, %d present, %d files; want 0 to 20, 42 objects",
				m.From, m.To, m.Objects, m.Present, len(m.Files))
		}
		src.write(t, 10)
		m = src.backup(t, target)
		// Ten objects, ten entries and entry 21 (backup.done) with the
		// manifest it journaled, and the checkpoint of entry 28.
		if m.From != 20 || m.To != 31 || m.Objects != 23 {
			t.Errorf("second pass: from %d to %d, %d objects; want 20 to 31, 23 objects", m.From, m.To, m.Objects)
		}
		if _, wrote, err := backup.Backup(t.Context(), src.store, src.j, target, backup.Options{}); err != nil || !wrote {
			t.Errorf("third pass (the second's entry is new): %v %v", wrote, err)
		}
		checkVerify(t, src.store, "the source")
	})
}

// A pass deletes from the target what the journal removed from the
// store, and a restore never brings it back.
func TestDestructionReachesTheBackup(t *testing.T) {
	forEachTarget(t, func(t *testing.T, target va.Store) {
		src := newSource(t)
		src.write(t, 5)
		src.backup(t, target)
		gone := src.remove(t, 3)
		src.write(t, 1)
		m := src.backup(t, target)
		if len(m.Deleted) != 1 || m.Deleted[0] != gone {
			t.Errorf("deleted %v, want [%s]", m.Deleted, gone)
		}
		if _, err := target.Stat(t.Context(), gone); !va.IsKind(err, va.NotFound) {
			t.Errorf("the target still holds %s: %v", gone, err)
		}
		dst := diskStore(t, t.TempDir())
		rep, err := backup.Restore(t.Context(), target, dst, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Entries != m.To || rep.Destroyed != 1 || rep.Manifests != 2 {
			t.Errorf("restore: %d entries, %d destroyed, %d manifests; want %d, 1, 2", rep.Entries, rep.Destroyed, rep.Manifests, m.To)
		}
		if _, err := dst.Stat(t.Context(), gone); !va.IsKind(err, va.NotFound) {
			t.Errorf("the restore holds %s: %v", gone, err)
		}
		checkVerify(t, dst, "the restore")
	})
}

// An object written and removed between two passes is never copied, and
// a removal the target still holds (a pass that failed before deleting)
// stays out of a restore.
func TestRemovedBeforeThePassIsNotCopied(t *testing.T) {
	src := newSource(t)
	target := diskStore(t, t.TempDir())
	src.write(t, 3)
	gone := src.remove(t, 2)
	m := src.backup(t, target)
	for _, f := range m.Files {
		if f.Key == gone {
			t.Errorf("the pass copied %s, removed before it", gone)
		}
	}
}

// A byte flipped in the target, in an object or in a journal entry, stops
// a restore naming it; a full pass replaces the damaged copy.
func TestRestoreCatchesAFlippedByte(t *testing.T) {
	for _, key := range []string{"records/R002/0000000001.json", journal.EntryKey(2)} {
		t.Run(key, func(t *testing.T) {
			src := newSource(t)
			dir := t.TempDir()
			target := diskStore(t, dir)
			src.write(t, 4)
			src.backup(t, target)
			testenv.FlipByte(t, filepath.Join(dir, "objects", key))
			_, err := backup.Restore(t.Context(), target, diskStore(t, t.TempDir()), nil)
			if !va.IsKind(err, va.Integrity) || !strings.Contains(va.ErrorMessage(err), key) {
				t.Errorf("restore of a damaged backup: %v; want Integrity naming %s", err, key)
			}
			m, _, err := backup.Backup(t.Context(), src.store, src.j, target, backup.Options{Full: true})
			if err != nil || m.From != 0 || m.Objects != 2 {
				t.Errorf("full pass: %+v, %v; want from 0, the damaged object and the manifest's entry copied", m, err)
			}
			if _, err := backup.Restore(t.Context(), target, diskStore(t, t.TempDir()), nil); err != nil {
				t.Errorf("restore after a full pass: %v", err)
			}
		})
	}
}

func TestRestoreRefuses(t *testing.T) {
	src := newSource(t)
	target := diskStore(t, t.TempDir())
	if _, err := backup.Restore(t.Context(), target, diskStore(t, t.TempDir()), nil); !va.IsKind(err, va.NotFound) {
		t.Errorf("restore from an empty target: %v, want NotFound", err)
	}
	src.write(t, 2)
	src.backup(t, target)
	busy := diskStore(t, t.TempDir())
	busy.Put(t.Context(), "x/y", strings.NewReader("x"), 1)
	if _, err := backup.Restore(t.Context(), target, busy, nil); !va.IsKind(err, va.Conflict) || !strings.Contains(va.ErrorMessage(err), "not empty") {
		t.Errorf("restore into a store that is not empty: %v, want Conflict", err)
	}
	other := newSource(t)
	other.write(t, 3)
	_, _, err := backup.Backup(t.Context(), other.store, other.j, target, backup.Options{})
	if !va.IsKind(err, va.Conflict) || !strings.Contains(va.ErrorMessage(err), "another store") {
		t.Errorf("backup of another store into the target: %v, want Conflict", err)
	}
}
