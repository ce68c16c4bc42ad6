package backup_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/backup"
)

// The Backuper runs a pass after a destruction, keeps trying while the
// target fails, and tells it in its status and metrics.
func TestBackuperAfterDestruction(t *testing.T) {
	src := newSource(t)
	dir := t.TempDir()
	b := backup.NewBackuper(backup.Config{Store: src.store, Journal: src.j, Target: diskStore(t, dir), TargetName: dir})
	reg := prometheus.NewRegistry()
	reg.MustRegister(b.Collectors()...)
	src.write(t, 3)
	if n, err := b.RunBackup(t.Context()); err != nil || n != 6 {
		t.Fatalf("first pass: %d objects, %v; want 6", n, err)
	}
	if n, err := b.RunAfterDestruction(t.Context()); err != nil || n != 0 {
		t.Errorf("the first look runs no pass: %d, %v", n, err)
	}

	gone := src.remove(t, 2)
	if _, err := src.j.Append(t.Context(), va.Change{Actor: "system", Action: va.ActionDestructionEnd, Key: va.DestructionRegisterKey("D1")}); err != nil {
		t.Fatal(err)
	}
	// The target's disk fails: where it writes is no directory.
	tmp := filepath.Join(dir, "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RunAfterDestruction(t.Context()); err == nil {
		t.Fatal("a pass to a failing target succeeded")
	}
	st := b.BackupStatus()
	if st.Failures != 1 || st.Last.Error == "" || st.LastSuccess == nil || st.LastSuccess.To != 3 || len(st.Recent) != 2 {
		t.Errorf("status after a failure: %+v", st)
	}
	if got := gauge(t, reg, "visitarchive_backup_failures_total"); got != 1 {
		t.Errorf("failures counted %v, want 1", got)
	}

	if err := os.Remove(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RunAfterDestruction(t.Context()); err != nil {
		t.Fatalf("the pass tried again: %v", err)
	}
	st = b.BackupStatus()
	if st.Last.Error != "" || st.Last.Deleted != 1 || st.LastSuccess.To <= 3 {
		t.Errorf("status after the pass tried again: %+v", st.Last)
	}
	if _, err := os.Stat(filepath.Join(dir, "objects", gone)); !os.IsNotExist(err) {
		t.Errorf("the target still holds %s: %v", gone, err)
	}
	if n, err := b.RunAfterDestruction(t.Context()); err != nil || n != 0 {
		t.Errorf("nothing destroyed since: a pass ran anyway (%d, %v)", n, err)
	}
	if got := gauge(t, reg, "visitarchive_backup_last_sequence"); got != float64(st.LastSuccess.To) {
		t.Errorf("last sequence %v, want %d", got, st.LastSuccess.To)
	}
	if !strings.HasPrefix(st.LastSuccess.Manifest, va.BackupsPrefix) {
		t.Errorf("manifest %q", st.LastSuccess.Manifest)
	}
}

// gauge returns the value of the series name in reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			m := f.GetMetric()[0]
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no series %s", name)
	return 0
}
