package retention

import (
	"context"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

type stubDisposition struct {
	actor                va.UserName
	notices, reservation time.Duration
}

func (s *stubDisposition) Appraise(ctx context.Context) (int, error) {
	s.actor = va.ActorFrom(ctx)
	return 3, nil
}

func (s *stubDisposition) RemoveReadNotifications(ctx context.Context, age time.Duration) (int, error) {
	s.notices = age
	return 2, nil
}

func (s *stubDisposition) RemoveAbandonedReservations(ctx context.Context, age time.Duration) (int, error) {
	s.reservation = age
	return 1, nil
}

// The disposition jobs run as the system, daily unless told otherwise,
// with the default ages.
func TestDispositionJobs(t *testing.T) {
	s := &stubDisposition{}
	r := NewRunner(nil, Appraisals(s, 0), Housekeeping(s, HousekeepingConfig{ReadNotices: time.Hour}))
	if n, err := r.RunOnce(t.Context(), "appraisals"); n != 3 || err != nil || s.actor != "system" {
		t.Errorf("appraisals: %d, %v, as %q", n, err, s.actor)
	}
	if n, err := r.RunOnce(t.Context(), "housekeeping"); n != 3 || err != nil ||
		s.notices != time.Hour || s.reservation != va.DefaultReservationAge {
		t.Errorf("housekeeping: %d, %v, ages %s %s", n, err, s.notices, s.reservation)
	}
	if j := Appraisals(s, 0); j.Every != DefaultAppraisalEvery {
		t.Errorf("appraisals every %s", j.Every)
	}
}
