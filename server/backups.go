package server

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// backupsAnswer is the answer of GET /audit/backups.
type backupsAnswer struct {
	// Configured is false when the server makes no backups (no target).
	Configured bool `json:"configured"`
	visitarchive.BackupStatus
}

// auditBackups tells auditors (whoever may read the journal) the status
// of the backups: the target, the last pass and the last success, the
// failures, the recent passes.
func (s *Server) auditBackups(c *fiber.Ctx) error {
	const op = "audit.backups"
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	if !s.archive.Allowed(c.UserContext(), visitarchive.PermRead, visitarchive.Resource{Kind: visitarchive.KindJournal}) {
		return visitarchive.E(op, visitarchive.Forbidden, nil, "your roles do not allow you to %s this %s",
			visitarchive.Word(visitarchive.PermRead), visitarchive.Word(visitarchive.KindJournal))
	}
	if s.backups == nil {
		return c.JSON(backupsAnswer{BackupStatus: visitarchive.BackupStatus{Recent: []visitarchive.BackupRun{}}})
	}
	return c.JSON(backupsAnswer{Configured: true, BackupStatus: s.backups.BackupStatus()})
}

// backupDetail is what /readyz says of the backups: when the last pass
// succeeded and up to which entry, and whether the last one failed. It
// names no error: /readyz answers anyone.
func (s *Server) backupDetail() string {
	if s.backups == nil {
		return ""
	}
	st := s.backups.BackupStatus()
	d := "backup: no pass succeeded yet"
	if ok := st.LastSuccess; ok != nil {
		d = fmt.Sprintf("backup: last success %s, journal entry %d, %d object(s), %d byte(s)",
			ok.Ended.UTC().Format(time.RFC3339), ok.To, ok.Objects, ok.Bytes)
	}
	if st.Last != nil && st.Last.Error != "" {
		d += fmt.Sprintf("; the last pass failed at %s (%d failure(s) since the start)", st.Last.Ended.UTC().Format(time.RFC3339), st.Failures)
	}
	return d
}

// readyDetailNow is the detail of /readyz: Config.ReadyDetail and the
// backups'.
func (s *Server) readyDetailNow() string {
	switch b := s.backupDetail(); {
	case b == "":
		return s.readyDetail
	case s.readyDetail == "":
		return b
	default:
		return s.readyDetail + "; " + b
	}
}
