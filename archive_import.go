package visitarchive

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// ImportProgress reports how far an import has come.
type ImportProgress struct {
	Lines, Imported, Rejected int
}

// ImportReport lists what an import did; Rejected is by line number.
type ImportReport struct {
	Customers, Records int
	Rejected           []ImportRejection
}

// ImportRejection is one line that was not imported, and why.
type ImportRejection struct {
	Line  int
	Error error
}

// importBatch is how many lines share one journal entry.
const importBatch = 1000

// maxImportLine is the longest line an import accepts.
const maxImportLine = 4 << 20

// importLine is one line of an import file: exactly one of the two.
type importLine struct {
	Customer *Customer `json:"customer"`
	Record   *Record   `json:"record"`
}

// importItem is one object of an accepted line on its way to the store.
type importItem struct {
	line   int
	key    string
	obj    any // *storedCustomer, *storedRecord or the WrappedKey of either
	action string
	info   ObjectInfo
	err    error
}

// Import reads JSON lines, each {"customer": {...}} or {"record": {...}},
// and stores the valid ones in batches, one journal entry per batch. A
// record may name a customer from an earlier line. A rejected line leaves
// nothing behind; an error that stops the import (the store or journal
// failing) removes the unjournaled objects of the batch in hand, so every
// line is either wholly imported or not at all.
func (a *Archive) Import(ctx context.Context, r io.Reader, progress func(ImportProgress)) (*ImportReport, error) {
	u, err := actor(ctx, "import")
	if err != nil {
		return nil, err
	}
	// The objects of an interrupted earlier import would stand in the way
	// of this one, which may be its re-run.
	if _, err := a.sweepIntents(ctx, true); err != nil {
		return nil, err
	}
	im := &importer{a: a, actor: u, rep: &ImportReport{}, known: map[CustomerID]*Customer{},
		lineOf: map[RecordID]int{}, indexq: make(chan uint64, 1)}
	indexed := make(chan struct{})
	go im.indexer(context.WithoutCancel(ctx), indexed)
	defer func() { close(im.indexq); <-indexed }()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	var batch []*importItem
	for sc.Scan() {
		im.lines++
		batch = append(batch, im.parse(im.lines, sc.Bytes())...)
		if len(batch) >= importBatch {
			if err := im.flush(ctx, batch, progress); err != nil {
				return im.rep, err
			}
			batch = batch[:0]
		}
	}
	if err := sc.Err(); err != nil {
		return im.rep, E("import", BadRequest, err, "cannot read line %d: %v (lines may be at most %d bytes)", im.lines+1, err, maxImportLine)
	}
	err = im.flush(ctx, batch, progress)
	slices.SortStableFunc(im.rep.Rejected, func(x, y ImportRejection) int { return x.Line - y.Line })
	return im.rep, err
}

type importer struct {
	a      *Archive
	actor  UserName
	rep    *ImportReport
	lines  int
	known  map[CustomerID]*Customer // customers of this import so far
	lineOf map[RecordID]int         // records of this import so far
	indexq chan uint64              // journal entries for the indexer
}

func (im *importer) reject(line int, err error) {
	im.rep.Rejected = append(im.rep.Rejected, ImportRejection{Line: line, Error: err})
}

// parse decodes, validates and seals one line; it returns nil for blank or
// rejected lines.
func (im *importer) parse(n int, b []byte) []*importItem {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := CheckJSONText("import", "line", b); err != nil {
		im.reject(n, err)
		return nil
	}
	var l importLine
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		im.reject(n, E("import", BadRequest, err, "not a JSON object of the import format: %v", err))
		return nil
	}
	var it []*importItem
	var err error
	switch {
	case (l.Customer == nil) == (l.Record == nil):
		err = E("import", BadRequest, nil, `each line holds exactly one of "customer" or "record"`)
	case l.Customer != nil:
		it, err = im.customer(n, l.Customer)
	default:
		it, err = im.record(n, l.Record)
	}
	if err != nil {
		im.reject(n, err)
		return nil
	}
	return it
}

func (im *importer) stamp(a *Audit) {
	now := im.a.now().UTC()
	*a = Audit{CreatedAt: now, CreatedBy: im.actor, UpdatedAt: now, UpdatedBy: im.actor}
}

