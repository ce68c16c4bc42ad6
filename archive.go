package visitarchive

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config holds what an Archive is built from; cmd wires concrete types.
type Config struct {
	Store   Store
	Journal Journal
	Index   Index // nil for offline bulk work: a server's index catches up later
	Logger  *slog.Logger
	Now     func() time.Time // nil means time.Now

	// Policy decides who may do what; required.
	Policy Authorizer
	// Keys wraps the data keys of sensitive fields; required.
	Keys Keyring
	// Files encrypts the content of attachments; without it the archive
	// takes and serves no attachments (Unavailable).
	Files FileSealer
	// Passwords hashes and checks passwords; required.
	Passwords PasswordHasher
	// PasswordChecks bounds the password checks and hashes that run at
	// once, each of which takes the hasher's memory (0: twice the cores);
	// one that finds no slot within PasswordCheckWait (0:
	// DefaultPasswordCheckWait) is TooManyRequests.
	PasswordChecks    int
	PasswordCheckWait time.Duration
	// SensitiveFields are record fields sealed at rest besides
	// DefaultSensitiveFields (see SealableFields).
	SensitiveFields []string
	// SessionTTL is how long a sign-in lasts (0: DefaultSessionTTL).
	SessionTTL time.Duration
	// Workflow configures filing deadlines, forms, retention and
	// reference codes.
	Workflow WorkflowConfig
	// Mailer, if set, also mails notifications to users with an address.
	Mailer Mailer
	// Verifier, if set, verifies the journal's chain for auditors
	// (VerifyChain).
	Verifier ChainVerifier

	// ImportDeadline is how long one import batch may take from its
	// intent to its journal entry (0: DefaultImportDeadline). The objects
	// of a batch are removed once twice as long has passed without it.
	ImportDeadline time.Duration

	// WORM makes the archive keep archived records from deletion on a
	// LockingStore (a bucket with object lock): a retention until the end
	// of the period when a record is archived or kept longer, a legal hold
	// while a hold covers it (archive_worm.go). Off, or on any other
	// store, nothing is locked.
	WORM bool

	// ReindexProgress, if set, is told how a rebuild of the index from the
	// store advances when Open finds the index empty.
	ReindexProgress func(done, total int)

	// ArchivingHook, if set, is called at each step of ArchiveRecord;
	// an error fails the archiving there. Only tests set it, to fail or
	// kill an archiving at that step (archive_refcodes_hook.go).
	ArchivingHook func(context.Context, ArchivingStep) error

	// Splitter cuts scanned batches at their cover sheets (ScanUpload);
	// without it a scanned PDF goes to the scan inbox whole, and folders
	// of page images are Unavailable.
	Splitter ScanSplitter

	// DestructionHook, for tests only, is called at each named point of a
	// destruction (destroy_crashpoints.go); nil in production.
	DestructionHook func(point string)
}

// Archive is the service that ties store, journal and index: every write
// puts a new immutable object, journals it, and indexes it before it
// returns.
type Archive struct {
	store   Store
	journal Journal
	index   Index
	log     *slog.Logger
	now     func() time.Time
	// reindexProgress is Config.ReindexProgress.
	reindexProgress func(done, total int)
	importDeadline  time.Duration
	// locker is the store when it locks (Config.WORM on a LockingStore).
	locker LockingStore

	policy    Authorizer
	keys      Keyring
	files     FileSealer
	sensitive []string // sealed record fields
	dataKeys  dataKeys
	accounts  *Accounts
	inbox     *Inbox

	customers *cache[CustomerID, storedCustomer]
	plans     *cache[PlanID, Plan]
	workflow  WorkflowConfig
	mailer    Mailer
	verifier  ChainVerifier
	// noticesDone holds the marker keys (notices/…) of the reminders
	// known to be out, or moot, so that the jobs do not try them again
	// (archive_reminders.go).
	noticesDone sync.Map

	// catalog is what the journal recorded: the objects readers may load.
	catalog catalog
	// syncMu serializes following the journal (catalog, caches, index),
	// so that entries are applied in order exactly once.
	syncMu sync.Mutex
	// indexedSeq is the last journal entry this process has indexed, which
	// may be past the index's LastSeq by entries that index nothing.
	indexedSeq uint64
	// writing counts the record writes on their way to the journal, which
	// the writer that applies a group waits for (archive_gather.go).
	writing *inFlight
	// fresh holds objects written but not yet indexed, by key, so that the
	// index need not read back what was just written.
	fresh sync.Map

	// paper holds the current Paper of every record that has one, and
	// papers works on them (papers.go).
	paper  *cache[RecordID, Paper]
	papers *Papers
	// uploading holds the keys of attachments written by uploads that are
	// still streaming in, which RemoveUnrecorded leaves alone however long
	// they take.
	uploading sync.Map

	// disposition keeps appraisal lists, legal holds and retention
	// changes (disposition.go).
	disposition *Disposition
	// jobs holds the current version of every background job, and
	// jobProgress the pages done of those running in this process, by
	// id; jobWake tells the extraction workers that a job was queued
	// (archive_jobs.go).
	jobs        *cache[string, storedJob]
	jobProgress sync.Map
	jobWake     chan struct{}
	// scans holds the current version of every scan (archive_scans.go),
	// and splitter cuts scanned batches (Config.Splitter).
	scans    *cache[ScanID, storedScan]
	splitter ScanSplitter
	// destructionHook is Config.DestructionHook.
	destructionHook func(point string)
	// stalled holds, by destruction id, why a begun destruction could not
	// be completed (DestructionSummary.Problem).
	stalled sync.Map
	// archivingHook is Config.ArchivingHook.
	archivingHook func(context.Context, ArchivingStep) error
}

