package backup

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// Config is what a Backuper is built from.
type Config struct {
	Store   va.Store   // the store backed up
	Journal va.Journal // its journal
	Target  va.Store   // where the backups go
	// TargetName describes Target without credentials.
	TargetName string
	// Every is the time between scheduled passes, shown in the status.
	Every time.Duration
	Log   *slog.Logger     // nil discards
	Now   func() time.Time // nil: time.Now
}

// Backuper runs the server's backup passes, one at a time, and keeps
// their outcome for the status (visitarchive.BackupReporter) and the
// metrics (Collectors).
type Backuper struct {
	cfg    Config
	pass   sync.Mutex // one pass at a time
	mu     sync.Mutex // guards status and seen
	status va.BackupStatus
	seen   uint64 // the journal entries looked at for destructions
	// pending is set when a destruction was journaled and no pass has
	// succeeded since.
	pending bool
	metrics *metrics
}

// maxRecent bounds BackupStatus.Recent.
const maxRecent = 100

// NewBackuper returns a Backuper of cfg.
func NewBackuper(cfg Config) *Backuper {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Backuper{cfg: cfg, status: va.BackupStatus{Target: cfg.TargetName, Every: cfg.Every, Recent: []va.BackupRun{}},
		metrics: newMetrics()}
}

// RunBackup runs one pass and returns how many objects it copied.
func (b *Backuper) RunBackup(ctx context.Context) (int, error) {
	b.pass.Lock()
	defer b.pass.Unlock()
	run := va.BackupRun{Started: b.cfg.Now().UTC()}
	m, wrote, err := Backup(ctx, b.cfg.Store, b.cfg.Journal, b.cfg.Target,
		Options{Target: b.cfg.TargetName, Now: b.cfg.Now, Log: b.cfg.Log})
	run.Ended = b.cfg.Now().UTC()
	if err != nil && ctx.Err() != nil {
		return 0, err // the server stopping: neither a success nor a failure
	}
	switch {
	case err != nil:
		run.Error = err.Error()
	case wrote:
		run.From, run.To, run.Objects, run.Bytes, run.Present, run.Deleted = m.From, m.To, m.Objects, m.Bytes, m.Present, len(m.Deleted)
		run.Manifest = va.BackupManifestKey(m.To)
	case m != nil: // nothing new since the last manifest
		run.From, run.To, run.Manifest = m.To, m.To, va.BackupManifestKey(m.To)
	}
	b.record(run)
	return run.Objects, err
}

func (b *Backuper) record(run va.BackupRun) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &b.status
	s.Last = &run
	if run.Error == "" {
		s.LastSuccess, b.pending = &run, false
	} else {
		s.Failures++
	}
	s.Recent = append([]va.BackupRun{run}, s.Recent[:min(len(s.Recent), maxRecent-1)]...)
	b.metrics.record(run)
}

// BackupStatus implements visitarchive.BackupReporter.
func (b *Backuper) BackupStatus() va.BackupStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.status
	s.Recent = append([]va.BackupRun{}, s.Recent...)
	return s
}

// RunAfterDestruction looks at the journal entries appended since it
// last looked, and runs a pass at once when one of them ends a
// destruction or destroys a data key, so that the target forgets what was
// destroyed without waiting for the next scheduled pass. The first call
// only notes where the journal is: the scheduled pass covers what came
// before. A pass that fails is logged as an error, and every call after
// runs one again until one succeeds.
func (b *Backuper) RunAfterDestruction(ctx context.Context) (int, error) {
	found, err := b.destroyedSince(ctx)
	if err != nil {
		return 0, err
	}
	b.mu.Lock()
	b.pending = b.pending || found
	run := b.pending
	b.mu.Unlock()
	if !run {
		return 0, nil
	}
	b.cfg.Log.Info("a destruction was journaled: backing up now, so that the backup target forgets it", "target", b.cfg.TargetName)
	n, err := b.RunBackup(ctx)
	if err != nil && ctx.Err() == nil {
		b.cfg.Log.Error("the backup after a destruction failed: the backup target still holds what was destroyed until a pass succeeds",
			"target", b.cfg.TargetName, "err", err)
	}
	return n, err
}

// destroyedSince reports whether the entries after the ones seen destroy
// anything.
func (b *Backuper) destroyedSince(ctx context.Context) (bool, error) {
	head, err := b.cfg.Journal.Head(ctx)
	if err != nil {
		return false, err
	}
	b.mu.Lock()
	seen := b.seen
	b.mu.Unlock()
	found := false
	if seen > 0 {
		for e, err := range b.cfg.Journal.Since(ctx, seen) {
			if err != nil {
				return false, err
			}
			found = found || destroys(e)
			if e.Seq >= head {
				break
			}
		}
	}
	b.mu.Lock()
	b.seen = max(b.seen, head)
	b.mu.Unlock()
	return found, nil
}

// destroys reports whether e ends a destruction or destroys a data key.
func destroys(e va.Entry) bool {
	for _, c := range e.Changes {
		if c.Action == va.ActionDestructionEnd || c.Removed && strings.HasPrefix(c.Key, va.DataKeysPrefix) {
			return true
		}
	}
	return false
}
