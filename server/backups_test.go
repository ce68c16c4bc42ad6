package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// backupsStub is a BackupReporter with a status set by the test.
type backupsStub struct{ status visitarchive.BackupStatus }

func (b *backupsStub) BackupStatus() visitarchive.BackupStatus { return b.status }

// TestAuditBackups: auditors read the status of the backups, nobody else
// may; /readyz tells the last success and a failure, without the error.
func TestAuditBackups(t *testing.T) {
	ended := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	ok := visitarchive.BackupRun{Started: ended.Add(-time.Minute), Ended: ended, To: 42, Objects: 7, Bytes: 900, Manifest: visitarchive.BackupManifestKey(42)}
	failed := visitarchive.BackupRun{Started: ended.Add(time.Hour), Ended: ended.Add(time.Hour), Error: "backup: s3 target unreachable at 10.0.0.9"}
	stub := &backupsStub{status: visitarchive.BackupStatus{Target: "/mnt/backup", Every: time.Hour, Last: &failed, LastSuccess: &ok,
		Failures: 1, Recent: []visitarchive.BackupRun{failed, ok}}}
	ts := newTestServer(t, func(c *Config) { c.Backups = stub })
	var got backupsAnswer
	ts.callAs("aud", "GET", "/api/v1/audit/backups", "").want(t, http.StatusOK).decode(t, &got)
	if !got.Configured || got.Target != "/mnt/backup" || got.LastSuccess == nil || got.LastSuccess.To != 42 ||
		got.Last.Error == "" || got.Failures != 1 || len(got.Recent) != 2 {
		t.Errorf("status = %+v", got)
	}
	for _, who := range []string{"alice", "sam", "root", "max", "ann"} {
		ts.callAs(who, "GET", "/api/v1/audit/backups", "").want(t, http.StatusForbidden)
	}
	ts.callAs("aud", "GET", "/api/v1/audit/backups?x=1", "").want(t, http.StatusBadRequest)

	var ready statusBody
	ts.call("GET", "/readyz", "").want(t, http.StatusOK).decode(t, &ready)
	for _, want := range []string{"last success 2026-03-01T02:00:00Z, journal entry 42", "the last pass failed"} {
		if !strings.Contains(ready.Detail, want) {
			t.Errorf("readyz detail %q lacks %q", ready.Detail, want)
		}
	}
	if strings.Contains(ready.Detail, "10.0.0.9") {
		t.Errorf("readyz detail %q tells the error", ready.Detail)
	}
}

// Without backups the status says so.
func TestAuditBackupsOff(t *testing.T) {
	ts := newTestServer(t)
	var got backupsAnswer
	ts.callAs("aud", "GET", "/api/v1/audit/backups", "").want(t, http.StatusOK).decode(t, &got)
	if got.Configured || got.Recent == nil {
		t.Errorf("status without backups = %+v", got)
	}
}
