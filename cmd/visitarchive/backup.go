package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/backup"
	"github.com/visitarchive/visitarchive/retention"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/s3"
)

// backupFlags are the backup target and schedule, over the config file's
// backup object, and how to reach a target on S3.
type backupFlags struct {
	target string
	every  time.Duration
	s3     s3.Config
}

func (b *backupFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.target, "backup-target", env("VISITARCHIVE_BACKUP_TARGET", ""), "where backups go: a directory, or s3://bucket/prefix; serve backs up to it every --backup-every, and backup and restore use it by default; overrides the config file (VISITARCHIVE_BACKUP_TARGET; default: no backups)")
	fs.DurationVar(&b.every, "backup-every", envDuration("VISITARCHIVE_BACKUP_EVERY", 0), "time between two backup passes of serve, such as 6h; overrides the config file (VISITARCHIVE_BACKUP_EVERY; default 24h)")
	registerS3Access(fs, &b.s3, "backup-s3", "VISITARCHIVE_BACKUP_S3", "backup target on S3, when not the store's: ")
}

// backupFile is the config file's backup object.
type backupFile struct {
	Target string `json:"target"` // a directory, or s3://bucket/prefix
	Every  string `json:"every"`  // a Go duration: "24h"
}

// backupSettings are the resolved backup settings of serve.
type backupSettings struct {
	target string // "" for no backups
	every  time.Duration
}

// settings returns the backup settings of the file and the flags.
func (b *backupFile) settings(f *backupFlags) (backupSettings, error) {
	if b == nil {
		b = &backupFile{}
	}
	s := backupSettings{target: cmp.Or(f.target, b.Target), every: f.every}
	if s.every == 0 && b.Every != "" {
		d, err := positiveDuration(b.Every)
		if err != nil {
			return s, fmt.Errorf("backup.every: %w", err)
		}
		s.every = d
	}
	if s.every < 0 {
		return s, errors.New("--backup-every must be more than zero")
	}
	s.every = cmp.Or(s.every, retention.DefaultBackupEvery)
	return s, nil
}

// openTarget opens the backup target spec: s3://bucket/prefix, reached as
// the --backup-s3 flags say or else as the store is, or a directory (a
// disk store), which create makes when missing. It returns the target and
// its name without credentials.
func (f *storeFlags) openTarget(ctx context.Context, spec string, create bool) (va.Store, string, error) {
	if spec == "" {
		return nil, "", errors.New("no backup target: give one with --to or --from, --backup-target (VISITARCHIVE_BACKUP_TARGET) or the config file's backup.target")
	}
	if rest, ok := strings.CutPrefix(spec, "s3://"); ok {
		return f.openS3Target(ctx, rest, create)
	}
	dir, err := filepath.Abs(spec)
	if err != nil {
		return nil, "", err
	}
	if f.storage == "disk" && (dir == absPath(f.data) || dir == absPath(filepath.Join(f.data, "store"))) {
		return nil, "", fmt.Errorf("backup target %s is the store itself: back up to another directory, on another disk", dir)
	}
	if _, err := os.Stat(dir); err != nil && !create {
		return nil, "", fmt.Errorf("backup target %s: %w", dir, err)
	}
	st, err := disk.Open(dir)
	return st, dir, err
}

func absPath(p string) string {
	a, _ := filepath.Abs(p)
	return a
}

// openS3Target opens bucket/prefix with the backup's S3 settings, each
// defaulting to the store's.
func (f *storeFlags) openS3Target(ctx context.Context, bucketPrefix string, create bool) (va.Store, string, error) {
	bucket, prefix, _ := strings.Cut(bucketPrefix, "/")
	cfg, own := f.backup.s3, f.s3
	cfg.Endpoint = cmp.Or(cfg.Endpoint, own.Endpoint)
	cfg.Region = cmp.Or(cfg.Region, own.Region)
	cfg.AccessKey = cmp.Or(cfg.AccessKey, own.AccessKey)
	cfg.SecretKey = cmp.Or(cfg.SecretKey, os.Getenv("VISITARCHIVE_BACKUP_S3_SECRET_KEY"), own.SecretKey, os.Getenv("VISITARCHIVE_S3_SECRET_KEY"))
	cfg.UseSSL = cfg.UseSSL || (f.backup.s3.Endpoint == "" && own.UseSSL)
	cfg.Bucket, cfg.Prefix = bucket, strings.TrimSuffix(prefix, "/")
	// Without object lock: a destruction must reach the backup too.
	cfg.CreateBucket = create
	name := "s3://" + bucketPrefix + " at " + cfg.Endpoint
	if cfg.Endpoint == "" {
		return nil, "", fmt.Errorf("backup target %s needs an endpoint: --backup-s3-endpoint or --s3-endpoint", "s3://"+bucketPrefix)
	}
	st, err := s3.Open(ctx, cfg)
	return st, name, err
}

