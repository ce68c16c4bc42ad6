package retention

import (
	"context"
	"log/slog"
	"sync"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// Job is scheduled work: Run first runs First after Runner.Start, then
// Every after the previous run ended, so that a slow run never overlaps
// the next.
type Job struct {
	// Name names the job in the logs and in the job label of the
	// metrics, such as "overdue-notices"; it is unique in a Runner.
	Name  string
	First time.Duration
	Every time.Duration
	// Run does the work once and returns how many things it did (records
	// notified, objects removed), also when it fails part way.
	Run func(ctx context.Context) (n int, err error)
}

// Runner runs jobs on their schedules, logs what they did and keeps
// metrics of them; it is a prometheus.Collector of those metrics.
type Runner struct {
	// Now and After are the clock (time.Now and time.After unless a test
	// sets them before Start): After is how a loop waits for a job's next
	// run, so that a test can end each wait when it chooses.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time

	log     *slog.Logger
	jobs    []Job
	metrics *metrics

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewRunner returns a Runner of jobs that logs to log (nil discards).
func NewRunner(log *slog.Logger, jobs ...Job) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{Now: time.Now, After: time.After, log: log, jobs: jobs, metrics: newMetrics()}
	for _, j := range jobs {
		r.metrics.init(j.Name)
	}
	return r
}

// Start runs each job in a loop of its own until ctx ends or Stop is
// called. Call it once.
func (r *Runner) Start(ctx context.Context) {
	ctx, r.cancel = context.WithCancel(ctx)
	for _, j := range r.jobs {
		r.wg.Go(func() { r.loop(ctx, j) })
	}
}

// Stop ends the loops and waits for the runs in flight, whose context it
// cancels, so that the caller may then close what the jobs use.
func (r *Runner) Stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}

// RunOnce runs the job called name now, as its loop would: it logs and
// counts the run. The command line and tests call it; a job's loop may
// run it at the same time.
func (r *Runner) RunOnce(ctx context.Context, name string) (int, error) {
	for _, j := range r.jobs {
		if j.Name == name {
			return r.run(ctx, j)
		}
	}
	return 0, va.E("retention.run", va.NotFound, nil, "there is no job %q", name)
}

func (r *Runner) loop(ctx context.Context, j Job) {
	wait := j.First
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.After(wait):
		}
		r.run(ctx, j)
		wait = j.Every
	}
}

// run runs j once. A run that did nothing is logged only at debug level,
// since most runs of most jobs find nothing to do; a failure is logged at
// warn unless it is the runner stopping, and the next run tries again.
func (r *Runner) run(ctx context.Context, j Job) (int, error) {
	start := r.Now()
	n, err := j.Run(ctx)
	stopped := err != nil && ctx.Err() != nil
	r.metrics.record(j.Name, start, r.Now(), n, err, stopped)
	switch {
	case err != nil && !stopped:
		r.log.Warn("job failed; trying again at its next run", "job", j.Name, "items", n, "err", err)
	case n > 0:
		r.log.Info("job done", "job", j.Name, "items", n)
	default:
		r.log.Debug("job ran", "job", j.Name, "items", n)
	}
	return n, err
}
