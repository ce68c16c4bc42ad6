package retention_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
)

// archiveStub is the Archive operations and the journal the jobs use.
type archiveStub struct {
	actor       va.UserName
	objs        []va.ObjectInfo
	grace       time.Duration
	checkpoints int
}

func (a *archiveStub) NotifyOverdue(context.Context) (int, error)         { return 2, nil }
func (a *archiveStub) EndExpiredSessions(context.Context) (int, error)    { return 3, nil }
func (a *archiveStub) RemindUnrecordedPlans(context.Context) (int, error) { return 4, nil }
func (a *archiveStub) RemindUnreviewed(context.Context) (int, error)      { return 5, nil }
func (a *archiveStub) RemindOverdueLoans(context.Context) (int, error)    { return 6, nil }

func (a *archiveStub) RemoveUnrecorded(ctx context.Context, objs []va.ObjectInfo, grace time.Duration) (int, error) {
	a.actor, a.objs, a.grace = va.ActorFrom(ctx), objs, grace
	return len(objs), nil
}

func (a *archiveStub) Checkpoint(context.Context) error {
	a.checkpoints++
	return nil
}

// TestJobs: each job runs its operation on the schedule the server has
// always kept.
func TestJobs(t *testing.T) {
	a := &archiveStub{}
	objs := []va.ObjectInfo{{Key: "records/r1/v1.json"}, {Key: "records/r2/v1.json"}}
	list := func(context.Context) ([]va.ObjectInfo, error) { return objs, nil }
	tests := []struct {
		job          retention.Job
		name         string
		first, every time.Duration
		n            int
	}{
		{retention.OverdueNotices(a), "overdue-notices", 5 * time.Second, time.Minute, 2},
		{retention.PlanRecordReminders(a), "plan-record-reminders", 10 * time.Second, 5 * time.Minute, 4},
		{retention.ReviewReminders(a), "review-reminders", 15 * time.Second, 5 * time.Minute, 5},
		{retention.OverdueLoans(a), "overdue-loans", 20 * time.Second, 24 * time.Hour, 6},
		{retention.ExpiredSessions(a), "expired-sessions", time.Minute, time.Hour, 3},
		{retention.UnrecordedObjects(a, list), "unrecorded-objects", va.UnrecordedGrace + time.Minute, 24 * time.Hour, 2},
		{retention.JournalCheckpoints(a), "journal-checkpoints", time.Minute, time.Minute, 0},
	}
	for _, tt := range tests {
		j := tt.job
		if j.Name != tt.name || j.First != tt.first || j.Every != tt.every {
			t.Errorf("job %q first %v every %v, want %q first %v every %v", j.Name, j.First, j.Every, tt.name, tt.first, tt.every)
		}
		if n, err := j.Run(t.Context()); n != tt.n || err != nil {
			t.Errorf("%s: Run = %d, %v; want %d, nil", j.Name, n, err, tt.n)
		}
	}
	if a.actor != "system" || a.grace != va.UnrecordedGrace || !slices.Equal(a.objs, objs) {
		t.Errorf("RemoveUnrecorded ran as %q with grace %v on %v; want the system, %v and the listed objects", a.actor, a.grace, a.objs, va.UnrecordedGrace)
	}
	if a.checkpoints != 1 {
		t.Errorf("checkpoints = %d, want 1", a.checkpoints)
	}
}

// TestUnrecordedObjectsListFails: when the store cannot be listed, nothing
// is removed and the run fails.
func TestUnrecordedObjectsListFails(t *testing.T) {
	a := &archiveStub{}
	down := errors.New("store unavailable")
	j := retention.UnrecordedObjects(a, func(context.Context) ([]va.ObjectInfo, error) { return nil, down })
	if n, err := j.Run(t.Context()); n != 0 || !errors.Is(err, down) {
		t.Errorf("Run = %d, %v; want 0, %v", n, err, down)
	}
	if a.actor != "" {
		t.Error("RemoveUnrecorded ran without a listing")
	}
}
