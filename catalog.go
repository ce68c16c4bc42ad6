package visitarchive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
)

// The catalog is what the journal recorded, and the only way readers find
// objects: the key and SHA-256 of the latest version of every versioned
// object (records, plans, customers, users, departments, data keys, paper
// originals and their loans, jobs, scans) and of every other object that
// readers load (sessions, API tokens, notifications, annotations,
// attachments, the content of scans and the marks of the parts of batches
// filed). An object that no journal entry records — left by a write that
// crashed before its entry, or put into the store by hand — is never
// served, loaded or indexed, and content that differs from the SHA-256
// the journal recorded is refused. A listing of the store decides nothing.
//
// The claims that coordinate writers (reference-code numbers, archiving
// reservations, the marks of reminders sent) are not in it: their existence is the lock,
// before any entry records them.
type catalog struct {
	mu     sync.RWMutex
	seq    uint64                    // the last journal entry applied
	latest map[string]catEntry       // by directory ("records/R1/"): its greatest key
	flat   map[string]map[string]sum // every other object readers load, by directory and key
	// destroying holds the records a journaled destruction has begun on:
	// from its intent on, none of their objects is served, however far
	// the removals have gone (archive_destroy.go).
	destroying map[RecordID]bool
	// begun holds the destructions begun and not ended, by id.
	begun map[string]bool
	// refs is what the journal recorded of reference-code claims
	// (refcodes_book.go).
	refs refBook
}

// sum is a SHA-256, kept as bytes: half the memory of its hex.
type sum [sha256.Size]byte

type catEntry struct {
	key string
	sum sum
}

// versionedPrefixes hold one directory of versions per object; the
// greatest key of a directory is the current one (a destroyed data key's
// mark sorts after its versions).
var versionedPrefixes = []string{RecordsPrefix, PlansPrefix, CustomersPrefix, UsersPrefix, DepartmentsPrefix, DataKeysPrefix,
	PaperPrefix, LoansPrefix, AppraisalsPrefix, HoldsPrefix, RetentionsPrefix, SchedulesPrefix, JobsPrefix,
	ScansPrefix}

// flatPrefixes hold objects that readers load by key or by listing.
var flatPrefixes = []string{SessionsPrefix, TokensPrefix, InboxPrefix, AnnotationsPrefix, AttachmentsPrefix,
	DestructionsPrefix, ScanFilesPrefix, ScanPartsPrefix, FixityPrefix}

func hasAnyPrefix(key string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(key, p) })
}

// apply records the writes and removals of e.
func (c *catalog) apply(e Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.latest == nil {
		c.latest, c.flat = map[string]catEntry{}, map[string]map[string]sum{}
	}
	for _, ch := range e.Changes {
		c.applyDestruction(ch)
		c.refs.note(ch)
		switch {
		case ch.Removed:
			c.remove(ch.Key)
		case ch.Wrote():
			c.add(ch.Key, ch.SHA256)
		}
	}
	c.seq = max(c.seq, e.Seq)
}

func (c *catalog) add(key, sha string) {
	var s sum
	if _, err := hex.Decode(s[:], []byte(sha)); err != nil {
		return // a journal entry names no well-formed hash: verify reports it
	}
	switch {
	case hasAnyPrefix(key, versionedPrefixes):
		dir := dirOf(key)
		if cur, ok := c.latest[dir]; !ok || key >= cur.key {
			c.latest[dir] = catEntry{key, s}
		}
	case hasAnyPrefix(key, flatPrefixes):
		dir := dirOf(key)
		if c.flat[dir] == nil {
			c.flat[dir] = map[string]sum{}
		}
		c.flat[dir][key] = s
	}
}

// remove forgets key. Removing the current version of an object removes
// the object (its older versions go with it, as destruction does).
func (c *catalog) remove(key string) {
	dir := dirOf(key)
	if m := c.flat[dir]; m != nil {
		delete(m, key)
		if len(m) == 0 {
			delete(c.flat, dir)
		}
	}
	if cur, ok := c.latest[dir]; ok && cur.key == key {
		delete(c.latest, dir)
	}
}

// current returns the current version of the object whose versions live
// in dir, if the journal recorded one.
func (c *catalog) current(dir string) (catEntry, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.latest[dir]
	if ok && c.doomed(dir) {
		return catEntry{}, false
	}
	return e, ok
}

// object returns the SHA-256 the journal recorded for the flat object key.
func (c *catalog) object(key string) (sum, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.flat[dirOf(key)][key]
	if ok && c.doomed(key) {
		return sum{}, false
	}
	return s, ok
}

// currents returns the current version of every object under prefix
// (such as "users/"), in key order.
func (c *catalog) currents(prefix string) []catEntry {
	c.mu.RLock()
	var out []catEntry
	for dir, e := range c.latest {
		if strings.HasPrefix(dir, prefix) && !c.doomed(dir) {
			out = append(out, e)
		}
	}
	c.mu.RUnlock()
	return sortEntries(out)
}

// objects returns the flat objects of directory dir (such as
// "inbox/alice/") with their sums, in key order.
func (c *catalog) objects(dir string) []catEntry {
	c.mu.RLock()
	var out []catEntry
	if !c.doomed(dir) {
		out = entries(c.flat[dir], nil)
	}
	c.mu.RUnlock()
	return sortEntries(out)
}

// objectsUnder returns the flat objects of every directory under prefix
// (such as "tokens/"), in key order.
func (c *catalog) objectsUnder(prefix string) []catEntry {
	c.mu.RLock()
	var out []catEntry
	for dir, m := range c.flat {
		if strings.HasPrefix(dir, prefix) && !c.doomed(dir) {
			out = entries(m, out)
		}
	}
	c.mu.RUnlock()
	return sortEntries(out)
}

func entries(m map[string]sum, out []catEntry) []catEntry {
	for key, s := range m {
		out = append(out, catEntry{key, s})
	}
	return out
}

func sortEntries(es []catEntry) []catEntry {
	slices.SortFunc(es, func(x, y catEntry) int { return strings.Compare(x.key, y.key) })
	return es
}

// head returns the last journal entry the catalog applied.
func (c *catalog) head() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.seq
}

// sumOf parses the hex SHA-256 of a journal change; a malformed one is a
// sum no content has.
func sumOf(sha string) sum {
	var s sum
	hex.Decode(s[:], []byte(sha))
	return s
}

// readSealed reads the object at key into v, refusing content whose
// SHA-256 is not want, the one the journal recorded.
func readSealed(ctx context.Context, store Store, key string, want sum, v any) error {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	if sha256.Sum256(b) != want {
		return E("read", Integrity, nil, "stored object %s differs from what the journal recorded; run verify", key)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return E("read", Integrity, err, "stored object %s is not valid JSON", key)
	}
	return nil
}

// readObject reads the flat object at key into v if the journal recorded
// it; otherwise NotFound.
func (a *Archive) readObject(ctx context.Context, key string, v any) error {
	s, ok := a.catalog.object(key)
	if !ok {
		return E("get", NotFound, nil, "%s not found", key)
	}
	return readSealed(ctx, a.store, key, s, v)
}

// readChange reads the object that journal change c wrote into v,
// checking it against the SHA-256 c recorded.
func (a *Archive) readChange(ctx context.Context, c Change, v any) error {
	return readSealed(ctx, a.store, c.Key, sumOf(c.SHA256), v)
}
