package journal

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// Problem is one thing Verify found wrong, located by sequence number and
// object key.
type Problem struct {
	Seq uint64 // the entry concerned (0 when none applies)
	Key string // the journal entry or object concerned
	// Kind sorts the problem: visitarchive.ProblemAltered, ProblemMissing,
	// ProblemUnrecorded or ProblemJournal (the journal itself).
	Kind   string
	Detail string
}

func (p Problem) String() string { return fmt.Sprintf("seq %d %s: %s", p.Seq, p.Key, p.Detail) }

// Report is the outcome of Verify.
type Report struct {
	Entries  uint64    // entries read
	Objects  uint64    // objects hashed
	Problems []Problem // empty when everything checked out
	// Unrecorded are the objects no entry records that were written at
	// least the grace period ago, also among Problems.
	Unrecorded []va.ObjectInfo
	// InFlight are the objects no entry records yet that are younger than
	// the grace period: a write in progress journals its objects within
	// seconds. They are not problems.
	InFlight []va.ObjectInfo
}

// Options adjust Verify.
type Options struct {
	// Progress, if set, is called after each entry with the entries done.
	Progress func(entries uint64)
	// Now is the time objects' ages are taken at (zero: the time Verify
	// lists the store).
	Now time.Time
	// Grace is the age from which an unrecorded object is a problem
	// rather than in flight (0: visitarchive.UnrecordedGrace).
	Grace time.Duration
}

// OK reports whether Verify found nothing wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify walks the journal and the objects it names. It reports every entry
// that was altered (its hash or its link to the previous entry does not
// hold), removed (a gap in the sequence, or a checkpoint past the end) or
// reordered (an entry under another entry's number), and every object that
// is missing or whose content no longer has the SHA-256 the journal
// recorded. Only the last version written of a key is hashed. It then
// lists the whole store and reports every object that no entry records
// (left by a write that was interrupted before its entry, or put there by
// hand: readers never serve it), and every object still there whose
// removal an entry recorded. progress, if not nil, is called after each
// entry with the entries done.
func Verify(ctx context.Context, store va.Store, progress func(entries uint64)) (*Report, error) {
	return VerifyWith(ctx, store, Options{Progress: progress})
}

// VerifyWith is Verify with options.
func VerifyWith(ctx context.Context, store va.Store, opts Options) (*Report, error) {
	return verify(ctx, store, opts, true)
}

// Unrecorded walks the journal and lists the store like Verify, without
// hashing objects, and returns the objects no entry records, in key order:
// what an interrupted write left behind, or what was put there by hand.
// The intents of imports in progress (visitarchive.IntentsPrefix) are not
// among them.
func Unrecorded(ctx context.Context, store va.Store) ([]va.ObjectInfo, error) {
	rep, err := verify(ctx, store, Options{Grace: -1}, false)
	if err != nil {
		return nil, err
	}
	return rep.Unrecorded, nil
}

func verify(ctx context.Context, store va.Store, opts Options, hash bool) (*Report, error) {
	v := &verifier{store: store, rep: &Report{}, objects: map[string]objectRef{}, now: opts.Now,
		grace: cmp.Or(opts.Grace, va.UnrecordedGrace)}
	if err := v.walkEntries(ctx, opts.Progress); err != nil {
		return nil, err
	}
	if err := v.checkCheckpoints(ctx); err != nil {
		return nil, err
	}
	v.checkDestructions()
	if hash {
		if err := v.checkObjects(ctx); err != nil {
			return nil, err
		}
	}
	if err := v.checkUnrecorded(ctx); err != nil {
		return nil, err
	}
	return v.rep, nil
}

type objectRef struct {
	seq    uint64
	sha256 string
}

type verifier struct {
	store   va.Store
	now     time.Time     // ages are taken at; zero: when listing
	grace   time.Duration // below it an unrecorded object is in flight
	rep     *Report
	prev    va.Entry             // the last entry read
	objects map[string]objectRef // the last write of each key
	keys    []string             // the keys in the order first written
	hashes  map[uint64]string
	// begun holds the destructions begun and not ended yet, by the key
	// of their intent, with the entry that began each.
	begun map[string]uint64
}

func (v *verifier) problem(seq uint64, key, format string, args ...any) {
	v.problemOf(va.ProblemJournal, seq, key, format, args...)
}