func (im *importer) customer(n int, c *Customer) ([]*importItem, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.ID == "" {
		c.ID = CustomerID(NewID("C", im.a.now()))
	}
	if im.known[c.ID] != nil || im.a.customer(c.ID) != nil {
		return nil, E("import", Conflict, nil, "customer %s already exists", c.ID)
	}
	c.Version, c.Hidden = 1, nil
	im.stamp(&c.Audit)
	im.known[c.ID] = c
	s := &storedCustomer{Customer: *c}
	var items []*importItem
	if len(c.Contacts) > 0 {
		k, item, err := im.dataKey(n, CustomerDataKeyPrefix(c.ID))
		if err != nil {
			return nil, err
		}
		if s.Sealed, err = seal(k, c.Contacts, "customer/"+string(c.ID)); err != nil {
			return nil, err
		}
		s.Contacts, items = nil, append(items, item)
	}
	return append(items, &importItem{line: n, key: CustomerKey(c.ID, 1), obj: s, action: "customer.import"}), nil
}

// dataKey makes a new data key for the object whose keys live under
// prefix, as an item of the import.
func (im *importer) dataKey(n int, prefix string) ([]byte, *importItem, error) {
	k, w, err := im.a.keys.NewDataKey()
	if err != nil {
		return nil, nil, err
	}
	return k, &importItem{line: n, key: prefix + "0000000001.json", obj: &w, action: "datakey.create"}, nil
}

func (im *importer) record(n int, r *Record) ([]*importItem, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	cu := im.known[r.CustomerID]
	if cu == nil {
		cu = im.a.customer(r.CustomerID)
	}
	if cu == nil {
		e := E("import", Invalid, nil, "the record names a customer that does not exist")
		e.Fields = []FieldError{FieldErrorf("customer_id", "no customer %s exists in the archive or on an earlier line", r.CustomerID)}
		return nil, e
	}
	var c checker
	nameFromCustomer(&c, cu, &r.CustomerName, nameOnFile{})
	if err := c.result("import", "record"); err != nil {
		return nil, err
	}
	if r.ID == "" {
		r.ID = RecordID(NewID("R", im.a.now()))
	}
	if first, dup := im.lineOf[r.ID]; dup {
		return nil, E("import", Conflict, nil, "record %s is already on line %d", r.ID, first)
	}
	im.lineOf[r.ID] = n
	// An imported record is a draft without a filing deadline: it was
	// filed elsewhere, and must not flood inboxes as overdue.
	r.Version, r.Status, r.Hidden, r.Workflow = 1, StatusDraft, nil, Workflow{}
	im.stamp(&r.Audit)
	return im.sealRecord(n, r)
}

// sealRecord returns the items of record r: its data key, when it has
// sensitive fields, and its stored form.
func (im *importer) sealRecord(n int, r *Record) ([]*importItem, error) {
	s := &storedRecord{Record: *r}
	secrets := takeSecrets(&s.Record, im.a.sensitive)
	var items []*importItem
	if !secrets.empty() {
		k, item, err := im.dataKey(n, RecordDataKeyPrefix(r.ID))
		if err != nil {
			return nil, err
		}
		if s.Sealed, err = seal(k, secrets, "record/"+string(r.ID)); err != nil {
			return nil, err
		}
		s.Blind, items = im.a.blindOf(secrets), append(items, item)
	}
	return append(items, &importItem{line: n, key: RecordKey(r.ID, 1), obj: s, action: "record.import"}), nil
}

// flush writes one batch: the objects, then one journal entry, and hands
// the entry to the indexer, which runs while the next batch is written. A
// key that exists already rejects its line only.
func (im *importer) flush(ctx context.Context, batch []*importItem, progress func(ImportProgress)) error {
	if len(batch) > 0 {
		if err := im.write(ctx, batch); err != nil {
			return err
		}
	}
	if progress != nil {
		progress(ImportProgress{Lines: im.lines, Imported: im.rep.Customers + im.rep.Records, Rejected: len(im.rep.Rejected)})
	}
	return nil
}

// write puts the objects of batch under an intent and journals them in one
// entry; the intent goes once the entry is written or the objects are
// removed again.
func (im *importer) write(ctx context.Context, batch []*importItem) error {
	keys := make([]string, len(batch))
	for i, it := range batch {
		keys[i] = it.key
	}
	intentKey, in, err := im.a.declare(ctx, keys)
	if err != nil {
		return err
	}
	seq, err := im.journal(ctx, batch, in)
	if err != nil {
		im.undo(batch)
	}
	// Not deferred: a crash before this line must leave the intent.
	im.a.settle(ctx, intentKey)
	if seq > 0 {
		im.count(batch)
		im.indexq <- seq
	}
	return err
}

