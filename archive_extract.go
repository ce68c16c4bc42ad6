package visitarchive

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"
)

// Extraction runs the extraction jobs of the Archive (archive_jobs.go) on
// a bounded pool of workers: it claims the oldest jobs that wait, as many
// as there are idle workers, when an upload queues one and every Poll
// besides (for jobs queued by other processes, and for those whose
// worker died); each worker reads the attachment's decrypted content as
// the system, hands it to the TextExtractor, seals what comes back under
// the file's key and journals it with the job's last version. A worker
// renews its lease while it runs, every third of the lease, writing the
// pages done; a worker that finds its job taken over (its renewal is a
// Conflict) stops. Stop releases the jobs in flight, so that a restart
// takes them up at once; those of a process that died wait until their
// lease has passed. A lease is a time one process writes and another
// reads: the clocks of the servers on one store must agree to well within
// a lease.
type Extraction struct {
	a   *Archive
	cfg ExtractionConfig
	log *slog.Logger

	slots  chan struct{} // one per busy worker
	mu     sync.Mutex
	held   map[string]bool // the jobs this pool runs
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// ExtractionConfig is how an Extraction runs.
type ExtractionConfig struct {
	Extractor TextExtractor // required
	// Workers is how many jobs run at once (0: 1). Each runs the
	// extractor's processes one at a time.
	Workers int
	// Lease is how long a worker holds a job without renewing it (0:
	// DefaultJobLease): how long the jobs of a process that died wait.
	Lease time.Duration
	// Poll is how often the queue is looked at besides when an upload
	// of this process wakes it (0: DefaultJobPoll).
	Poll time.Duration
	// Owner names this process in the jobs it holds ("" : a random
	// name); cmd gives the host and process id.
	Owner string
}

// Defaults of ExtractionConfig.
const (
	DefaultJobLease = 2 * time.Minute
	DefaultJobPoll  = 2 * time.Second
)

// NewExtraction returns the pool of extraction workers of a; call Start
// to run it.
func (a *Archive) NewExtraction(cfg ExtractionConfig) *Extraction {
	cfg.Workers = max(cfg.Workers, 1)
	cfg.Lease = cmp.Or(cfg.Lease, DefaultJobLease)
	cfg.Poll = cmp.Or(cfg.Poll, DefaultJobPoll)
	if cfg.Owner == "" {
		var b [8]byte
		rand.Read(b[:])
		cfg.Owner = hex.EncodeToString(b[:])
	}
	return &Extraction{a: a, cfg: cfg, log: a.log.With("component", "extraction"),
		slots: make(chan struct{}, cfg.Workers), held: map[string]bool{}}
}

// Start looks at the queue at once and then whenever an upload wakes it
// or Poll has passed, until ctx ends or Stop is called. Call it once.
func (x *Extraction) Start(ctx context.Context) {
	ctx, x.cancel = context.WithCancel(ctx)
	x.wg.Go(func() {
		t := time.NewTicker(x.cfg.Poll)
		defer t.Stop()
		for {
			if _, err := x.RunOnce(ctx); err != nil && ctx.Err() == nil {
				x.log.Error("extraction jobs", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-x.a.jobWake:
			}
		}
	})
}

// Stop ends the loop and the jobs in flight, which go back to the queue,
// and waits for them.
func (x *Extraction) Stop() {
	if x.cancel != nil {
		x.cancel()
	}
	x.wg.Wait()
}

// RunOnce claims the jobs that wait, oldest first, as many as there are
// idle workers, starts them on workers that run until they end or ctx
// does, and returns how many it started.
func (x *Extraction) RunOnce(ctx context.Context) (int, error) {
	ctx = WithActor(ctx, "system")
	// The jobs of other processes, and their claims, are in the journal.
	if err := x.a.SyncIndex(ctx); err != nil {
		return 0, err
	}
	started := 0
	for _, j := range x.a.pendingJobs(x.a.now()) {
		if x.holds(j.ID) {
			continue
		}
		select {
		case x.slots <- struct{}{}:
		default:
			return started, nil // every worker is busy
		}
		claimed, err := x.a.claimJob(ctx, j, x.cfg.Owner, x.cfg.Lease)
		if err != nil || claimed.Finished() {
			<-x.slots
			if IsKind(err, Conflict) { // another worker has it
				continue
			}
			if err != nil {
				return started, err
			}
			x.log.Warn("extraction job given up", "job", j.ID, "reason", claimed.Reason)
			continue
		}
		x.hold(j.ID, true)
		started++
		x.wg.Go(func() {
			defer func() {
				x.hold(j.ID, false)
				<-x.slots
				x.a.wakeJobs() // a worker is free
			}()
			x.run(ctx, claimed)
		})
	}
	return started, nil
}

func (x *Extraction) holds(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.held[id]
}

func (x *Extraction) hold(id string, on bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if on {
		x.held[id] = true
	} else {
		delete(x.held, id)
	}
}

// heldJob is a job a worker holds: its last version, which the renewals
// and the end write after, one at a time.
type heldJob struct {
	mu   sync.Mutex
	cur  *storedJob
	lost bool  // a renewal found it taken over
	pr   pages // how far it has come
}

// run extracts the text of the attachment of j, which this worker holds,
// and writes the job's end; ctx ending puts it back in the queue.
func (x *Extraction) run(ctx context.Context, j *storedJob) {
	h := &heldJob{cur: j}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		x.renew(rctx, h, cancel)
	}()
	start := time.Now()
	res, f, err := x.extract(rctx, h, j)
	cancel()
	<-renewed
	x.a.jobProgress.Delete(j.ID)
	end := context.WithoutCancel(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.lost:
		x.log.Warn("extraction job taken over by another worker; its result is dropped", "job", j.ID)
		return
	case ctx.Err() != nil:
		if _, err := x.a.releaseJob(end, h.cur); err != nil {
			x.log.Error("extraction job not released; it runs again once its lease has passed", "job", j.ID, "err", err)
		}
		return
	case err != nil:
		x.log.Error("extraction job failed; it is tried again", "job", j.ID, "err", err)
		if _, err := x.a.retryJob(end, h.cur, "text not extracted: "+ErrorMessage(err)); err != nil {
			x.log.Error("extraction job not put back", "job", j.ID, "err", err)
		}
		return
	}
	err = x.finish(end, h, f, res)
	switch {
	case h.lost:
		x.log.Warn("extraction job taken over by another worker; its result is dropped", "job", j.ID)
		return
	case err != nil:
		x.log.Error("extraction job not finished; it is tried again", "job", j.ID, "err", err)
		if _, err := x.a.retryJob(end, h.cur, "text not extracted: "+ErrorMessage(err)); err != nil {
			x.log.Error("extraction job not put back", "job", j.ID, "err", err)
		}
		return
	}
	x.log.Info("extraction job done", "job", j.ID, "record", j.Record, "attachment", j.Attachment,
		"state", res.State, "method", res.Method, "pages", len(res.Pages), "took", time.Since(start).Round(time.Millisecond))
}

// extract reads the attachment of job j, which h holds, and returns its
// text, and the file that the text is sealed for (nil when the file
// cannot be read, which is the result: failed, with the reason).
func (x *Extraction) extract(ctx context.Context, h *heldJob, j *storedJob) (ExtractResult, *AttachmentFile, error) {
	f, err := x.a.OpenAttachment(ctx, j.Record, j.Attachment)
	if IsKind(err, NotFound) || IsKind(err, Gone) {
		return ExtractResult{State: TextFailed, Reason: "text not extracted: " + ErrorMessage(err)}, nil, nil
	}
	if err != nil {
		return ExtractResult{}, nil, err
	}
	rc, err := f.Open(ctx, 0, -1)
	if err != nil {
		return ExtractResult{}, nil, err
	}
	defer rc.Close()
	res, err := x.cfg.Extractor.Extract(ctx, f.MediaType, rc, func(done, total int) {
		pr := pages{done, total}
		x.a.jobProgress.Store(j.ID, pr)
		h.mu.Lock()
		h.pr = pr
		h.mu.Unlock()
	})
	if err != nil {
		return ExtractResult{}, nil, err
	}
	if res.State != TextDone {
		res.Pages = nil
	}
	return res, f, nil
}

// renew renews the lease of the job h holds every third of the lease
// until ctx ends; a renewal that finds the job taken over cancels the
// run (stop).
func (x *Extraction) renew(ctx context.Context, h *heldJob, stop context.CancelFunc) {
	t := time.NewTicker(x.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h.mu.Lock()
		next, err := x.a.renewJob(ctx, h.cur, x.cfg.Lease, h.pr)
		switch {
		case err == nil:
			h.cur = next
		case IsKind(err, Conflict):
			h.lost = true
			stop()
		case ctx.Err() == nil:
			x.log.Error("extraction job lease not renewed", "job", h.cur.ID, "err", err)
		}
		h.mu.Unlock()
	}
}

// finish writes the text of res, if any, and the job's last version in
// one journal entry, after renewing the lease if half of it has passed,
// so that no other worker takes the job while its text is written. h.mu
// is held.
func (x *Extraction) finish(ctx context.Context, h *heldJob, f *AttachmentFile, res ExtractResult) error {
	cur := h.cur
	if x.a.now().After(cur.Lease.Add(-x.cfg.Lease / 2)) {
		next, err := x.a.renewJob(ctx, cur, x.cfg.Lease, h.pr)
		if IsKind(err, Conflict) {
			h.lost = true
			return nil
		}
		if err != nil {
			return err
		}
		cur, h.cur = next, next
	}
	var err error
	var texts []Change
	if f != nil && len(res.Pages) > 0 {
		if texts, err = x.a.putTexts(ctx, f, cur.ID, res.Pages); err != nil {
			return err
		}
	}
	defer x.a.doneTexts(texts)
	done, err := x.a.finishJob(ctx, cur, res, texts)
	if err != nil {
		return err
	}
	h.cur = done
	return nil
}
