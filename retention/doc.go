// Package retention holds the retention schedule (保管期限表) and the
// archive's scheduled work: the Runner and the jobs it runs. Disposition
// (appraisal and destruction), legal holds, backups and fixity checks
// come here as jobs too.
//
// # The schedule
//
// The schedule gives each archival class its retention period. It is
// configuration, written as JSON:
//
//	{
//	  "rules": [
//	    {"customer_type": "key", "retention": "D30"},
//	    {"customer_type": "key", "business_area": "machinery", "retention": "Y"}
//	  ],
//	  "default": "D10"
//	}
//
// A rule matches a class when each of its fields is empty (any value) or
// equal to the class's; the year of a class never matters. The most
// specific matching rule decides (both fields set beats one, one beats
// none), the first listed among equals; a class no rule matches gets the
// default. Retentions are "D10" (ten years), "D30" (thirty years) and "Y"
// (permanent).
//
// # The job runner
//
// A Job is a name, a schedule and a one-shot Run that returns how many
// things it did. A Runner runs each of its jobs in a loop of its own, in
// the manner of Litestream's replica loops: Start runs Run First after it
// is called, then Every after the previous run ended (never two runs of a
// job at once), until Stop, which cancels the run in flight and waits for
// it. RunOnce runs one job now, as its loop would: tests call it, and
// the command line will. The clock is the Runner's Now and After, which a
// test replaces to end each wait when it chooses instead of sleeping.
//
// A run that did something is logged at info (job, items); one that did
// nothing only at debug, since most runs find nothing to do; a failure at
// warn with its error, and the next run tries again: a job must be safe to
// repeat after it failed part way. A run that Stop cancels is no
// failure: no warning, no error counted. The Runner is a
// prometheus.Collector of these series, labelled job, which serve exports
// on /metrics:
//
//	visitarchive_job_last_run_timestamp_seconds      when the last run ended
//	visitarchive_job_last_success_timestamp_seconds  when the last successful run ended
//	visitarchive_job_last_duration_seconds           how long the last run took
//	visitarchive_job_items_total                     things the runs did
//	visitarchive_job_errors_total                    runs that failed
//
// An alert on time() - last_success greater than twice a job's Every
// finds a job that keeps failing or has stopped.
//
// # The jobs
//
// The server runs:
//
//	overdue-notices      5 s after the start, then every minute: notify about
//	                     records past their filing deadline (each once)
//	plan-record-reminders  10 s after the start, then every 5 minutes:
//	                     approved plans whose visit ended without a record
//	                     remind their visitors at half the filing period
//	                     and tell their supervisors past it (each once)
//	review-reminders     15 s after the start, then every 5 minutes: records
//	                     unreviewed for the review period remind their
//	                     reviewers, and after twice that tell the reviewers'
//	                     supervisor or the managers (each once)
//	overdue-loans        20 s after the start, then daily: tell the archivists
//	                     of loans of paper originals past their due time
//	                     (each loan once)
//	expired-sessions     after 1 min, then hourly: remove expired sessions
//	unrecorded-objects   after the grace period and 1 min, then daily: remove
//	                     objects no journal entry records (a crash's leftovers)
//	journal-checkpoints  every minute: pin the journal's head (and serve
//	                     pins it once more when it stops, after the Runner)
//	appraisals           30 s after the start, then daily (--appraisal-every):
//	                     a retention pass, Disposition.Appraise: the
//	                     schedule journaled if it changed, then every
//	                     archived record due (retain_until passed), on no
//	                     open list and under no legal hold, onto the open
//	                     appraisal list of its class. Nothing is destroyed.
//	housekeeping         2 min after the start, then daily
//	                     (--housekeeping-every): read notifications older
//	                     than --read-notice-age (180 days) and archiving
//	                     reservations older than --reservation-age (a day)
//	                     that no archived version used are removed, each
//	                     removal journaled
//	backup               a minute after the start, then every --backup-every
//	                     (daily), when a backup target is configured: a
//	                     backup pass (package backup)
//	backup-after-destruction  every 5 s, when a backup target is configured:
//	                     a backup pass when the journal shows a destruction
//	                     ended or a data key destroyed since the last look,
//	                     again every 5 s until one succeeds
//	fixity               5 min after the start, then daily (--fixity-every):
//	                     re-read every object and check its SHA-256 against
//	                     the journal (audit.Fixity, the scheduled form of
//	                     verify); the result is kept as fixity/<id>.json,
//	                     journaled as fixity.done, served to auditors at
//	                     /api/v1/audit/fixity and counted in
//	                     visitarchive_fixity_* on /metrics
//
// `visitarchive retention run` is one pass of appraisals (RunAppraisal,
// which the tests call with the Archive's injected clock), and
// `visitarchive retention list` lists the appraisal lists. serve also
// journals the schedule when it starts (Disposition.RecordSchedule), so
// that a changed schedule moves every archived record's retain_until in
// the index at once. Appraisal lists, legal holds and the due dates are
// the domain's (see disposition.go in the root package); the jobs only
// run them.
//
// Each job is built by a function of this package (OverdueNotices,
// PlanRecordReminders, ReviewReminders, OverdueLoans, ExpiredSessions,
// UnrecordedObjects, JournalCheckpoints, Appraisals, Housekeeping, Backups,
// BackupAfterDestruction, FixityCheck) from the few operations it
// needs, declared here as a small interface of its own — OverdueNotifier,
// PlanReminder, ReviewReminder, LoanReminder, SessionEnder,
// UnrecordedRemover, Checkpointer, BackupRunner (backup.go), FixityChecker — which
// *visitarchive.Archive (or the journal) satisfies and cmd passes in. A new
// job follows the same pattern: it declares the Archive operations it
// calls as an interface in this package, one or two methods, rather than
// taking the whole Archive, so that what a job may do is visible in its
// signature, a test can hand it a stub, and the package does not depend
// on storage, index or server. cmd adds the job to the server's Runner.
package retention
