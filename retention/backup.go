package retention

import (
	"context"
	"time"
)

// BackupRunner runs backup passes (backup.Backuper): a scheduled one, and
// one that runs only when a destruction was journaled since it last
// looked. Each returns the objects it copied.
type BackupRunner interface {
	RunBackup(ctx context.Context) (int, error)
	RunAfterDestruction(ctx context.Context) (int, error)
}

// DefaultBackupEvery is the time between two scheduled backup passes.
const DefaultBackupEvery = 24 * time.Hour

// Backups runs a backup pass a minute after the server starts, then every
// every (--backup-every).
func Backups(b BackupRunner, every time.Duration) Job {
	return Job{Name: "backup", First: time.Minute, Every: every, Run: b.RunBackup}
}

// BackupAfterDestruction looks at the journal every five seconds and runs
// a backup pass when a destruction ended or a data key was destroyed, so
// that the backup target forgets what was destroyed within seconds.
func BackupAfterDestruction(b BackupRunner) Job {
	return Job{Name: "backup-after-destruction", First: 5 * time.Second, Every: 5 * time.Second, Run: b.RunAfterDestruction}
}