// journal puts the objects of batch and journals those of the accepted
// lines before the deadline of in; it returns the entry's sequence, 0 when
// no line was accepted.
func (im *importer) journal(ctx context.Context, batch []*importItem, in *intent) (uint64, error) {
	if err := im.putAll(ctx, batch); err != nil {
		return 0, fmt.Errorf("import: store: %w", err)
	}
	changes := im.accepted(batch)
	if len(changes) == 0 {
		return 0, nil
	}
	if !im.a.now().Before(in.Deadline) {
		return 0, E("import", Unavailable, nil, "a batch of %d objects took longer than %s to write; nothing of it was kept: "+
			"run the import again, with a longer batch deadline if the store is slow", len(batch), im.a.importDeadline)
	}
	seq, err := im.a.journal.Append(ctx, changes...)
	if err != nil {
		return 0, fmt.Errorf("import: journal: %w", err)
	}
	return seq, nil
}

// putAll writes the objects of batch, in one PutBatch when the store has
// it, else several at a time. Each item gets its info or its error; the
// error returned is the first that is not a Conflict.
func (im *importer) putAll(ctx context.Context, batch []*importItem) error {
	bs, ok := im.a.store.(BatchStore)
	if !ok {
		return parallel(ctx, len(batch), func(i int) error {
			it := batch[i]
			if it.info, it.err = im.a.put(ctx, it.key, it.obj); IsKind(it.err, Conflict) {
				return nil
			}
			return it.err
		})
	}
	objs := make([]PutObject, len(batch))
	for i, it := range batch {
		b, err := encodeJSON(it.obj)
		if err != nil {
			return err
		}
		objs[i] = PutObject{Key: it.key, Body: bytes.NewReader(b), Size: int64(len(b))}
	}
	var first error
	for i, r := range bs.PutBatch(ctx, objs) {
		batch[i].info, batch[i].err = r.Info, r.Err
		if r.Err != nil && !IsKind(r.Err, Conflict) && first == nil {
			first = r.Err
		}
	}
	return first
}

// indexer brings the index up to each journal entry the import wrote, one
// batch behind the writing. Errors are logged: the index catches up later.
func (im *importer) indexer(ctx context.Context, done chan<- struct{}) {
	for seq := range im.indexq {
		im.a.syncTo(ctx, seq)
	}
	close(done)
}

// accepted rejects the items that conflicted, hands the written objects to
// the index and returns their journal changes.
func (im *importer) accepted(batch []*importItem) []Change {
	main := map[int]string{} // the customer or record of each line
	for _, it := range batch {
		if it.action != "datakey.create" {
			main[it.line] = it.key
		}
	}
	failed := map[int]bool{}
	for _, it := range batch {
		if it.err != nil && !failed[it.line] {
			failed[it.line] = true
			im.reject(it.line, E("import", Conflict, it.err, "%s already exists", main[it.line]))
		}
	}
	var changes []Change
	for _, it := range batch {
		if failed[it.line] {
			if it.err == nil {
				im.a.dropObject(context.Background(), it.key) // the other half of a rejected line
				it.err = E("import", Conflict, nil, "rejected with its line")
			}
			continue
		}
		im.a.fresh.Store(it.key, it.obj)
		changes = append(changes, Change{Actor: im.actor, Action: it.action, Key: it.key, SHA256: it.info.SHA256})
	}
	return changes
}

// count adds the journaled items of batch to the report and the written
// customers to the Archive's cache.
func (im *importer) count(batch []*importItem) {
	for _, it := range batch {
		if it.err != nil {
			continue
		}
		switch obj := it.obj.(type) {
		case *storedCustomer:
			im.a.customers.put(obj)
			im.rep.Customers++
		case *storedRecord:
			im.rep.Records++
		}
	}
}

// undo removes the objects of a batch that will not be journaled.
func (im *importer) undo(batch []*importItem) {
	for _, it := range batch {
		if it.err == nil && it.info.Key != "" {
			im.a.fresh.Delete(it.key)
			im.a.dropObject(context.Background(), it.key)
		}
	}
}
