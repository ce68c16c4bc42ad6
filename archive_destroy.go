package visitarchive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Executing a destruction, so that a crash (kill -9) at any point neither
// leaves a record half destroyed that reads as whole, nor breaks the
// journal:
//
//  1. The register lines of the records (title, year, 档号, period; never
//     their content) and the keys of their objects are captured, and on a
//     store with object lock every object is checked first: one still
//     under retention or legal hold refuses the whole destruction, before
//     anything is written, and every record stays whole.
//  2. The intent (destructions/<id>/intent.json) is written and journaled
//     as destruction.begin, with one event per record (its directory
//     records/<id>/). From that entry on the catalog serves none of the
//     record's objects and the index drops it: the record is gone for
//     readers at once, however far the removals below have gone.
//  3. For each record, its objects are listed again and each removal is
//     journaled (destruction.remove, the key and no content) before the
//     object is deleted; then its data key is destroyed (DestroyRecordKey).
//  4. The index is purged of what it keeps of deleted documents; then the
//     register (destructions/<id>/register.json) is written and journaled
//     as destruction.end.
//
// Steps 3 and 4 begin by checking that the store lets every object left
// go (object lock): a retention or legal hold placed after the intent
// stops the destruction before it removes anything more, and it stays
// begun, its records read as destroyed, until the store lets go.
//
// Every step can be run again: the next Open, or DestroyRecords with the
// same id, finds a destruction begun and not ended and runs 3 and 4 again,
// listing what is left. verify reports a begun destruction that has not
// ended, and, after it ends, finds every removed object journaled as
// removed.

// destructionIntent is the object destructions/<id>/intent.json.
type destructionIntent struct {
	Destruction
	By      UserName              `json:"by"`
	Begun   time.Time             `json:"begun"`
	Entries []RegisterEntry       `json:"entries"`
	Keys    map[RecordID][]string `json:"keys"` // the objects found at the start
}

// DestroyRecords destroys the archived records of d: every version of
// each record, its attachments and their extracted text, its annotations,
// its paper original's versions and loans, its kept periods
// (retentions/<id>/), its archiving reservations and
// the marks of reminders about it, its index entry and cached copies, and
// its data key; the reference-code claim stays, so that the series stays
// gap-free. It returns the register, which is kept for good. Running it
// again with the same id completes an interrupted destruction, or returns
// the register of a finished one.
//
// It is the execution of an approved list: the caller has checked the
// approval and the witnesses, and runs it as a trusted actor (WithActor),
// never as a request's principal (Forbidden). A record that is not
// archived, or not found (destroyed already), is Conflict or NotFound; on a
// store with object lock, a record with an object still under retention or
// legal hold is Forbidden, and nothing is destroyed.
func (a *Archive) DestroyRecords(ctx context.Context, d Destruction) (*DestructionRegister, error) {
	const op = "destruction.execute"
	if err := trustedOnly(ctx, op); err != nil {
		return nil, err
	}
	if err := d.validate(op); err != nil {
		return nil, err
	}
	if reg, err := a.readRegister(ctx, d.ID); err == nil {
		return reg, nil
	}
	if a.catalog.isBegun(d.ID) {
		return a.resumeDestruction(ctx, d.ID)
	}
	in, err := a.captureDestruction(ctx, op, d)
	if err != nil {
		return nil, err
	}
	if err := a.checkUnlocked(ctx, op, in); err != nil {
		return nil, err
	}
	if err := a.beginDestruction(ctx, in); err != nil {
		return nil, err
	}
	a.destructionPoint(pointAfterIntent)
	return a.finishDestruction(ctx, in)
}

func (d *Destruction) validate(op string) error {
	var c checker
	if !ValidID(d.ID) {
		c.add("id", "is not a valid id")
	}
	if len(d.Records) == 0 {
		c.add("records", "names no record")
	}
	for i, id := range d.Records {
		if !ValidID(string(id)) || slices.Contains(d.Records[:i], id) {
			c.add("records", "names an invalid or repeated record")
			break
		}
	}
	if d.Approver == "" {
		c.add("approver", "is required")
	}
	if len(d.Witnesses) != 2 || d.Witnesses[0] == d.Witnesses[1] || d.Witnesses[0] == "" || d.Witnesses[1] == "" {
		c.add("witnesses", "must be two different users")
	}
	return c.result(op, "destruction")
}