// New returns an Archive; call Open before use.
func New(cfg Config) *Archive {
	a := &Archive{store: cfg.Store, journal: cfg.Journal, index: cfg.Index, log: cfg.Logger, now: cfg.Now,
		reindexProgress: cfg.ReindexProgress, writing: newInFlight()}
	if a.now == nil {
		a.now = time.Now
	}
	a.policy, a.keys, a.files = cfg.Policy, cfg.Keys, cfg.Files
	a.accounts, a.inbox = newAccounts(a, cfg), &Inbox{a}
	a.workflow, a.mailer, a.verifier = cfg.Workflow, cfg.Mailer, cfg.Verifier
	a.importDeadline = cmp.Or(cfg.ImportDeadline, DefaultImportDeadline)
	if ls, ok := cfg.Store.(LockingStore); ok && cfg.WORM {
		a.locker = ls
	}
	a.sensitive = append(slices.Clone(DefaultSensitiveFields), cfg.SensitiveFields...)
	a.customers, a.plans = newCache(customerKind), newCache(planKind)
	a.paper, a.papers = newCache(paperKind), &Papers{a}
	a.disposition = newDisposition(a)
	a.jobs, a.jobWake = newCache(jobKind), make(chan struct{}, 1)
	a.scans, a.splitter = newCache(scanKind), cfg.Splitter
	a.destructionHook = cfg.DestructionHook
	a.hookArchiving(cfg.ArchivingHook)
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a
}

// Open reads the journal into the catalog, loads users, departments,
// credentials, plans and customers from the objects it records, and
// brings the index up to the journal head, rebuilding it from the store
// when it is empty.
func (a *Archive) Open(ctx context.Context) error {
	if a.policy == nil || a.keys == nil || a.accounts.passwords == nil {
		return E("open", Internal, nil, "the archive needs a policy, a keyring and a password hasher")
	}
	if err := checkSensitiveFields(a.sensitive); err != nil {
		return err
	}
	if err := a.workflow.normalize(); err != nil {
		return err
	}
	head, err := a.journal.Head(ctx)
	if err != nil {
		return err
	}
	if err := a.readCatalog(ctx, head); err != nil {
		return err
	}
	if err := a.loadCaches(ctx); err != nil {
		return err
	}
	if a.index != nil {
		if err := a.openIndex(ctx, head); err != nil {
			return err
		}
	}
	if _, err = a.sweepIntents(ctx, false); err != nil {
		return err
	}
	if _, err = a.ResumeDestructions(ctx); err != nil {
		return err
	}
	a.disposition.closeExecuted(ctx)
	return nil
}

// readCatalog applies the journal up to head to the catalog.
func (a *Archive) readCatalog(ctx context.Context, head uint64) error {
	for e, err := range a.journal.Since(ctx, 0) {
		if err != nil {
			return E("open", Unavailable, err, "cannot read the journal")
		}
		a.catalog.apply(e)
		if e.Seq >= head {
			break
		}
	}
	return nil
}

// loadCaches loads the current accounts, plans, customers, paper
// originals, jobs and scans the catalog records.
func (a *Archive) loadCaches(ctx context.Context) error {
	if err := a.customers.load(ctx, a); err != nil {
		return err
	}
	if err := a.plans.load(ctx, a); err != nil {
		return err
	}
	if err := a.paper.load(ctx, a); err != nil {
		return err
	}
	if err := a.disposition.load(ctx); err != nil {
		return err
	}
	if err := a.jobs.load(ctx, a); err != nil {
		return err
	}
	if err := a.scans.load(ctx, a); err != nil {
		return err
	}
	return a.accounts.load(ctx)
}

// openIndex brings the index up to head, or rebuilds it when it is empty.
// An index that has applied entries beyond head means the journal lost
// its tail.
func (a *Archive) openIndex(ctx context.Context, head uint64) error {
	last, err := a.index.LastSeq(ctx)
	if err != nil {
		return err
	}
	switch {
	case last == 0 && head > 0:
		a.log.Info("index is empty; rebuilding it from the store", "journal_head", head)
		return a.Reindex(ctx, a.reindexProgress)
	case last > head:
		return E("open", Integrity, nil, "the journal ends at entry %d, but the index has applied entries up to %d: "+
			"entries were removed from the journal's end; run verify (if the store was restored from a backup, "+
			"remove the index directory so that it is rebuilt)", head, last)
	case last < head:
		a.log.Info("index catching up with the journal", "from", last, "to", head)
	}
	return a.SyncIndex(ctx)
}

