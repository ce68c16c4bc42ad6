package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// RestoreReport is what Restore rebuilt.
type RestoreReport struct {
	// Manifest is the last backup in the target: the store was rebuilt up
	// to its entry To.
	Manifest *Manifest
	Entries  uint64 // journal entries restored
	Objects  int    // objects written, the journal's included
	Bytes    int64
	// Destroyed are the objects the journal wrote and later removed (a
	// destruction, a destroyed data key), left out on purpose.
	Destroyed int
	// Manifests is how many manifests every restored object was compared
	// with.
	Manifests int
}

// Restore rebuilds into dst, which must be empty, the store that the
// backups in target copied, up to the last manifest's entry: the journal
// entries (each one's hash and link checked), the checkpoints, and every
// object an entry wrote whose removal no entry recorded, each one's
// SHA-256 checked against the journal. An object whose removal the
// journal recorded is never written, so that what was destroyed stays
// destroyed. A damaged or missing object or entry stops the restore with
// an Integrity error naming it; a non-empty dst is Conflict. Then every
// object the manifests list is compared with what was restored.
func Restore(ctx context.Context, target, dst va.Store, progress func(Progress)) (*RestoreReport, error) {
	m, err := lastManifest(ctx, target)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, va.E("restore", va.NotFound, nil, "the target holds no backup: no manifest under %s", va.BackupsPrefix)
	}
	if err := checkEmpty(ctx, dst); err != nil {
		return nil, err
	}
	ch, err := readChain(ctx, target, m)
	if err != nil {
		return nil, err
	}
	r := &restorer{target: target, dst: dst, chain: ch, rep: &RestoreReport{Manifest: m}, restored: map[string]string{}, progress: progress}
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	if err := r.compare(ctx); err != nil {
		return nil, err
	}
	return r.rep, nil
}

// checkEmpty refuses a destination that holds anything.
func checkEmpty(ctx context.Context, dst va.Store) error {
	for info, err := range dst.List(ctx, "", "") {
		if err != nil && !va.IsKind(err, va.Integrity) {
			return fmt.Errorf("restore: list the destination: %w", err)
		}
		return va.E("restore", va.Conflict, nil, "the destination is not empty (it holds %s): restore only into an empty store", info.Key)
	}
	return nil
}

// chain is the journal of a backup, read and checked.
type chain struct {
	*plan
	sums map[uint64]string // SHA-256 of each entry's object
	// removedAfter are the objects removed by entries after the manifest
	// that a later, unfinished pass copied: they stay out too.
	removedAfter map[string]bool
}

// readChain reads the journal entries of target in order, checking each
// one's hash and link, up to entry m.To, whose hash must be m.Head; the
// entries after it count only for their removals.
func readChain(ctx context.Context, target va.Store, m *Manifest) (*chain, error) {
	ch := &chain{plan: newPlan(0, ""), sums: map[uint64]string{}, removedAfter: map[string]bool{}}
	for info, err := range target.List(ctx, journal.EntryPrefix, "") {
		if err != nil {
			return nil, fmt.Errorf("restore: list the journal of the backup: %w", err)
		}
		seq := ch.to + 1
		if info.Key != journal.EntryKey(seq) {
			if seq <= m.To {
				return nil, va.E("restore", va.Integrity, nil, "journal entry %d (%s) is missing from the backup", seq, journal.EntryKey(seq))
			}
			break
		}
		e, sum, err := readEntry(ctx, target, info.Key, ch.head)
		if err != nil {
			if seq <= m.To {
				return nil, err
			}
			break // past the manifest: an unfinished pass
		}
		if seq > m.To {
			ch.removals(e)
			continue
		}
		ch.add(e)
		ch.sums[seq] = sum
	}
	if ch.to != m.To || ch.head != m.Head {
		return nil, va.E("restore", va.Integrity, nil, "the journal of the backup ends at entry %d, but its last manifest %s names entry %d with hash %s", ch.to, va.BackupManifestKey(m.To), m.To, m.Head)
	}
	return ch, nil
}

func (ch *chain) removals(e va.Entry) {
	for _, c := range e.Changes {
		if c.Removed {
			ch.removedAfter[c.Key] = true
		}
	}
	ch.to, ch.head = e.Seq, e.Hash
}

