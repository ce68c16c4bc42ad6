package visitarchive

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Jobs: the queue of background work, kept in the store as versioned
// objects (jobs/<id>/<v:010d>.json, see job.go) and journaled like
// everything else, so that every process follows it and a restart finds
// it whole. The jobs cache holds the current version of each; a version
// is written create-only, so that of two processes that change a job at
// once exactly one does, and the other learns it from the Conflict.
//
// The moves of a job, each one new version:
//
//	queued  → running   claimJob: a worker takes it, with a lease
//	running → running   renewJob: the worker renews its lease, with the pages done
//	running → queued    releaseJob: the worker stops (shutdown), or retryJob:
//	                    a passing failure, tried again after a while
//	running → done, failed, unavailable
//	                    finishJob: with the text parts it wrote, in one entry
//	running → failed    giveUp: its lease passed maxJobAttempts times

// The journal actions of the jobs.
const (
	ActionJobQueue   = "job.queue"
	ActionJobClaim   = "job.claim"
	ActionJobRenew   = "job.renew"
	ActionJobRelease = "job.release"
	ActionJobFinish  = "job.finish"
)

// maxJobAttempts is how many runs of a job may begin before it fails: a
// run whose process died counts, so a file that takes the whole server
// down is not tried for ever.
const maxJobAttempts = 3

// putJob writes version 1 of the job that extracts att's text, queued; it
// is journaled with the upload.
func (u *Upload) putJob(ctx context.Context, att *Attachment) error {
	j := &storedJob{Job: Job{ID: att.Text.Job, Version: 1, Kind: JobExtractText, Record: att.Record,
		Attachment: att.ID, State: TextQueued, CreatedBy: att.UploadedBy, CreatedAt: att.UploadedAt,
		UpdatedAt: att.UploadedAt}}
	key := JobKey(j.ID, 1)
	u.a.uploading.Store(key, struct{}{})
	info, err := u.a.put(ctx, key, j)
	if err != nil {
		u.a.uploading.Delete(key)
		return err
	}
	u.wrote(Change{Action: ActionJobQueue, Key: key, SHA256: info.SHA256})
	return nil
}

// wakeJobs tells the extraction workers, if they wait, that a job was
// queued.
func (a *Archive) wakeJobs() {
	select {
	case a.jobWake <- struct{}{}:
	default:
	}
}

// Job returns job id, if the caller may read the record of its
// attachment; NotFound otherwise, as when there is no such job. A running
// job shows the pages done so far when this process runs it, else as of
// its worker's last renewal. A finished job is answered once the index
// holds its text: search finds what a done job extracted.
func (a *Archive) Job(ctx context.Context, id string) (*Job, error) {
	const op = "job.get"
	if _, err := caller(ctx, op); err != nil {
		return nil, err
	}
	notFound := E(op, NotFound, nil, "job %s not found", id)
	j := a.jobs.get(id)
	if j == nil {
		return nil, notFound
	}
	s, err := a.loadRecord(ctx, op, j.Record)
	if err == nil {
		err = a.visible(ctx, op, RecordResource(&s.Record), string(j.Record))
	}
	switch {
	case IsKind(err, NotFound):
		return nil, notFound
	case err != nil:
		return nil, err
	}
	v := a.jobView(j)
	if v.Finished() {
		// The caches see a job end before the index applies its text:
		// wait for that, so that a finished job's text is found.
		if err := a.syncIndex(ctx, a.catalog.head()); err != nil {
			return nil, err
		}
	}
	return &v, nil
}

// jobView is what is shown of j: the job, with the pages done so far
// when it runs in this process.
func (a *Archive) jobView(j *storedJob) Job {
	v := j.Job
	if p, ok := a.jobProgress.Load(v.ID); ok && v.State == TextRunning {
		pr := p.(pages)
		v.PagesDone, v.Pages = pr.done, pr.total
	}
	return v
}

// pages is how far a running extraction has come.
type pages struct{ done, total int }

// textState returns t, an attachment's text state as its upload wrote
// it, brought up to its job's current state.
func (a *Archive) textState(t AttachmentText) AttachmentText {
	if t.Job == "" {
		return t
	}
	j := a.jobs.get(t.Job)
	if j == nil {
		return t
	}
	v := a.jobView(j)
	return AttachmentText{Job: v.ID, State: v.State, Reason: v.Reason, Pages: v.Pages, PagesDone: v.PagesDone}
}

// claimable reports whether a worker may claim j at now: queued and due,
// or running under a lease that has passed.
func claimable(j *storedJob, now time.Time) bool {
	switch j.State {
	case TextQueued:
		return !now.Before(j.NotBefore)
	case TextRunning:
		return now.After(j.Lease)
	}
	return false
}

