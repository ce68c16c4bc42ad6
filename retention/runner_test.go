package retention_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
)

// fakeClock hands each wait of a Runner to the test, which ends it when
// it chooses; no test sleeps.
type fakeClock struct{ waits chan wait }

type wait struct {
	d    time.Duration
	fire chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{waits: make(chan wait, 16)} }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	w := wait{d, make(chan time.Time, 1)}
	c.waits <- w
	return w.fire
}

// next returns the wait a loop has begun.
func (c *fakeClock) next(t *testing.T) wait {
	t.Helper()
	select {
	case w := <-c.waits:
		return w
	case <-time.After(10 * time.Second):
		t.Fatal("the runner did not wait for a job's next run")
		return wait{}
	}
}

// steps answers a job's runs from a list of results, then with nothing
// done.
type steps struct {
	mu      sync.Mutex
	results []result
	calls   int
}

type result struct {
	n   int
	err error
}

func (s *steps) run(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.calls > len(s.results) {
		return 0, nil
	}
	r := s.results[s.calls-1]
	return r.n, r.err
}

func (s *steps) ran() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// TestRunnerLoop: a job runs First after Start, then Every after each run,
// until Stop; what it did and its failures are logged, runs that did
// nothing are not, and a failed run is tried again at the next interval.
func TestRunnerLoop(t *testing.T) {
	job := &steps{results: []result{{0, nil}, {3, nil}, {1, errors.New("index unavailable")}}}
	var logs bytes.Buffer // read after Stop, which waits for the loops
	r := retention.NewRunner(slog.New(slog.NewTextHandler(&logs, nil)),
		retention.Job{Name: "overdue-notices", First: 5 * time.Second, Every: time.Minute, Run: job.run})
	clock := newFakeClock()
	r.After = clock.After
	r.Start(t.Context())

	for i, want := range []time.Duration{5 * time.Second, time.Minute, time.Minute, time.Minute} {
		w := clock.next(t)
		if w.d != want {
			t.Errorf("wait %d = %v, want %v", i, w.d, want)
		}
		if got := job.ran(); got != i {
			t.Errorf("before wait %d ended, the job ran %d times, want %d", i, got, i)
		}
		w.fire <- time.Now()
	}
	clock.next(t) // the fourth run is over
	stopWithin(t, r)

	got := logs.String()
	for _, w := range []string{
		`level=INFO msg="job done" job=overdue-notices items=3`,
		`level=WARN msg="job failed; trying again at its next run" job=overdue-notices items=1 err="index unavailable"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("log lacks %q:\n%s", w, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 2 {
		t.Errorf("log has %d lines, want 2: runs that did nothing were logged:\n%s", n, got)
	}
}

// stopWithin stops r, failing when Stop does not return.
func stopWithin(t *testing.T, r *retention.Runner) {
	t.Helper()
	stopped := make(chan struct{})
	go func() { r.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return")
	}
}

// TestRunnerStopEndsRun: Stop cancels a run in flight and waits for it;
// the error that the cancellation causes is no failure of the job.
func TestRunnerStopEndsRun(t *testing.T) {
	started := make(chan struct{})
	var logs bytes.Buffer // read after Stop, which waits for the loops
	r := retention.NewRunner(slog.New(slog.NewTextHandler(&logs, nil)), retention.Job{
		Name: "checkpoint", Every: time.Minute,
		Run: func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		},
	})
	clock := newFakeClock()
	r.After = clock.After
	r.Start(t.Context())
	clock.next(t).fire <- time.Now()
	<-started
	stopWithin(t, r)
	if logs.String() != "" {
		t.Errorf("stopping logged:\n%s", logs.String())
	}
	text := exposition(t, r)
	for _, want := range []string{`visitarchive_job_errors_total{job="checkpoint"} 0`, `visitarchive_job_last_run_timestamp_seconds{job="checkpoint"}`} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, "last_success") {
		t.Errorf("a run that stopping ended counts as a success:\n%s", text)
	}
}

// exposition returns the metrics of r as /metrics serves them.
func exposition(t *testing.T, r *retention.Runner) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(r)
	w := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.PanicOnError}).
		ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w.Body.String()
}

// TestRunOnceMetrics: each run sets the job's series, with the times of
// the Runner's clock.
func TestRunOnceMetrics(t *testing.T) {
	job := &steps{results: []result{{4, nil}, {2, errors.New("store unavailable")}}}
	r := retention.NewRunner(nil,
		retention.Job{Name: "unrecorded-objects", Every: time.Hour, Run: job.run},
		retention.Job{Name: "idle", Every: time.Hour, Run: (&steps{}).run})
	now := time.Unix(1_800_000_000, 0)
	r.Now = func() time.Time { now = now.Add(1500 * time.Millisecond); return now }

	if n, err := r.RunOnce(t.Context(), "unrecorded-objects"); n != 4 || err != nil {
		t.Fatalf("first RunOnce = %d, %v; want 4, nil", n, err)
	}
	if n, err := r.RunOnce(t.Context(), "unrecorded-objects"); n != 2 || err == nil {
		t.Fatalf("second RunOnce = %d, %v; want 2 and the job's error", n, err)
	}
	// First run: 1_800_000_001.5 to 1_800_000_003; second: to 1_800_000_006.
	const want = `
# HELP visitarchive_job_errors_total Runs of the job that failed.
# TYPE visitarchive_job_errors_total counter
visitarchive_job_errors_total{job="idle"} 0
visitarchive_job_errors_total{job="unrecorded-objects"} 1
# HELP visitarchive_job_items_total Things the job's runs did: records notified, sessions or objects removed.
# TYPE visitarchive_job_items_total counter
visitarchive_job_items_total{job="idle"} 0
visitarchive_job_items_total{job="unrecorded-objects"} 6
# HELP visitarchive_job_last_duration_seconds How long the job's last run took.
# TYPE visitarchive_job_last_duration_seconds gauge
visitarchive_job_last_duration_seconds{job="unrecorded-objects"} 1.5
# HELP visitarchive_job_last_run_timestamp_seconds When the job's last run ended, in Unix seconds.
# TYPE visitarchive_job_last_run_timestamp_seconds gauge
visitarchive_job_last_run_timestamp_seconds{job="unrecorded-objects"} 1.800000006e+09
# HELP visitarchive_job_last_success_timestamp_seconds When the job's last successful run ended, in Unix seconds.
# TYPE visitarchive_job_last_success_timestamp_seconds gauge
visitarchive_job_last_success_timestamp_seconds{job="unrecorded-objects"} 1.800000003e+09
`
	if got := exposition(t, r); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("metrics:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunOnceUnknownJob(t *testing.T) {
	r := retention.NewRunner(nil, retention.Job{Name: "overdue-notices", Run: (&steps{}).run})
	if _, err := r.RunOnce(t.Context(), "backup"); va.ErrorKind(err) != va.NotFound {
		t.Errorf("RunOnce of an unknown job = %v, want a NotFound error", err)
	}
}