// ResumeDestructions completes every destruction that was begun and not
// ended (a crash); Open calls it. It returns how many it completed. One
// the store refuses to complete (Forbidden: an object lock placed after
// it began) is logged, says why in Destructions, and stays begun; the
// others go on.
func (a *Archive) ResumeDestructions(ctx context.Context) (int, error) {
	n := 0
	for _, id := range a.catalog.begunDestructions() {
		_, err := a.resumeDestruction(ctx, id)
		switch {
		case IsKind(err, Forbidden):
			a.log.Error("cannot complete an interrupted destruction: the store keeps some of its objects", "destruction", id, "err", ErrorMessage(err))
		case err != nil:
			return n, fmt.Errorf("resume destruction %s: %w", id, err)
		default:
			n++
		}
	}
	return n, nil
}

func (a *Archive) resumeDestruction(ctx context.Context, id string) (*DestructionRegister, error) {
	var in destructionIntent
	if err := a.readObject(ctx, DestructionIntentKey(id), &in); err != nil {
		return nil, err
	}
	if ActorFrom(ctx) == "" {
		ctx = WithActor(ctx, in.By)
	}
	a.log.Warn("completing an interrupted destruction", "destruction", id, "records", len(in.Records))
	return a.finishDestruction(ctx, &in)
}

// captureDestruction reads what the register keeps of each record, before
// anything is removed, and the keys of its objects.
func (a *Archive) captureDestruction(ctx context.Context, op string, d Destruction) (*destructionIntent, error) {
	in := &destructionIntent{Destruction: d, By: ActorFrom(ctx), Begun: a.now().UTC(), Keys: map[RecordID][]string{}}
	for i, id := range d.Records {
		s, err := a.loadRecord(ctx, op, id)
		if err != nil {
			return nil, err
		}
		if s.Status != StatusArchived {
			return nil, E(op, Conflict, nil, "record %s is %s, not archived: only archived records are destroyed", id, s.Status)
		}
		keys, err := a.recordObjects(ctx, id)
		if err != nil {
			return nil, err
		}
		in.Keys[id] = keys
		in.Entries = append(in.Entries, registerEntry(i+1, &s.Record, len(keys), d))
	}
	return in, nil
}

// registerEntry is the register line of r: what identifies it, nothing of
// its content.
func registerEntry(seq int, r *Record, objects int, d Destruction) RegisterEntry {
	year := r.VisitStart.Year()
	if r.Class != nil {
		year = r.Class.Year
	}
	return RegisterEntry{Seq: seq, Record: r.ID, CustomerName: r.CustomerName, Topic: r.Topic, Year: year,
		ReferenceCode: r.ReferenceCode, Retention: r.Retention, ArchivedAt: r.ArchivedAt, Objects: objects,
		Note: d.Notes[r.ID], Reason: d.Reasons[r.ID]}
}

// recordDirs are the directories of the objects of a record, by prefix:
// <prefix><id>/.
var recordDirs = []string{RecordsPrefix, AttachmentsPrefix, AnnotationsPrefix, PaperPrefix, LoansPrefix,
	ArchivingPrefix, NoticesPrefix + "review-due/", NoticesPrefix + "review-overdue/", NoticesPrefix + "loan-overdue/",
	RetentionsPrefix}

// recordObjects lists the stored objects of record id, its data key
// aside, in key order.
func (a *Archive) recordObjects(ctx context.Context, id RecordID) ([]string, error) {
	var keys []string
	for _, p := range recordDirs {
		for info, err := range a.store.List(ctx, p+string(id)+"/", "") {
			if err != nil && !IsKind(err, Integrity) {
				return nil, err
			}
			keys = append(keys, info.Key)
		}
	}
	for _, key := range append(a.filedScanCopies(id), OverdueNoticeKey(id)) {
		if _, err := a.store.Stat(ctx, key); err == nil || IsKind(err, Integrity) {
			keys = append(keys, key)
		} else if !IsKind(err, NotFound) {
			return nil, err
		}
	}
	return keys, nil
}

