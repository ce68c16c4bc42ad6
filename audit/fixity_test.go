package audit_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/audit"
)

// TestFixity runs the fixity check on a clean archive, then after a
// flipped byte, a deleted object and an untracked one: each run is kept
// and journaled, lists each object under its kind, and sets the metrics.
func TestFixity(t *testing.T) {
	f := newFixture(t, nil)
	fx := audit.NewFixity(f.Archive, f.Clock.Now)
	clean, err := fx.RunOnce(t.Context())
	if err != nil || !clean.OK() || clean.Objects == 0 {
		t.Fatalf("clean run: %+v, %v", clean, err)
	}
	flipped, deleted, untracked := plantFlip(t, f)[0], plantDelete(t, f)[0], plantUntracked(t, f)[0]
	f.Clock.Set(f.Clock.Now().Add(24 * time.Hour))
	res, err := fx.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind string
		got  []va.FixityProblem
		want string
	}{{"altered", res.Altered, flipped}, {"missing", res.Missing, deleted}, {"untracked", res.Untracked, untracked}} {
		if len(c.got) != 1 || c.got[0].Key != c.want {
			t.Errorf("%s = %+v, want %s", c.kind, c.got, c.want)
		}
	}
	if len(res.Journal) != 0 {
		t.Errorf("journal problems: %+v", res.Journal)
	}
	hist, err := f.Archive.FixityResults(f.ctx["aud"], 0)
	if err != nil || len(hist) != 2 || hist[0].ID != res.ID || hist[1].ID != clean.ID {
		t.Fatalf("history: %+v, %v; want the two runs, newest first", hist, err)
	}
	if _, err := f.Archive.FixityResults(f.ctx["alice"], 1); !va.IsKind(err, va.Forbidden) {
		t.Errorf("an employee reads the fixity results: %v, want Forbidden", err)
	}
	page, err := f.Archive.FilterJournal(f.ctx["aud"], va.JournalFilter{Action: va.ActionFixityDone})
	if err != nil || len(page.Entries) != 2 {
		t.Errorf("fixity.done entries: %+v, %v; want 2", page, err)
	}
	got := gather(t, fx)
	for name, want := range map[string]float64{
		`visitarchive_fixity_problems{kind="altered"}`: 1, `visitarchive_fixity_problems{kind="missing"}`: 1,
		`visitarchive_fixity_problems{kind="untracked"}`: 1, `visitarchive_fixity_problems{kind="journal"}`: 0,
		"visitarchive_fixity_objects_checked":            float64(res.Objects),
		"visitarchive_fixity_last_run_timestamp_seconds": float64(res.Ended.Unix()),
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %t), want %v", name, v, ok, want)
		}
	}
}

// gather returns the values of the metrics of c by name and labels.
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "{" + l.GetName() + `="` + l.GetValue() + `"}`
			}
			out[name] = m.GetGauge().GetValue()
		}
	}
	return out
}
