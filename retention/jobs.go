package retention

import (
	"context"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// The jobs the server runs. Each takes the few operations it needs as an
// interface of its own, which *visitarchive.Archive (or the journal)
// satisfies, so that a test can hand it a stub.

// OverdueNotifier notifies about the records past their filing deadline,
// each once, and returns how many it notified (Archive.NotifyOverdue).
type OverdueNotifier interface {
	NotifyOverdue(ctx context.Context) (int, error)
}

// OverdueNotices looks for records past their filing deadline every
// minute, the first time 5 s after the server starts (after the index has
// caught up). A look that finds nothing new costs one search.
func OverdueNotices(a OverdueNotifier) Job {
	return Job{Name: "overdue-notices", First: 5 * time.Second, Every: time.Minute, Run: a.NotifyOverdue}
}

// PlanReminder chases the approved plans whose visit ended without a
// record, each notice once, and returns how many it sent
// (Archive.RemindUnrecordedPlans).
type PlanReminder interface {
	RemindUnrecordedPlans(ctx context.Context) (int, error)
}

// PlanRecordReminders chases the plans without a record every five
// minutes, the first time 10 s after the server starts: half the filing
// period after the visit the visitors are reminded, past it the
// supervisors are told.
func PlanRecordReminders(a PlanReminder) Job {
	return Job{Name: "plan-record-reminders", First: 10 * time.Second, Every: 5 * time.Minute, Run: a.RemindUnrecordedPlans}
}

// ReviewReminder chases the submitted records left unreviewed, each
// notice once, and returns how many it sent (Archive.RemindUnreviewed).
type ReviewReminder interface {
	RemindUnreviewed(ctx context.Context) (int, error)
}

// ReviewReminders chases the unreviewed records every five minutes, the
// first time 15 s after the server starts: after the review period the
// reviewers are reminded, after twice that their own supervisor (or the
// managers) are told.
func ReviewReminders(a ReviewReminder) Job {
	return Job{Name: "review-reminders", First: 15 * time.Second, Every: 5 * time.Minute, Run: a.RemindUnreviewed}
}

// SessionEnder removes the expired sessions and returns how many it
// removed (Accounts.EndExpiredSessions).
type SessionEnder interface {
	EndExpiredSessions(ctx context.Context) (int, error)
}

// ExpiredSessions removes expired sessions every hour, the first time a
// minute after the server starts, so that they do not pile up in the
// store and in memory.
func ExpiredSessions(a SessionEnder) Job {
	return Job{Name: "expired-sessions", First: time.Minute, Every: time.Hour, Run: a.EndExpiredSessions}
}

// UnrecordedRemover removes those of objs that no journal entry records
// and that are at least grace old, and returns how many it removed
// (Archive.RemoveUnrecorded).
type UnrecordedRemover interface {
	RemoveUnrecorded(ctx context.Context, objs []va.ObjectInfo, grace time.Duration) (int, error)
}

// UnrecordedObjects removes, as the system, the objects that list (such
// as journal.Unrecorded over the store) finds and no journal entry
// records, once they are past va.UnrecordedGrace: the first time when
// those a crash before the start left are past it, then daily.
func UnrecordedObjects(a UnrecordedRemover, list func(context.Context) ([]va.ObjectInfo, error)) Job {
	run := func(ctx context.Context) (int, error) {
		objs, err := list(ctx)
		if err != nil {
			return 0, err
		}
		return a.RemoveUnrecorded(va.WithActor(ctx, "system"), objs, va.UnrecordedGrace)
	}
	return Job{Name: "unrecorded-objects", First: va.UnrecordedGrace + time.Minute, Every: 24 * time.Hour, Run: run}
}

// Checkpointer pins the journal's head (journal.Journal.Checkpoint).
type Checkpointer interface {
	Checkpoint(ctx context.Context) error
}

// JournalCheckpoints pins the journal's head every minute, so that verify
// can prove that nothing was cut from the journal's end before then. Its
// runs count nothing.
func JournalCheckpoints(j Checkpointer) Job {
	run := func(ctx context.Context) (int, error) { return 0, j.Checkpoint(ctx) }
	return Job{Name: "journal-checkpoints", First: time.Minute, Every: time.Minute, Run: run}
}

// LoanReminder tells the archivists of the loans of paper originals past
// their due time, each loan once, and returns how many it told them of
// (Papers.RemindOverdueLoans).
type LoanReminder interface {
	RemindOverdueLoans(ctx context.Context) (int, error)
}

// OverdueLoans tells the archivists of overdue loans daily, the first
// time 20 s after the server starts: a loan is due on a day, so a daily
// look is soon enough, and a restart looks again.
func OverdueLoans(p LoanReminder) Job {
	return Job{Name: "overdue-loans", First: 20 * time.Second, Every: 24 * time.Hour, Run: p.RemindOverdueLoans}
}

// DefaultFixityEvery is how often the server checks the fixity of every
// object unless configured otherwise (--fixity-every).
const DefaultFixityEvery = 24 * time.Hour

// FixityChecker re-reads every object, checks its SHA-256 against the
// journal, keeps and journals the result, and returns how many objects
// it checked (audit.Fixity.CheckFixity).
type FixityChecker interface {
	CheckFixity(ctx context.Context) (int, error)
}

// FixityCheck checks the fixity of every object every every (0: daily),
// the first time 5 minutes after the server starts, once the start's own
// work is done. A run reads the whole store.
func FixityCheck(f FixityChecker, every time.Duration) Job {
	if every <= 0 {
		every = DefaultFixityEvery
	}
	return Job{Name: "fixity", First: 5 * time.Minute, Every: every, Run: f.CheckFixity}
}
