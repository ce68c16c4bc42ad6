package visitarchive_test

import (
	"context"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// inProcessZone sets the zone of the process (time.Local) for the test,
// so that what it shows does not depend on the zone of the machine: the
// company's zone must decide, not this one.
func inProcessZone(t *testing.T, loc *time.Location) {
	prev := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = prev })
}

// TestCompanyTimeZone: a visit on the night of 31 December in Shanghai,
// sent in UTC, is archived under the next year, and the notifications
// show the day of the visit in Shanghai, on a server whose zone is UTC.
func TestCompanyTimeZone(t *testing.T) {
	inProcessZone(t, time.UTC)
	e := newEnv(t) // the company's zone is the default, Asia/Shanghai
	if got := e.Archive.Location().String(); got != va.DefaultTimeZone {
		t.Fatalf("company zone %s, want the default %s", got, va.DefaultTimeZone)
	}
	ctx := people(t, e)
	// 00:30 on 1 January 2027 in Shanghai.
	got := archivedVisit(t, e, ctx, time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC))
	if got.Class.Year != 2027 || got.ReferenceCode != "F001-KF·2027-D30-XNY-0001" {
		t.Errorf("archived under year %d as %s, want 2027 and F001-KF·2027-D30-XNY-0001", got.Class.Year, got.ReferenceCode)
	}
	ns := notifications(t, e, ctx["sam"])
	if len(ns) != 1 || ns[0].Event != va.EventRecordSubmitted || !strings.HasSuffix(ns[0].Message, " 2027-01-01") {
		for _, n := range ns {
			t.Logf("sam's inbox: %s %q", n.Event, n.Message)
		}
		t.Error("sam's inbox holds not just the notice of the submission with the visit's day in Shanghai, 2027-01-01")
	}
}

// TestConfiguredTimeZone: another zone, configured, decides instead.
func TestConfiguredTimeZone(t *testing.T) {
	inProcessZone(t, time.UTC)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	e := unopened(t)
	e.adjust(func(c *va.Config) { c.Workflow.Location = la })
	e.start(t)
	// 21:00 on 31 December 2026 in Los Angeles, already 2027 in UTC and
	// in Shanghai.
	if got := archivedVisit(t, e, people(t, e), time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC)); got.Class.Year != 2026 {
		t.Errorf("archived under year %d, want 2026 (Los Angeles)", got.Class.Year)
	}
}

// archivedVisit files a record of a one-hour visit from start as alice,
// has sam approve it and ann archive it, and returns it.
func archivedVisit(t *testing.T, e *env, ctx map[string]context.Context, start time.Time) *va.Record {
	t.Helper()
	r := keyForm(1)
	r.VisitStart, r.VisitEnd = start, start.Add(time.Hour)
	e.Clock.Set(r.VisitEnd.Add(time.Hour))
	got := mustCreate(t, e.Archive, ctx["alice"], r)
	got, err := e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version)
	if err == nil {
		got, err = e.Archive.ApproveRecord(ctx["sam"], got.ID, got.Version, "")
	}
	if err == nil {
		got, err = e.Archive.ArchiveRecord(ctx["ann"], got.ID, va.ArchiveRequest{Version: got.Version})
	}
	if err != nil {
		t.Fatal(err)
	}
	return got
}
