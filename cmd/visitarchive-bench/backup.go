package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/backup"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// backupStep backs the phase's store up to a directory, as `visitarchive
// backup --to DIR` does (the first, whole pass), then restores that
// backup into an empty disk store, as `visitarchive restore` does before
// it rebuilds the index (the reindex step measures that part). Both are
// read back and hash-checked as the commands do.
func (p *phase) backupStep(ctx context.Context, store va.Store, j va.Journal) error {
	dir := filepath.Join(p.dir, "backup")
	os.RemoveAll(dir)
	target, err := disk.Open(dir)
	if err != nil {
		return err
	}
	defer target.Close()
	end := p.step("backup")
	start := time.Now()
	m, _, err := backup.Backup(ctx, store, j, target, backup.Options{Actor: benchActor, Target: dir})
	took := time.Since(start)
	end()
	if err != nil {
		return err
	}
	p.res.BackupSeconds, p.res.BackupObjects, p.res.BackupBytes = took.Seconds(), m.Objects, m.Bytes
	p.logf("backed up %d objects, %d bytes in %s: %.0f records/s", m.Objects, m.Bytes, took.Round(time.Millisecond),
		float64(p.meta.Records)/took.Seconds())
	return p.restoreStep(ctx, target)
}

// restoreStep restores target into an empty disk store and checks it.
// The restored store stays until the run removes the phase's files at
// its end (removePhases): deleting it here slowed the write step after.
func (p *phase) restoreStep(ctx context.Context, target va.Store) error {
	dir := filepath.Join(p.dir, "restored")
	os.RemoveAll(dir)
	dst, err := disk.Open(dir)
	if err != nil {
		return err
	}
	defer dst.Close()
	end := p.step("restore")
	start := time.Now()
	rep, err := backup.Restore(ctx, target, dst, nil)
	took := time.Since(start)
	end()
	if err != nil {
		return err
	}
	p.res.RestoreSeconds = took.Seconds()
	p.logf("restored %d objects in %s: %.0f records/s", rep.Objects, took.Round(time.Millisecond), float64(p.meta.Records)/took.Seconds())
	vr, err := journal.Verify(ctx, dst, nil)
	if err == nil && !vr.OK() {
		err = fmt.Errorf("the restore does not verify: %v", vr.Problems[0])
	}
	return err
}
