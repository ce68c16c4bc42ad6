// Package testenv builds what the tests of the Archive run on, all of it
// real: a store (the disk backend in a temporary directory, or another the
// test opens), the journal over it, a Bleve index on disk, the shipped
// policy, a key file, a fast password hasher, a clock the test can stop and
// move, and a log the test can read while the code under test writes it.
// The root's tests, the server's and the command's use it, so that an
// Archive is set up one way everywhere.
package testenv

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/index"
	"github.com/visitarchive/visitarchive/policy"
	"github.com/visitarchive/visitarchive/retention"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/filecrypt"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/keyring"
)

// Env is an Archive over real components in the directory Dir. Open
// builds it; Close and Open again restart it over the same data.
type Env struct {
	Dir     string
	Store   va.Store
	Journal *journal.Journal
	Index   *index.Index // nil when opened without one
	Archive *va.Archive
	Clock   *Clock
	Logs    *LogBuffer // what the components logged, as JSON lines

	// OpenStore opens the store of Dir; nil is the disk backend in
	// Dir/store. It is called at every Open, so a test may replace it
	// before the first.
	OpenStore func(t *testing.T) va.Store
	// Adjust, if set, changes the Archive's Config before each Open.
	Adjust func(*va.Config)
}

// New returns an Env in a new temporary directory, not yet opened.
func New(t *testing.T) *Env {
	t.Helper()
	return &Env{Dir: t.TempDir(), Clock: &Clock{}, Logs: &LogBuffer{}}
}

// Open opens e with an index; Start is New and Open.
func Start(t *testing.T) *Env {
	t.Helper()
	e := New(t)
	e.Open(t, true)
	return e
}

// Open (re)opens the store, the journal, the index (with withIndex; false
// is how an offline command works) and the Archive over e.Dir.
func (e *Env) Open(t *testing.T, withIndex bool) {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.Store = e.openStore(t)
	var err error
	if e.Journal, err = journal.Open(t.Context(), e.Store, log); err != nil {
		t.Fatal(err)
	}
	cfg := va.Config{Store: e.Store, Journal: e.Journal, Logger: log, Now: e.Clock.Now,
		Policy: Policy(t), Keys: e.Keyring(t), Passwords: Hasher(t), Files: filecrypt.Sealer{},
		Workflow: va.WorkflowConfig{Schedule: retention.DefaultSchedule()}, Verifier: journal.Verifier{Store: e.Store}}
	if withIndex {
		e.Index = OpenIndex(t, filepath.Join(e.Dir, "index"), log)
		cfg.Index = e.Index
	}
	if e.Adjust != nil {
		e.Adjust(&cfg)
	}
	e.Archive = va.New(cfg)
	if err := e.Archive.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func (e *Env) openStore(t *testing.T) va.Store {
	if e.OpenStore != nil {
		return e.OpenStore(t)
	}
	s, err := disk.Open(filepath.Join(e.Dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Close closes the index, so that Open may open it again.
func (e *Env) Close(t *testing.T) {
	t.Helper()
	if e.Index != nil {
		if err := e.Index.Close(); err != nil {
			t.Fatal(err)
		}
		e.Index = nil
	}
}

// Keyring loads the key file of e, creating it the first time.
func (e *Env) Keyring(t *testing.T) *keyring.Keyring {
	t.Helper()
	path := filepath.Join(e.Dir, "keyring.json")
	kr, err := keyring.Load(path)
	if va.IsKind(err, va.NotFound) {
		kr, err = keyring.Init(path, time.Now())
	}
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// OpenIndex opens the Bleve index in dir, closed when the test ends
// unless the test closed it.
func OpenIndex(t *testing.T, dir string, log *slog.Logger) *index.Index {
	t.Helper()
	idx, err := index.Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

// Policy is the shipped permission table.
func Policy(t *testing.T) *policy.Enforcer {
	t.Helper()
	p, err := policy.New()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Hasher is argon2id with small parameters, so that tests stay fast.
func Hasher(t *testing.T) policy.Argon2id {
	t.Helper()
	h, err := policy.NewArgon2id(1024, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Clock is the time of an Env: the real time until Set stops it.
type Clock struct{ at atomic.Pointer[time.Time] }

// Now is the time Set stopped the clock at, or the real one.
func (c *Clock) Now() time.Time {
	if t := c.at.Load(); t != nil {
		return *t
	}
	return time.Now()
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) { c.at.Store(&t) }

// LogBuffer is a log destination a test reads while the code under test
// writes to it.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