// readEntry reads entry key and checks its hash and its link to the entry
// whose hash is prev.
func readEntry(ctx context.Context, s va.Store, key, prev string) (va.Entry, string, error) {
	rc, _, err := s.Get(ctx, key)
	if err != nil {
		return va.Entry{}, "", fmt.Errorf("restore: read %s: %w", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return va.Entry{}, "", va.E("restore", va.Integrity, err, "journal entry %s in the backup is damaged", key)
	}
	var e va.Entry
	if err := json.Unmarshal(b, &e); err != nil || journal.EntryKey(e.Seq) != key || journal.Hash(e) != e.Hash || e.Prev != prev {
		return va.Entry{}, "", va.E("restore", va.Integrity, err, "journal entry %s in the backup is damaged: its content, hash or link to the entry before does not hold", key)
	}
	sum := sha256.Sum256(b)
	return e, hex.EncodeToString(sum[:]), nil
}

// restorer is one restore under way.
type restorer struct {
	target, dst va.Store
	chain       *chain
	rep         *RestoreReport
	restored    map[string]string // key → SHA-256
	progress    func(Progress)
	at          Progress
}

func (r *restorer) run(ctx context.Context) error {
	jobs, err := r.jobs(ctx)
	if err != nil {
		return err
	}
	r.at.Total = len(jobs)
	got, err := copyAll(ctx, len(jobs), func(ctx context.Context, i int) (copied, error) { return r.copy(ctx, jobs[i]) }, r.report)
	if err != nil {
		return err
	}
	for _, g := range got {
		r.restored[g.Key] = g.SHA256
		r.rep.Objects++
		r.rep.Bytes += g.Size
	}
	r.rep.Entries = r.chain.to
	return nil
}

// jobs lists what the restore writes: every object an entry wrote and no
// entry removed, the entries, and their checkpoints.
func (r *restorer) jobs(ctx context.Context) ([]copyJob, error) {
	var jobs []copyJob
	for _, key := range r.chain.keys {
		want, ok := r.chain.want[key]
		if !ok || r.chain.removedAfter[key] {
			r.rep.Destroyed++
			continue
		}
		jobs = append(jobs, copyJob{key: key, want: want, written: true})
	}
	for seq := uint64(1); seq <= r.chain.to; seq++ {
		jobs = append(jobs, copyJob{key: journal.EntryKey(seq), want: r.chain.sums[seq]})
	}
	cps, err := r.checkpoints(ctx)
	for _, cp := range cps {
		jobs = append(jobs, copyJob{key: cp.Key, want: cp.SHA256})
	}
	return jobs, err
}

func (r *restorer) copy(ctx context.Context, job copyJob) (copied, error) {
	got, err := copyFrom(ctx, r.target, r.dst, job.key, job.want, "the backup")
	if va.IsKind(err, va.NotFound) {
		return got, va.E("restore", va.Integrity, err, "object %s, written by journal entry %d, is missing from the backup", job.key, r.chain.wroteAt[job.key])
	}
	return got, err
}

func (r *restorer) report(got copied) {
	r.at.Done++
	r.at.Bytes += got.Size
	if r.progress != nil {
		r.progress(r.at)
	}
}

// checkpoints lists the checkpoints of the backup up to the manifest.
func (r *restorer) checkpoints(ctx context.Context) ([]va.ObjectInfo, error) {
	var out []va.ObjectInfo
	last := journal.CheckpointKey(r.chain.to)
	for info, err := range r.target.List(ctx, journal.CheckpointPrefix, "") {
		if err != nil {
			return nil, fmt.Errorf("restore: list the checkpoints of the backup: %w", err)
		}
		if info.Key > last {
			break
		}
		out = append(out, info)
	}
	return out, nil
}

// compare checks every object of every manifest up to the last against
// what was restored: restored with the hash the manifest recorded, or
// removed by the journal.
func (r *restorer) compare(ctx context.Context) error {
	ms, err := manifests(ctx, r.target)
	if err != nil {
		return err
	}
	var problems []string
	for _, m := range ms {
		if m.To > r.chain.to {
			continue
		}
		r.rep.Manifests++
		for _, f := range m.Files {
			if p := r.compareFile(m, f); p != "" {
				problems = append(problems, p)
			}
		}
	}
	if len(problems) > 0 {
		return va.E("restore", va.Integrity, nil, "the restore does not match the manifests: %s", strings.Join(problems[:min(len(problems), 5)], "; "))
	}
	return nil
}

func (r *restorer) compareFile(m *Manifest, f File) string {
	got, ok := r.restored[f.Key]
	_, written := r.chain.wroteAt[f.Key]
	destroyed := written && (r.chain.gone(f.Key) || r.chain.removedAfter[f.Key])
	switch {
	case ok && got != f.SHA256:
		return fmt.Sprintf("%s was restored with sha256 %s, manifest %s recorded %s", f.Key, got, va.BackupManifestKey(m.To), f.SHA256)
	case !ok && !destroyed:
		return fmt.Sprintf("%s, listed by manifest %s, was not restored", f.Key, va.BackupManifestKey(m.To))
	}
	return ""
}