// startBackups opens the backup target of serve and the Backuper whose
// jobs back up to it; without a target it says that backups are off.
func (f *storeFlags) startBackups(ctx context.Context, c *components, log *slog.Logger) error {
	if c.backup.target == "" {
		log.Warn("backups are off: no backup target (--backup-target, or backup.target in the config file)")
		return nil
	}
	target, name, err := f.openTarget(ctx, c.backup.target, true)
	if err != nil {
		return fmt.Errorf("backup target: %w", err)
	}
	c.backupTarget = target
	c.backups = backup.NewBackuper(backup.Config{Store: c.store, Journal: c.journal, Target: target, TargetName: name,
		Every: c.backup.every, Log: log})
	log.Info("backing up", "target", name, "every", c.backup.every)
	return nil
}

// runBackup is `visitarchive backup`: one pass to the target.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("backup", stderr)
	to := fs.String("to", "", "where to back up: a directory, or s3://bucket/prefix (default --backup-target)")
	full := fs.Bool("full", false, "read back every object in the target, not only the new ones, and copy again those damaged since")
	actor := fs.String("actor", env("VISITARCHIVE_ACTOR", "operator"), "user name recorded in the journal as the one who backed up (VISITARCHIVE_ACTOR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	set, err := sf.settings()
	if err != nil {
		return err
	}
	store, err := sf.openStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore(store)
	j, err := journal.Open(ctx, store, log)
	if err != nil {
		return err
	}
	target, name, err := sf.openTarget(ctx, cmp.Or(*to, set.backup.target), true)
	if err != nil {
		return err
	}
	defer closeStore(target)
	bar := newObjectsBar("backing up", stderr)
	start := time.Now()
	m, wrote, err := backup.Backup(ctx, store, j, target, backup.Options{Actor: va.UserName(*actor), Target: name,
		Log: log, Full: *full, Progress: bar.progress})
	bar.Finish()
	if err != nil {
		return err
	}
	printBackup(stdout, m, wrote, name, time.Since(start))
	return j.Checkpoint(ctx)
}

func printBackup(w io.Writer, m *backup.Manifest, wrote bool, target string, took time.Duration) {
	if !wrote {
		fmt.Fprintf(w, "nothing new to back up: %s holds the journal up to entry %d\n", target, m.To)
		return
	}
	fmt.Fprintf(w, "backed up journal entries %d to %d to %s in %s: %d object(s) and %d byte(s) copied, %d already there, %d removed as the journal removed them\nmanifest %s\n",
		m.From+1, m.To, target, took.Round(time.Millisecond), m.Objects, m.Bytes, m.Present, len(m.Deleted), va.BackupManifestKey(m.To))
}

func closeStore(s va.Store) {
	if c, ok := s.(io.Closer); ok {
		c.Close()
	}
}

// objectsBar shows progress through objects, made at the first report,
// which knows the total.
type objectsBar struct {
	what string
	w    io.Writer
	bar  *progressbar.ProgressBar
}

func newObjectsBar(what string, w io.Writer) *objectsBar { return &objectsBar{what: what, w: w} }

func (b *objectsBar) progress(p backup.Progress) {
	if b.bar == nil {
		b.bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(b.w), progressbar.OptionSetDescription(b.what),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("objects"),
			progressbar.OptionThrottle(200*time.Millisecond))
	}
	b.bar.Set(p.Done)
}

// Finish ends the bar's line, if it showed.
func (b *objectsBar) Finish() {
	if b.bar != nil {
		b.bar.Finish()
		fmt.Fprintln(b.w)
	}
}