// problemOf records a problem of an object, of kind.
func (v *verifier) problemOf(kind string, seq uint64, key, format string, args ...any) {
	v.rep.Problems = append(v.rep.Problems, Problem{Seq: seq, Key: key, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

func (v *verifier) walkEntries(ctx context.Context, progress func(uint64)) error {
	v.hashes = map[uint64]string{}
	for info, err := range v.store.List(ctx, EntryPrefix, "") {
		if err != nil {
			return fmt.Errorf("verify: list journal: %w", err)
		}
		seq, ok := seqOf(info.Key, EntryPrefix)
		if !ok {
			v.problem(0, info.Key, "not a journal entry key")
			continue
		}
		v.checkEntry(ctx, seq, info.Key)
		v.rep.Entries++
		if progress != nil {
			progress(v.rep.Entries)
		}
	}
	return nil
}

// checkEntry checks entry seq, stored under key, against the one before.
func (v *verifier) checkEntry(ctx context.Context, seq uint64, key string) {
	gap := seq > v.prev.Seq+1
	if gap {
		want := v.prev.Seq + 1
		v.problem(want, EntryKey(want), "removed: entries %d to %d are missing", want, seq-1)
	}
	e, err := readEntry(ctx, v.store, key)
	if err != nil {
		v.problem(seq, key, "altered: %s", va.ErrorMessage(err))
		v.prev = va.Entry{Seq: seq} // the chain cannot be followed through it
		return
	}
	for _, c := range e.Changes {
		v.followDestruction(seq, c)
		if !c.Wrote() && !c.Removed {
			continue // an access event names an object it did not write
		}
		if _, seen := v.objects[c.Key]; !seen {
			v.keys = append(v.keys, c.Key)
		}
		v.objects[c.Key] = objectRef{seq: seq, sha256: c.SHA256}
	}
	if e.Seq != seq {
		v.problem(seq, key, "reordered: the entry says it is seq %d", e.Seq)
		v.prev = va.Entry{Seq: seq} // the next link cannot be judged against it
		return
	}
	switch {
	case Hash(e) != e.Hash:
		v.problem(seq, key, "altered: its content does not match its hash")
	case !gap && v.prev.Hash != "" && e.Prev != v.prev.Hash || seq == 1 && e.Prev != "":
		v.problem(seq, key, "altered or reordered: it does not link to entry %d", seq-1)
	}
	v.hashes[seq] = e.Hash
	v.prev = e
	v.prev.Seq = seq
}

// readEntry reads and decodes one entry; the store's own checksum check
// catches a changed byte before the JSON does.
func readEntry(ctx context.Context, store va.Store, key string) (va.Entry, error) {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return va.Entry{}, err
	}
	defer rc.Close()
	var e va.Entry
	b, err := io.ReadAll(rc)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, va.E("verify", va.Integrity, err, "the entry is not valid JSON")
	}
	return e, nil
}

// checkCheckpoints proves that no entries were cut from the end: each
// checkpoint must match the entry it pins.
func (v *verifier) checkCheckpoints(ctx context.Context) error {
	for info, err := range v.store.List(ctx, CheckpointPrefix, "") {
		if err != nil {
			return fmt.Errorf("verify: list checkpoints: %w", err)
		}
		seq, ok := seqOf(info.Key, CheckpointPrefix)
		if !ok {
			continue
		}
		var cp Checkpoint
		if err := readJSON(ctx, v.store, info.Key, &cp); err != nil {
			v.problem(seq, info.Key, "checkpoint unreadable: %s", va.ErrorMessage(err))
			continue
		}
		switch h, found := v.hashes[seq]; {
		case seq > v.prev.Seq:
			v.problem(seq, EntryKey(seq), "removed: the journal ends at entry %d but a checkpoint pins entry %d", v.prev.Seq, seq)
		case found && h != cp.Hash:
			v.problem(seq, EntryKey(seq), "altered: its hash differs from the one its checkpoint pinned")
		}
	}
	return nil
}

func readJSON(ctx context.Context, store va.Store, key string, v any) error {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	return json.NewDecoder(rc).Decode(v)
}

// checkObjects hashes each object named by the journal, in journal order.
func (v *verifier) checkObjects(ctx context.Context) error {
	for _, key := range v.keys {
		ref := v.objects[key]
		if ref.sha256 == "" {
			continue
		}
		got, err := hashObject(ctx, v.store, key)
		v.rep.Objects++
		switch {
		case va.IsKind(err, va.NotFound):
			v.problemOf(va.ProblemMissing, ref.seq, key, "object missing")
		case va.IsKind(err, va.Integrity):
			v.problemOf(va.ProblemAltered, ref.seq, key, "object altered: its content no longer matches its hash")
		case err != nil:
			return fmt.Errorf("verify: read %s: %w", key, err)
		case got != ref.sha256:
			v.problemOf(va.ProblemAltered, ref.seq, key, "object altered: sha256 %s, the journal recorded %s", got, ref.sha256)
		}
	}
	return nil
}

// hashObject hashes the content of key itself, so that a store whose own
// checksum was rewritten along with the content is still caught.
func hashObject(ctx context.Context, store va.Store, key string) (string, error) {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkUnrecorded lists the store and reports the objects the journal does
// not account for.
func (v *verifier) checkUnrecorded(ctx context.Context) error {
	now := v.now
	if now.IsZero() {
		now = time.Now()
	}
	for info, err := range v.store.List(ctx, "", "") {
		if err != nil && !va.IsKind(err, va.Integrity) {
			return fmt.Errorf("verify: list the store: %w", err)
		}
		key := info.Key
		if strings.HasPrefix(key, EntryPrefix) || strings.HasPrefix(key, CheckpointPrefix) || strings.HasPrefix(key, va.IntentsPrefix) {
			continue
		}
		switch ref, ok := v.objects[key]; {
		case !ok && now.Sub(info.Modified) < v.grace:
			v.rep.InFlight = append(v.rep.InFlight, info)
		case !ok:
			v.rep.Unrecorded = append(v.rep.Unrecorded, info)
			v.problemOf(va.ProblemUnrecorded, 0, key, "unrecorded: no journal entry records this object (a write interrupted before its entry, or put there by hand); it is never served")
		case ref.sha256 == "":
			v.problem(ref.seq, key, "still present, though the journal recorded its removal")
		}
	}
	return nil
}

// followDestruction notes the destructions that c begins or ends.
func (v *verifier) followDestruction(seq uint64, c va.Change) {
	if !strings.HasPrefix(c.Key, va.DestructionsPrefix) {
		return
	}
	dir := c.Key[:strings.LastIndexByte(c.Key, '/')+1]
	switch c.Action {
	case va.ActionDestructionBegin:
		if v.begun == nil {
			v.begun = map[string]uint64{}
		}
		v.begun[dir] = seq
	case va.ActionDestructionEnd:
		delete(v.begun, dir)
	}
}

// checkDestructions reports the destructions begun and never ended: a
// crash in the middle, which the next start of the server completes. Until
// then their removed objects may still be there.
func (v *verifier) checkDestructions() {
	for dir, seq := range v.begun {
		v.problem(seq, dir, "destruction begun and not ended: it completes at the next start of visitarchive")
	}
}
