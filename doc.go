// Package visitarchive is the domain of the customer-visit archive
// (客户拜访档案库): customers, visit plans and records on the unified form
// and the files attached to them, users and departments, their validation, the errors every layer shares,
// and the small interfaces that storage, index, policy, retention and mail
// implement. Archive ties them together: it asks the policy (Authorizer)
// before every read and write, seals sensitive fields with per-object data
// keys (Keyring), writes every change as an immutable object, journals it,
// logs every read, and keeps the search index in step.
//
// This package imports only the standard library and does no I/O (no
// network, file or process); infrastructure lives in the sub-packages and
// is wired together in cmd/visitarchive.
//
// # Files
//
// Files named archive_*.go hold methods of Archive, accounts_*.go methods
// of Accounts, papers*.go methods of Papers; every other file holds a
// domain type or rule.
//
// The domain:
//
//	record.go          the visit record on the unified form
//	plan.go            the visit plan
//	customer.go        the customer and its contacts
//	user.go            users, roles, grants and departments (DepartmentID)
//	workflow.go        the states of a record and the moves between them
//	paper.go           paper originals: their places, versions and loans
//	workflow_config.go filing period, plan lead time and tolerance, review
//	                   period, forms per customer type, fonds, area codes
//	search.go          the search query and its results
//	validate.go        the field checks every type uses
//	jsontext.go        text that is not text: invalid UTF-8, lone surrogates
//	errors.go          the one error type and its kinds; messages kept as
//	                   their format and arguments (Message, Word), which
//	                   the edges translate
//	ids.go             identifiers
//	context.go         the caller of a request (principal.go: the signed-in one)
//	policy.go          permissions, resources, scopes and the Authorizer
//	seal.go            sealing sensitive fields (AES-256-GCM) and blind hashes
//	attachment.go      files attached to records: the accepted media types,
//	                   the file name rule, the FileSealer that encrypts them
//	job.go             background jobs kept in the store (the extraction of
//	                   an attachment's text) and the TextExtractor they call
//	scan.go            the scan inbox: the Scan, its states and sources, the
//	                   report of an upload, the ScanSplitter that cuts batches
//	                   at their cover sheets
//	objectkeys.go      the object-key layout of the store, documented once
//	fixity.go          the result of a fixity run (固定性检查): altered, missing,
//	                   untracked objects, sorted from a ChainReport
//	destruction.go     a destruction, its register (销毁清册), RetentionEnd,
//	                   and the LockingStore that WORM needs
//	backup.go          backups: the manifests' keys, a pass's outcome and
//	                   the status auditors read (BackupReporter)
//	store.go, journal.go, keyring.go, mail.go
//	                   the interfaces the adapters implement
//
// The Archive and what it writes through:
//
//	archive.go             Config, Archive, Open, commit: one write, journaled
//	catalog.go             what the journal recorded: readers find objects only
//	                       through it, never through a listing of the store
//	versioned.go, kinds.go one versioned kind (current, put, history) and the
//	                       cache of current versions; the kinds
//	archive_index.go       following the journal: catalog, caches, index; reindex
//	archive_gather.go      the group commit waits for record writes on their way
//	archive_policy.go      asking the policy: allow, visible, reveals, scope
//	archive_records.go     records: create, read, update, list, search, history
//	archive_customers.go   customers
//	archive_plans.go       plans: draft, submit, decide (approve, adjust, reject),
//	                       change beside the approved plan, cancel
//	archive_workflow.go    records: submit, return, approve, review checks,
//	                       the deadline and visit times of an edit
//	archive_reminders.go   the reminders of the jobs, each once: records
//	                       overdue, plans without a record, reviews waiting
//	archive_refcodes.go    archiving: classification, retention, gap-free 档号
//	archive_refclaims.go   claiming a 档号 number: the lowest free one, taking
//	                       over claims released or left by a dead archiving
//	archive_refcodes_hook.go the steps of archiving that tests fail or kill at
//	refcodes_book.go       what the journal says of the claims (used, released)
//	refcodes_report.go     ReferenceSeries: every series, its gaps and duplicates
//	archive_annotations.go corrections of archived records
//	archive_attachments.go files of records: uploads journaled whole or not at
//	                       all, per-file keys from the record's data key,
//	                       listing and ranged downloads, all logged
//	archive_jobs.go        the queue of jobs: queued with the upload, claimed
//	                       create-only under a lease, renewed, released, finished
//	archive_extract.go     Extraction: the bounded pool of workers that runs the
//	                       extraction jobs, resumes those of a dead process
//	archive_text.go        the extracted text: sealed parts, contact details
//	                       taken out before indexing, fragments of files for hits
//	archive_scans.go       the scan inbox: list, read, file a scan to a record
//	                       (a crash files nothing twice), discard it
//	archive_scanupload.go  ScanUpload: scans taken in, batches split at their
//	                       cover sheets and their parts filed, the rest kept
//	                       in the inbox, nothing twice
//	archive_scanparts.go   filing the parts of batches, and knowing them again
//	archive_scanwrite.go   writing a new scan: data key, content, version 1
//	archive_access.go      the access log, export
//	archive_audit.go       the journal for auditors, filtered; verifying its
//	                       chain (ChainVerifier, which storage/journal implements)
//	archive_fixity.go      the results of the fixity check: kept, journaled, read
//	archive_auditdata.go   what the four-property audit (package audit) reads:
//	                       records opened, reference-code claims, ended plans
//	archive_seal.go        the data keys in use; sealing and opening objects
//	archive_datakeys.go    data-key maintenance: rewrap, destroy
//	archive_import.go      bulk import, a journal entry per batch
//	archive_intents.go     the intent of an import batch, swept after a crash
//	archive_unrecorded.go  removing objects no journal entry records
//	archive_destroy.go     destruction (销毁): intent, journaled removals, the
//	                       data key, the register; resumed after a crash
//	archive_worm.go        WORM on a LockingStore: retentions, legal holds
//	inbox.go               Inbox: notifications, and who gets them by mail
//
// Disposition (Archive.Disposition), the end of a record's life:
//
//	disposition.go              appraisal lists, legal holds, retention changes,
//	                            due dates: the types, keys and rules
//	disposition_due.go          the period in force, retain_until, the journaled schedule
//	disposition_appraisals.go   the retention pass; decide, submit, approve, reject, strike
//	disposition_holds.go        place and release holds; HeldBy
//	disposition_execute.go      two witnesses confirm an approved list; Execute
//	                            destroys its records that no hold covers
//	disposition_housekeeping.go old read notifications, abandoned reservations
//
// Papers (Archive.Papers), the paper originals of archived records:
//
//	papers.go          reading, moving and listing them by place
//	papers_loans.go    lending and returns, open and overdue loans, and the
//	                   reminder of the overdue ones, each once
//
// Accounts (Archive.Accounts):
//
//	accounts.go             users and departments
//	accounts_signin.go      sign-in, sessions, API tokens
//	accounts_passwords.go   the password rule, checks, changes and resets
//	accounts_credentials.go the caches of sessions and tokens
//	accounts_limiter.go     the limits of failed sign-ins
package visitarchive
