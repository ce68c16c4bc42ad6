package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/backup"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// runRestore is `visitarchive restore`: a store rebuilt from a backup
// into an empty destination (--data NEWDIR, or an empty bucket with the
// store flags), its index rebuilt, verified, and the key file checked
// against it; with --drill, into a temporary directory that is removed
// after, as a rehearsal whose exit status says whether it passed.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("restore", stderr)
	from := fs.String("from", "", "the backup to restore: a directory, or s3://bucket/prefix (default --backup-target)")
	keys := fs.String("keys", "", "the key file of the master keys, from the operator's own copy: it is in neither the store nor the backup (default --key-file, else DATA/keyring.json)")
	drill := fs.Bool("drill", false, "restore into a temporary directory, check it against the backup's manifests, verify it, search it, report, and remove it")
	actor := fs.String("actor", env("VISITARCHIVE_ACTOR", "operator"), "user name recorded in the access log of the restored store for the record read to check the key file (VISITARCHIVE_ACTOR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set, err := sf.settings()
	if err != nil {
		return err
	}
	sf.keyFile = cmp.Or(*keys, sf.keyPath())
	if *drill {
		tmp, err := os.MkdirTemp("", "visitarchive-drill-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		sf.data, sf.storage, sf.index = tmp, "disk", ""
	}
	r := &restoreRun{sf: sf, stdout: stdout, stderr: stderr, actor: va.UserName(*actor), drill: *drill}
	err = r.run(ctx, cmp.Or(*from, set.backup.target))
	if *drill {
		return r.verdict(err)
	}
	return err
}

// restoreRun is one restore, or drill, under way.
type restoreRun struct {
	sf             *storeFlags
	stdout, stderr io.Writer
	actor          va.UserName
	drill          bool
	problems       int
}

func (r *restoreRun) run(ctx context.Context, from string) error {
	if _, err := r.sf.keyring(); err != nil {
		return fmt.Errorf("%w\nThe key file is in neither the store nor the backup: restore it from your own copy and name it with --keys", err)
	}
	if err := checkNoIndex(r.sf.indexDir()); err != nil {
		return err
	}
	rep, err := r.restore(ctx, from)
	if err != nil {
		return err
	}
	m := rep.Manifest
	fmt.Fprintf(r.stdout, "restored journal entries 1 to %d (manifest %s): %d object(s), %d byte(s); %d object(s) left out, destroyed; every file of %d manifest(s) matched\n",
		m.To, va.BackupManifestKey(m.To), rep.Objects, rep.Bytes, rep.Destroyed, rep.Manifests)
	return r.check(ctx)
}

// restore copies the backup into the destination store.
func (r *restoreRun) restore(ctx context.Context, from string) (*backup.RestoreReport, error) {
	target, name, err := r.sf.openTarget(ctx, from, false)
	if err != nil {
		return nil, err
	}
	defer closeStore(target)
	dest, err := r.sf.openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer closeStore(dest)
	fmt.Fprintf(r.stdout, "restoring from %s\n", name)
	bar := newObjectsBar("restoring", r.stderr)
	rep, err := backup.Restore(ctx, target, dest, bar.progress)
	bar.Finish()
	return rep, err
}

// checkNoIndex refuses to rebuild over an index that exists.
func checkNoIndex(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("the index directory %s is not empty: restore into a new --data directory (or name a new --index)", dir)
	}
	return nil
}

// check rebuilds the index of the restored store, verifies it, reads a
// record's contact phone with the key file, and, in a drill, searches
// each class of customer.
func (r *restoreRun) check(ctx context.Context) error {
	log, err := r.sf.logger(r.stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	c, err := r.sf.open(ctx, log, logProgress(log))
	if err != nil {
		return err
	}
	defer c.Close()
	if err := r.sf.openArchive(ctx, c); err != nil {
		return err
	}
	n, err := c.index.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "rebuilt the index: %d record(s) in %s\n", n, time.Since(start).Round(time.Millisecond))
	if err := r.verify(ctx, c); err != nil {
		return err
	}
	actx := va.WithActor(ctx, r.actor)
	if err := r.checkKeys(actx, c.archive); err != nil {
		return err
	}
	if r.drill {
		return r.searchClasses(actx, c.archive)
	}
	return nil
}

func (r *restoreRun) verify(ctx context.Context, c *components) error {
	rep, err := journal.Verify(ctx, c.store, nil)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(r.stdout, "verify:", p)
	}
	fmt.Fprintf(r.stdout, "verify: %d journal entries and %d objects, %d problem(s)\n", rep.Entries, rep.Objects, len(rep.Problems))
	r.problems += len(rep.Problems)
	if !rep.OK() && !r.drill {
		return errFailed
	}
	return nil
}

// checkKeys reads the contact phone of a record with the key file, so
// that a key file that does not fit is found now rather than by a user.
func (r *restoreRun) checkKeys(ctx context.Context, a *va.Archive) error {
	page, err := a.ListRecords(ctx, va.SearchQuery{Size: 20})
	if err != nil {
		return fmt.Errorf("the key file %s does not open the restored records: %w", r.sf.keyFile, err)
	}
	for _, rec := range page.Records {
		if rec.ContactPhone != "" {
			fmt.Fprintf(r.stdout, "key file %s: it opens the encrypted fields (the contact phone of record %s was read)\n", r.sf.keyFile, rec.ID)
			return nil
		}
	}
	fmt.Fprintf(r.stdout, "key file %s: no record among the newest has a contact phone to check it against\n", r.sf.keyFile)
	return nil
}

// searchClasses searches the restored index for each customer type it
// counts, and checks that each search finds as many records as counted.
func (r *restoreRun) searchClasses(ctx context.Context, a *va.Archive) error {
	all, err := a.Search(ctx, va.SearchQuery{Size: 1})
	if err != nil {
		return err
	}
	for _, f := range all.Facets["customer_type"] {
		res, err := a.Search(ctx, va.SearchQuery{CustomerType: f.Value, Size: 1})
		if err != nil {
			return err
		}
		verdict := "ok"
		if res.Total != uint64(f.Count) || res.Total == 0 {
			verdict = "MISMATCH"
			r.problems++
		}
		fmt.Fprintf(r.stdout, "search customer_type=%s: %d hit(s), %d counted: %s\n", f.Value, res.Total, f.Count, verdict)
	}
	return nil
}

// verdict prints the drill's outcome and makes a failed one exit 1.
func (r *restoreRun) verdict(err error) error {
	if err == nil && r.problems == 0 {
		fmt.Fprintln(r.stdout, "restore drill passed; the temporary restore was removed")
		return nil
	}
	if err != nil && !errors.Is(err, errFailed) {
		fmt.Fprintf(r.stdout, "restore drill FAILED: %v\n", err)
	} else {
		fmt.Fprintf(r.stdout, "restore drill FAILED: %d problem(s)\n", r.problems)
	}
	return errFailed
}