// Ready reports whether the store and the index answer.
func (a *Archive) Ready(ctx context.Context) error {
	for _, err := range a.store.List(ctx, "journal/", "~") {
		if err != nil {
			return E("ready", Unavailable, err, "the object store does not answer")
		}
	}
	if err := a.hasIndex("ready"); err != nil {
		return err
	}
	if _, err := a.index.Count(ctx); err != nil {
		return E("ready", Unavailable, err, "the search index does not answer")
	}
	return nil
}

// actor returns the caller recorded in ctx; every write needs one.
func actor(ctx context.Context, op string) (UserName, error) {
	if _, err := caller(ctx, op); err != nil {
		return "", err
	}
	return ActorFrom(ctx), nil
}

// put writes v as JSON under key, create-only. An existing key is Conflict.
func (a *Archive) put(ctx context.Context, key string, v any) (ObjectInfo, error) {
	b, err := encodeJSON(v)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("encode %s: %w", key, err)
	}
	return a.store.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
}

// checkVersion answers Conflict when an update names another version of
// object id than the current one.
func checkVersion(op string, what Word, id string, current, named int) error {
	if named == current {
		return nil
	}
	return E(op, Conflict, nil, "%s %s is at version %d, not %d; reload it and apply your change again", what, id, current, named)
}

// encodeJSON is the one encoding of stored objects: no HTML escaping, so
// that what is stored reads as what was sent.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return b.Bytes(), err
}

// readJSON reads the object at key into v.
func readJSON(ctx context.Context, store Store, key string, v any) (ObjectInfo, error) {
	rc, info, err := store.Get(ctx, key)
	if err != nil {
		return info, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return info, E("read", Integrity, err, "stored object %s is not valid JSON", key)
	}
	return info, nil
}

// commit journals one written object c as action (with c's address and
// detail, if any), with the data key it needed (extra changes whose Key
// is "" are skipped), and brings the catalog, the caches and the index up
// to it before returning. If the journal refuses, the objects are removed again
// so that a retry starts clean; a failing index is logged and caught up
// later, since the write itself is durable.
func (a *Archive) commit(ctx context.Context, action string, c Change, obj any, extra ...Change) error {
	u := ActorFrom(ctx)
	var changes []Change
	c.Action = action
	for _, x := range slices.Concat(extra, []Change{c}) {
		if x.Key != "" {
			x.Actor = u
			changes = append(changes, x)
		}
	}
	a.fresh.Store(c.Key, obj)
	if _, err := a.append(ctx, changes...); err != nil {
		a.fresh.Delete(c.Key)
		for _, x := range changes {
			a.dropObject(ctx, x.Key)
		}
		return fmt.Errorf("%s: journal: %w", action, err)
	}
	return nil
}

// commitSealed commits the object obj that ch wrote, or fails with err
// from writing it, once the write of its new data key (keyDone) has ended:
// with the key and the objects of extra in one entry, or, when anything
// failed, removing them all again.
func (a *Archive) commitSealed(ctx context.Context, op string, ch Change, obj any, err error, keyDone keyWrite, extra []Change) error {
	keyChange, kerr := keyDone()
	extra = append(extra, keyChange)
	if err == nil && kerr == nil {
		return a.commit(ctx, op, ch, obj, extra...)
	}
	for _, c := range append(extra, ch) {
		a.dropObject(ctx, c.Key)
	}
	return cmp.Or(err, kerr)
}

// append journals changes whose objects are written (or removed) and
// brings the catalog, the caches and the index up to them, so that this
// process reads what it just wrote.
func (a *Archive) append(ctx context.Context, changes ...Change) (uint64, error) {
	seq, err := a.journal.Append(ctx, changes...)
	journaled(ctx)
	if err == nil {
		a.syncTo(ctx, seq)
	}
	return seq, err
}

// dropObject removes an object that will not be journaled; "" is none
// (a write that needed no new data key). A reference-code claim stays: it
// is released instead (archive_refcodes.go).
func (a *Archive) dropObject(ctx context.Context, key string) {
	if key == "" || strings.HasPrefix(key, RefCodesPrefix) {
		return
	}
	if strings.HasPrefix(key, DataKeysPrefix) {
		a.dataKeys.forget(dirOf(key))
	}
	if err := a.store.Delete(context.WithoutCancel(ctx), key); err != nil {
		a.log.Error("unjournaled object left behind", "key", key, "err", err)
	}
}

// syncTo brings the catalog, the caches and the index up to seq, logging
// rather than failing.
func (a *Archive) syncTo(ctx context.Context, seq uint64) {
	if err := a.syncIndex(ctx, seq); err != nil {
		a.log.Error("index is behind the journal; it will catch up", "seq", seq, "err", err)
	}
}

// hasIndex fails when this Archive was built without an index.
func (a *Archive) hasIndex(op string) error {
	if a.index == nil {
		return E(op, Unavailable, nil, "this process has no search index open")
	}
	return nil
}