// filedScanCopies are the keys of the content of the scans filed (or
// being filed) to record id: the scan inbox keeps its own sealed copy of
// what became the record's scanned form, and it goes with the record.
func (a *Archive) filedScanCopies(id RecordID) []string {
	var keys []string
	for _, s := range a.scans.all() {
		if f := cmp.Or(s.Filed, s.Filing); f != nil && f.Record == id {
			keys = append(keys, ScanContentKey(s.ID))
		}
	}
	return keys
}

// checkUnlocked refuses a destruction any object of which the store still
// keeps from deletion (object lock), so that it fails before it begins.
func (a *Archive) checkUnlocked(ctx context.Context, op string, in *destructionIntent) error {
	for _, id := range in.Records {
		if err := a.firstLocked(ctx, op, id, in.Keys[id]); err != nil {
			return err
		}
	}
	return nil
}

// checkRemovable refuses to go on with begun destruction in while the
// store keeps an object of one of its records from deletion (a retention
// or a legal hold placed after it began), before anything more is
// removed: its records still read as destroyed, and it stays begun until
// the store lets go and it is resumed.
func (a *Archive) checkRemovable(ctx context.Context, in *destructionIntent) error {
	if _, ok := a.store.(LockingStore); !ok {
		return nil
	}
	for _, id := range in.Records {
		keys, err := a.recordObjects(ctx, id)
		if err != nil {
			return err
		}
		if err := a.firstLocked(ctx, "destruction.resume", id, keys); err != nil {
			var e *Error
			if errors.As(err, &e) && e.Kind == Forbidden {
				return E(e.Op, Forbidden, err, "destruction %s is begun and cannot be completed: %s; its records read as destroyed meanwhile, and it completes when the list is executed again or at the next start",
					in.ID, strings.TrimSuffix(e.Msg, "; nothing was destroyed"))
			}
			return err
		}
	}
	return nil
}

