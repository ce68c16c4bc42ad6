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
	r := keyForm(1)
	// 00:30 on 1 January 2027 in Shanghai.
	r.VisitStart = time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)
	r.VisitEnd = r.VisitStart.Add(time.Hour)
	e.Clock.Set(r.VisitEnd.Add(time.Hour))
	got := mustCreate(t, e.Archive, ctx["alice"], r)
	got, err := e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version)
	if err != nil {
		t.Fatal(err)
	}
	if ev := notificationMessages(t, e, ctx["sam"]); len(ev) != 1 || !strings.HasSuffix(ev[0], " 2027-01-01") {
		t.Errorf("sam's notice of the submission: %q, want the visit's day in Shanghai, 2027-01-01", ev)
	}
	if got, err = e.Archive.ApproveRecord(ctx["sam"], got.ID, got.Version, ""); err != nil {
		t.Fatal(err)
	}
	if got, err = e.Archive.ArchiveRecord(ctx["ann"], got.ID, va.ArchiveRequest{Version: got.Version}); err != nil {
		t.Fatal(err)
	}
	if got.Class.Year != 2027 || got.ReferenceCode != "F001-KF·2027-D30-XNY-0001" {
		t.Errorf("archived under year %d as %s, want 2027 and F001-KF·2027-D30-XNY-0001", got.Class.Year, got.ReferenceCode)
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
	ctx := people(t, e)
	r := keyForm(1)
	// 21:00 on 31 December 2026 in Los Angeles, already 2027 in UTC and
	// in Shanghai.
	r.VisitStart = time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC)
	r.VisitEnd = r.VisitStart.Add(time.Hour)
	e.Clock.Set(r.VisitEnd.Add(time.Hour))
	got := mustCreate(t, e.Archive, ctx["alice"], r)
	for _, move := range []func() (*va.Record, error){
		func() (*va.Record, error) { return e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version) },
		func() (*va.Record, error) { return e.Archive.ApproveRecord(ctx["sam"], got.ID, got.Version, "") },
		func() (*va.Record, error) {
			return e.Archive.ArchiveRecord(ctx["ann"], got.ID, va.ArchiveRequest{Version: got.Version})
		},
	} {
		if got, err = move(); err != nil {
			t.Fatal(err)
		}
	}
	if got.Class.Year != 2026 {
		t.Errorf("archived under year %d, want 2026 (Los Angeles)", got.Class.Year)
	}
}

// notificationMessages returns the messages in the inbox of ctx.
func notificationMessages(t *testing.T, e *env, ctx context.Context) []string {
	t.Helper()
	page, err := e.Archive.Inbox().List(ctx, false, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range page.Notifications {
		out = append(out, n.Message)
	}
	return out
}
