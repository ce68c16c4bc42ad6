package retention

import (
	"context"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// Appraiser is one retention pass: the due records onto appraisal lists
// (Disposition.Appraise), run as the system.
type Appraiser interface {
	Appraise(ctx context.Context) (int, error)
}

// DefaultAppraisalEvery is how often the appraisal job runs.
const DefaultAppraisalEvery = 24 * time.Hour

// Appraisals runs a retention pass every (DefaultAppraisalEvery when 0),
// the first time 30 s after the server starts: records fall due on
// 1 January, so a daily pass lists them within a day. It destroys
// nothing.
func Appraisals(d Appraiser, every time.Duration) Job {
	if every <= 0 {
		every = DefaultAppraisalEvery
	}
	run := func(ctx context.Context) (int, error) { return d.Appraise(va.WithActor(ctx, "system")) }
	return Job{Name: "appraisals", First: 30 * time.Second, Every: every, Run: run}
}

// Housekeeper removes read notifications older than an age and abandoned
// archiving reservations (Archive.RemoveReadNotifications,
// Archive.RemoveAbandonedReservations).
type Housekeeper interface {
	RemoveReadNotifications(ctx context.Context, age time.Duration) (int, error)
	RemoveAbandonedReservations(ctx context.Context, age time.Duration) (int, error)
}

// HousekeepingConfig says what housekeeping keeps; zero fields take the
// defaults of the root package.
type HousekeepingConfig struct {
	Every        time.Duration // default daily
	ReadNotices  time.Duration // read notifications older than this go (va.DefaultReadNotificationAge)
	Reservations time.Duration // unused archiving reservations older than this go (va.DefaultReservationAge)
}

// Housekeeping removes, as the system, read notifications older than
// their age and abandoned archiving reservations, daily by default, the
// first time 2 minutes after the server starts.
func Housekeeping(h Housekeeper, c HousekeepingConfig) Job {
	if c.Every <= 0 {
		c.Every = 24 * time.Hour
	}
	if c.ReadNotices <= 0 {
		c.ReadNotices = va.DefaultReadNotificationAge
	}
	if c.Reservations <= 0 {
		c.Reservations = va.DefaultReservationAge
	}
	run := func(ctx context.Context) (int, error) {
		ctx = va.WithActor(ctx, "system")
		n, err := h.RemoveReadNotifications(ctx, c.ReadNotices)
		if err != nil {
			return n, err
		}
		m, err := h.RemoveAbandonedReservations(ctx, c.Reservations)
		return n + m, err
	}
	return Job{Name: "housekeeping", First: 2 * time.Minute, Every: c.Every, Run: run}
}

// RunAppraisal is one retention pass, as `visitarchive retention run`
// does it: the schedule journaled if it changed, then the due records
// onto lists. It returns how many records it listed.
func RunAppraisal(ctx context.Context, d Appraiser) (int, error) {
	return d.Appraise(va.WithActor(ctx, "system"))
}