// firstLocked returns, for the first of keys of record id that the store
// keeps from deletion, the error that says so; nil on a store that cannot
// lock, or when none is kept. A key gone already is not kept.
func (a *Archive) firstLocked(ctx context.Context, op string, id RecordID, keys []string) error {
	ls, ok := a.store.(LockingStore)
	if !ok {
		return nil
	}
	now := a.now()
	for _, key := range keys {
		l, err := ls.Lock(ctx, key)
		if IsKind(err, NotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if l.Locked(now) {
			return lockedError(op, id, key, l)
		}
	}
	return nil
}

func lockedError(op string, id RecordID, key string, l ObjectLock) error {
	if l.LegalHold {
		return E(op, Forbidden, nil, "record %s cannot be destroyed: its object %s is under a legal hold in the store; release the hold first", id, key)
	}
	return E(op, Forbidden, nil, "record %s cannot be destroyed yet: its object %s is kept by the store (%s retention) until %s; nothing was destroyed",
		id, key, l.Mode, l.Until.UTC().Format(time.RFC3339))
}

// beginDestruction writes and journals the intent of in: from then on its
// records are gone for readers.
func (a *Archive) beginDestruction(ctx context.Context, in *destructionIntent) error {
	key := DestructionIntentKey(in.ID)
	info, err := a.putFresh(ctx, key, in)
	if err != nil {
		return err
	}
	u := ActorFrom(ctx)
	changes := []Change{{Actor: u, Action: ActionDestructionBegin, Key: key, SHA256: info.SHA256}}
	for _, id := range in.Records {
		changes = append(changes, Change{Actor: u, Action: ActionDestructionBegin, Key: RecordsPrefix + string(id) + "/",
			Detail: "destruction " + in.ID})
	}
	if _, err := a.append(ctx, changes...); err != nil {
		a.dropObject(ctx, key)
		return fmt.Errorf("destruction.begin: journal: %w", err)
	}
	return nil
}

// putFresh puts v at key, replacing an object there that no journal entry
// records (left by a crash before its entry).
func (a *Archive) putFresh(ctx context.Context, key string, v any) (ObjectInfo, error) {
	info, err := a.put(ctx, key, v)
	if !IsKind(err, Conflict) {
		return info, err
	}
	if _, ok := a.catalog.object(key); ok {
		return info, err
	}
	if err := a.store.Delete(ctx, key); err != nil && !IsKind(err, NotFound) {
		return info, err
	}
	return a.put(ctx, key, v)
}

// finishDestruction removes what is left of the records of in, destroys
// their data keys, purges the index, and journals the register. The
// purge comes before the register, so that a destruction that ended has
// nothing of its records left in the index files either.
func (a *Archive) finishDestruction(ctx context.Context, in *destructionIntent) (reg *DestructionRegister, err error) {
	defer a.noteStalled(in.ID, &err)
	if err := a.checkRemovable(ctx, in); err != nil {
		return nil, err
	}
	for i, id := range in.Records {
		if err := a.removeRecord(ctx, in.ID, id); err != nil {
			return nil, err
		}
		a.destructionPoint(pointAfterRecord(i + 1))
	}
	a.destructionPoint(pointBeforeIndex)
	a.purgeIndex(ctx)
	a.destructionPoint(pointBeforeDone)
	reg = &DestructionRegister{ID: in.ID, List: in.List, Reason: in.Reason, Approver: in.Approver,
		Witnesses: in.Witnesses, By: in.By, Begun: in.Begun, Ended: a.now().UTC(), Entries: in.Entries}
	key := DestructionRegisterKey(in.ID)
	info, err := a.putFresh(ctx, key, reg)
	if err != nil {
		return nil, err
	}
	ch := Change{Actor: ActorFrom(ctx), Action: ActionDestructionEnd, Key: key, SHA256: info.SHA256,
		Detail: fmt.Sprintf("%d record(s) destroyed", len(in.Records))}
	if _, err := a.append(ctx, ch); err != nil {
		return nil, fmt.Errorf("destruction.end: journal: %w", err)
	}
	return reg, nil
}

// noteStalled remembers why destruction id could not be completed, when
// *err says, or forgets it.
func (a *Archive) noteStalled(id string, err *error) {
	if *err != nil {
		a.stalled.Store(id, ErrorMessage(*err))
	} else {
		a.stalled.Delete(id)
	}
}

// removeRecord journals the removal of every object of record id that is
// left, deletes them, and destroys its data key.
func (a *Archive) removeRecord(ctx context.Context, destruction string, id RecordID) error {
	keys, err := a.recordObjects(ctx, id)
	if err != nil {
		return err
	}
	changes := make([]Change, 0, len(keys))
	for _, key := range keys {
		changes = append(changes, Change{Actor: ActorFrom(ctx), Action: ActionDestructionRemove, Key: key, Removed: true,
			Detail: "destruction " + destruction})
		a.fresh.Delete(key)
	}
	if _, err := a.removeAll(ctx, changes); err != nil {
		return err
	}
	if _, err := a.DestroyRecordKey(ctx, id); err != nil {
		return err
	}
	a.paper.drop(id)
	a.disposition.retentions.drop(id)
	return nil
}

// IndexPurger is an Index that can rewrite its files so that nothing of
// deleted documents is left in them (Bleve keeps a deleted document's
// stored text in its segment until segments are merged).
type IndexPurger interface {
	Purge(ctx context.Context) error
}

// purgeIndex asks the index to drop what it still keeps of the destroyed
// records; a failure is logged, and the next purge drops it.
func (a *Archive) purgeIndex(ctx context.Context) {
	p, ok := a.index.(IndexPurger)
	if !ok {
		return
	}
	if err := a.SyncIndex(ctx); err != nil {
		a.log.Error("index is behind the journal after a destruction", "err", err)
	}
	if err := p.Purge(ctx); err != nil {
		a.log.Error("cannot purge the index after a destruction", "err", err)
	}
}

// drop forgets id.
func (c *cache[ID, T]) drop(id ID) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// Destructions lists the destructions, the ones still in progress
// included, oldest first. Auditors, archivists and managers may.
func (a *Archive) Destructions(ctx context.Context) ([]DestructionSummary, error) {
	const op = "destruction.list"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindDestruction}); err != nil {
		return nil, err
	}
	out := []DestructionSummary{}
	for _, e := range a.catalog.objectsUnder(DestructionsPrefix) {
		if !strings.HasSuffix(e.key, "/intent.json") {
			continue
		}
		var in destructionIntent
		if err := readSealed(ctx, a.store, e.key, e.sum, &in); err != nil {
			return nil, err
		}
		s := DestructionSummary{ID: in.ID, List: in.List, Records: len(in.Records), Begun: in.Begun}
		if reg, err := a.readRegister(ctx, in.ID); err == nil {
			s.Ended, s.Done = reg.Ended, true
		} else if p, ok := a.stalled.Load(in.ID); ok {
			s.Problem = p.(string)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y DestructionSummary) int { return x.Begun.Compare(y.Begun) })
	return out, nil
}

