package backup

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// Options adjust a backup pass.
type Options struct {
	// Actor is who the backup.done entry names ("system" when empty).
	Actor va.UserName
	// Target describes the target in the journal and the logs, without
	// credentials, such as "/mnt/backup" or "s3://bucket/prefix".
	Target string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Progress, if set, is called after each object copied.
	Progress func(Progress)
	// Log receives what the pass removes from the target (nil discards).
	Log *slog.Logger
	// Full makes the pass start from the first entry instead of the last
	// manifest's: it reads back every object in the target and replaces
	// those damaged since they were copied (what a failed drill found).
	Full bool
}

// Progress is how far a pass or a restore has come.
type Progress struct {
	Done, Total int   // objects
	Bytes       int64 // copied so far
}

func (o *Options) defaults() {
	o.Actor = cmp.Or(o.Actor, "system")
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Backup copies to target what the journal j of src recorded since the
// last backup in target (everything, the first time): the journal entries
// up to the head, the checkpoints among them, and the objects the entries
// wrote that no later entry removed, each read back from target and its
// SHA-256 checked. It deletes from target the objects whose removal the
// entries recorded (destroyed records, destroyed data keys), so that a
// destruction reaches the backups. Then it writes the manifest to target
// and to src, and journals it in src as visitarchive.ActionBackupDone; that
// entry belongs to the next pass. It returns the manifest, and whether it
// wrote one: with nothing new in the journal it writes none and returns
// the last. A pass that fails part way leaves no manifest, and the next
// pass starts from the last one again, finding in place what was copied.
func Backup(ctx context.Context, src va.Store, j va.Journal, target va.Store, opts Options) (*Manifest, bool, error) {
	opts.defaults()
	started := opts.Now().UTC()
	prev, err := lastManifest(ctx, target)
	if err != nil {
		return nil, false, err
	}
	p, err := planPass(ctx, j, prev, opts.Full)
	if err != nil || p.to == p.from {
		return prev, false, err
	}
	m := &Manifest{Format: 1, From: p.from, To: p.to, Head: p.head, Started: started}
	if prev != nil {
		m.Previous = va.BackupManifestKey(prev.To)
	}
	c := &pass{src: src, dst: target, j: j, opts: opts, m: m, p: p}
	if err := c.run(ctx); err != nil {
		return nil, false, err
	}
	m.Ended = opts.Now().UTC()
	m.FilesHash = filesHash(m.Files)
	if err := c.writeManifest(ctx); err != nil {
		return nil, false, err
	}
	return m, true, nil
}

// pass is one backup pass under way.
type pass struct {
	src, dst va.Store
	j        va.Journal
	opts     Options
	m        *Manifest
	p        *plan
	progress Progress
	// removedLater are the keys removed by entries after the pass's head,
	// read once when an object is found missing from the source.
	laterOnce    sync.Once
	removedLater map[string]bool
	laterErr     error
}

func (c *pass) run(ctx context.Context) error {
	jobs, err := c.jobs(ctx)
	if err != nil {
		return err
	}
	c.progress.Total = len(jobs)
	got, err := copyAll(ctx, len(jobs), func(ctx context.Context, i int) (copied, error) { return c.copy(ctx, jobs[i]) }, c.report)
	if err != nil {
		return err
	}
	for _, g := range got {
		c.count(g)
	}
	return c.deleteRemoved(ctx)
}

// jobs lists what the pass copies: the objects the entries wrote that no
// later entry removed, the entries, and their checkpoints.
func (c *pass) jobs(ctx context.Context) ([]copyJob, error) {
	var jobs []copyJob
	for _, key := range c.p.keys {
		if want, ok := c.p.want[key]; ok {
			jobs = append(jobs, copyJob{key: key, want: want, written: true})
		}
	}
	for seq := c.p.from + 1; seq <= c.p.to; seq++ {
		jobs = append(jobs, copyJob{key: journal.EntryKey(seq)})
	}
	cps, err := c.checkpoints(ctx)
	for _, key := range cps {
		jobs = append(jobs, copyJob{key: key})
	}
	return jobs, err
}

// copy copies the object of job. An object an entry wrote that is gone
// from the source because an entry after the pass's head removed it is
// left out (its result has no key).
func (c *pass) copy(ctx context.Context, job copyJob) (copied, error) {
	if !job.written {
		info, err := c.src.Stat(ctx, job.key)
		if err != nil {
			return copied{}, fmt.Errorf("backup: %s: %w", job.key, err)
		}
		job.want = info.SHA256
	}
	got, err := copyObject(ctx, c.src, c.dst, job.key, job.want)
	if job.written && va.IsKind(err, va.NotFound) {
		later, lerr := c.isRemovedLater(ctx, job.key)
		if lerr != nil || later {
			return copied{}, lerr
		}
		return copied{}, va.E("backup", va.Integrity, err, "object %s, written by journal entry %d, is missing from the store and no entry removed it; run verify", job.key, c.p.wroteAt[job.key])
	}
	return got, err
}

// report tells the progress after one object.
func (c *pass) report(got copied) {
	c.progress.Done++
	if !got.present {
		c.progress.Bytes += got.Size
	}
	if c.opts.Progress != nil {
		c.opts.Progress(c.progress)
	}
}

// count adds an object of the pass to the manifest.
func (c *pass) count(got copied) {
	if got.Key == "" {
		return // removed after the pass's head
	}
	c.m.Files = append(c.m.Files, got.File)
	if got.present {
		c.m.Present++
	} else {
		c.m.Objects++
		c.m.Bytes += got.Size
	}
}

// checkpoints lists the source's checkpoints of entries in the pass.
func (c *pass) checkpoints(ctx context.Context) ([]string, error) {
	var out []string
	last := journal.CheckpointKey(c.p.to)
	for info, err := range c.src.List(ctx, journal.CheckpointPrefix, journal.CheckpointKey(c.p.from)) {
		if err != nil {
			return nil, fmt.Errorf("backup: list checkpoints: %w", err)
		}
		if info.Key > last {
			break
		}
		out = append(out, info.Key)
	}
	return out, nil
}

// isRemovedLater reports whether an entry after the pass's head removed
// key: the store changes while a pass runs.
func (c *pass) isRemovedLater(ctx context.Context, key string) (bool, error) {
	c.laterOnce.Do(func() { c.removedLater, c.laterErr = c.removalsAfter(ctx) })
	return c.removedLater[key], c.laterErr
}

// removalsAfter reads the removals of the entries after the pass's head.
func (c *pass) removalsAfter(ctx context.Context) (map[string]bool, error) {
	removed := map[string]bool{}
	if _, err := c.j.Head(ctx); err != nil {
		return nil, err
	}
	for e, err := range c.j.Since(ctx, c.p.to) {
		if err != nil {
			return nil, err
		}
		for _, ch := range e.Changes {
			if ch.Removed {
				removed[ch.Key] = true
			}
		}
	}
	return removed, nil
}

// deleteRemoved deletes from the target every object whose removal an
// entry of the pass recorded.
func (c *pass) deleteRemoved(ctx context.Context) error {
	for _, key := range c.p.removed {
		if !c.p.gone(key) {
			continue // written again after its removal
		}
		err := c.dst.Delete(ctx, key)
		switch {
		case va.IsKind(err, va.NotFound):
		case err != nil:
			return fmt.Errorf("backup: delete %s from the target, as the journal removed it from the store: %w", key, err)
		default:
			c.m.Deleted = append(c.m.Deleted, key)
			c.opts.Log.Info("removed from the backup target, as the journal removed it from the store", "key", key, "target", c.opts.Target)
		}
	}
	return nil
}

// writeManifest writes the manifest to the target, reads it back, then
// writes it to the source and journals it there.
func (c *pass) writeManifest(ctx context.Context) error {
	key := va.BackupManifestKey(c.m.To)
	b := encodeJSON(c.m)
	info, err := c.dst.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("backup: write manifest %s to the target: %w", key, err)
	}
	if back, _, err := hashObject(ctx, c.dst, key); err != nil || back != info.SHA256 {
		return va.E("backup", va.Integrity, err, "manifest %s reads back from the target with another content than was written", key)
	}
	if info, err = putFresh(ctx, c.src, key, b); err != nil {
		return fmt.Errorf("backup: write manifest %s to the store: %w", key, err)
	}
	detail := fmt.Sprintf("entries %d to %d: %d object(s), %d byte(s) copied, %d removed, to %s",
		c.m.From+1, c.m.To, c.m.Objects, c.m.Bytes, len(c.m.Deleted), c.opts.Target)
	_, err = c.j.Append(ctx, va.Change{Actor: c.opts.Actor, Action: va.ActionBackupDone, Key: key, SHA256: info.SHA256, Detail: detail})
	if err != nil {
		return fmt.Errorf("backup: journal manifest %s: %w", key, err)
	}
	return nil
}

// putFresh puts b at key in s, replacing what a pass that failed before
// journaling it left there.
func putFresh(ctx context.Context, s va.Store, key string, b []byte) (va.ObjectInfo, error) {
	info, err := s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
	if !va.IsKind(err, va.Conflict) {
		return info, err
	}
	if err := s.Delete(ctx, key); err != nil {
		return info, err
	}
	return s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
}