// pendingJobs returns the jobs a worker may claim at now, oldest first.
func (a *Archive) pendingJobs(now time.Time) []*storedJob {
	var out []*storedJob
	a.jobs.mu.RLock()
	for _, j := range a.jobs.m {
		if claimable(j, now) {
			out = append(out, j)
		}
	}
	a.jobs.mu.RUnlock()
	slices.SortFunc(out, func(x, y *storedJob) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
	})
	return out
}

// nextJob writes the version after cur, as change makes it, create-only,
// and journals it as action with the objects of extra: Conflict when
// someone else wrote that version first. ctx names the actor (the
// system).
func (a *Archive) nextJob(ctx context.Context, action string, cur *storedJob, change func(*storedJob), extra ...Change) (*storedJob, error) {
	next := *cur
	next.Version++
	next.UpdatedAt = a.now().UTC()
	change(&next)
	ch, err := jobKind.put(ctx, a, action, &next)
	if err != nil {
		for _, c := range extra {
			a.dropObject(ctx, c.Key)
		}
		return nil, err
	}
	if err := a.commit(ctx, action, ch, &next, extra...); err != nil {
		return nil, err
	}
	return &next, nil
}

// claimJob takes cur for owner until lease from now: running, one more
// attempt. A job whose lease passed maxJobAttempts times fails instead,
// and claimJob returns it finished.
func (a *Archive) claimJob(ctx context.Context, cur *storedJob, owner string, lease time.Duration) (*storedJob, error) {
	if cur.State == TextRunning && cur.Attempts >= maxJobAttempts {
		return a.nextJob(ctx, ActionJobFinish, cur, func(j *storedJob) {
			j.State, j.Owner, j.Lease = TextFailed, "", time.Time{}
			j.Reason = fmt.Sprintf("text not extracted: the extraction began %d times and its process ended each time", cur.Attempts)
		})
	}
	return a.nextJob(ctx, ActionJobClaim, cur, func(j *storedJob) {
		j.State, j.Owner, j.Lease = TextRunning, owner, j.UpdatedAt.Add(lease)
		j.Attempts++
		j.Reason, j.NotBefore = "", time.Time{}
	})
}

// renewJob extends the lease of cur, which its worker holds, and records
// how far it has come.
func (a *Archive) renewJob(ctx context.Context, cur *storedJob, lease time.Duration, pr pages) (*storedJob, error) {
	return a.nextJob(ctx, ActionJobRenew, cur, func(j *storedJob) {
		j.Lease = j.UpdatedAt.Add(lease)
		j.PagesDone, j.Pages = pr.done, pr.total
	})
}

// releaseJob puts cur back in the queue: its worker stopped before the
// end (the server shuts down), which does not count as an attempt.
func (a *Archive) releaseJob(ctx context.Context, cur *storedJob) (*storedJob, error) {
	return a.nextJob(ctx, ActionJobRelease, cur, func(j *storedJob) {
		j.State, j.Owner, j.Lease = TextQueued, "", time.Time{}
		j.Attempts = max(j.Attempts-1, 0)
		j.PagesDone = 0
	})
}

// retryJob puts cur back in the queue after a failure that may pass (the
// store did not answer), to be tried again after a while; after
// maxJobAttempts it fails with reason.
func (a *Archive) retryJob(ctx context.Context, cur *storedJob, reason string) (*storedJob, error) {
	if cur.Attempts >= maxJobAttempts {
		return a.finishJob(ctx, cur, ExtractResult{State: TextFailed, Reason: reason}, nil)
	}
	return a.nextJob(ctx, ActionJobRelease, cur, func(j *storedJob) {
		j.State, j.Owner, j.Lease = TextQueued, "", time.Time{}
		j.NotBefore = j.UpdatedAt.Add(time.Duration(j.Attempts) * time.Minute)
		j.Reason = reason
		j.PagesDone = 0
	})
}

// finishJob writes the last version of cur with the state of res, and
// journals it with the parts of the text (texts, written already) in one
// entry.
func (a *Archive) finishJob(ctx context.Context, cur *storedJob, res ExtractResult, texts []Change) (*storedJob, error) {
	return a.nextJob(ctx, ActionJobFinish, cur, func(j *storedJob) {
		j.State, j.Owner, j.Lease = res.State, "", time.Time{}
		j.Reason, j.Method = res.Reason, res.Method
		j.NotBefore = time.Time{}
		j.Pages = len(res.Pages)
		j.PagesDone = j.Pages
	}, texts...)
}