// Register returns the register of destruction id. Auditors, archivists
// and managers may read it; one not finished yet is NotFound.
func (a *Archive) Register(ctx context.Context, id string) (*DestructionRegister, error) {
	const op = "destruction.register"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindDestruction}); err != nil {
		return nil, err
	}
	if !ValidID(id) {
		return nil, E(op, NotFound, nil, "destruction %q not found", id)
	}
	reg, err := a.readRegister(ctx, id)
	if IsKind(err, NotFound) {
		return nil, E(op, NotFound, nil, "destruction %s not found, or not finished", id)
	}
	return reg, err
}

func (a *Archive) readRegister(ctx context.Context, id string) (*DestructionRegister, error) {
	var reg DestructionRegister
	if err := a.readObject(ctx, DestructionRegisterKey(id), &reg); err != nil {
		return nil, err
	}
	return &reg, nil
}

// applyDestruction notes in the catalog the records a destruction began
// on, and the destructions begun and ended. c.mu is held.
func (c *catalog) applyDestruction(ch Change) {
	switch {
	case ch.Action == ActionDestructionBegin && strings.HasPrefix(ch.Key, RecordsPrefix):
		if c.destroying == nil {
			c.destroying = map[RecordID]bool{}
		}
		id, _ := destroyedRecord(ch)
		c.destroying[id] = true
	case ch.Action == ActionDestructionBegin && ch.Wrote() && strings.HasPrefix(ch.Key, DestructionsPrefix):
		if c.begun == nil {
			c.begun = map[string]bool{}
		}
		c.begun[destructionOf(ch.Key)] = true
	case ch.Action == ActionDestructionEnd:
		delete(c.begun, destructionOf(ch.Key))
	}
}

// destroyedRecord returns the record whose destruction change c begins.
func destroyedRecord(c Change) (RecordID, bool) {
	if c.Action != ActionDestructionBegin {
		return "", false
	}
	rest, ok := strings.CutPrefix(c.Key, RecordsPrefix)
	if !ok {
		return "", false
	}
	return RecordID(strings.TrimSuffix(rest, "/")), true
}

// destructionOf returns the id of the destruction whose object key is.
func destructionOf(key string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(key, DestructionsPrefix), "/")
	return id
}

// doomed reports whether key (or directory) belongs to a record a
// destruction began on. c.mu is held.
func (c *catalog) doomed(key string) bool {
	if len(c.destroying) == 0 {
		return false
	}
	for _, p := range recordDirs {
		if rest, ok := strings.CutPrefix(key, p); ok {
			id, _, _ := strings.Cut(rest, "/")
			return c.destroying[RecordID(id)]
		}
	}
	return false
}

func (c *catalog) isBegun(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.begun[id]
}

func (c *catalog) begunDestructions() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.begun))
	for id := range c.begun {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
