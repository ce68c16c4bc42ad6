package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/schollz/progressbar/v3"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("verify", stderr)
	remove := fs.Bool("remove-unrecorded", false, "after verifying, remove the objects no journal entry records that are older than --grace, journaling each removal")
	grace := fs.Duration("grace", va.UnrecordedGrace, "how old an object no journal entry records must be to count as a problem, and to be removed: a younger one may belong to a write in flight")
	actor := fs.String("actor", env("VISITARCHIVE_ACTOR", "operator"), "user name recorded as the remover (VISITARCHIVE_ACTOR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *grace <= 0 {
		*grace = time.Nanosecond // 0 would mean the default
	}
	store, err := sf.openStore(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("verifying journal entries"), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond), noSpinner)
	rep, err := journal.VerifyWith(ctx, store, journal.Options{Progress: func(n uint64) { bar.Set64(int64(n)) }, Grace: *grace})
	bar.Finish()
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	codes, err := refCodeProblems(ctx, store, *grace)
	if err != nil {
		return err
	}
	printVerify(stdout, rep, codes, time.Since(start))
	if *remove && len(rep.Unrecorded) > 0 {
		if err := removeUnrecorded(ctx, sf, stdout, stderr, va.UserName(*actor), rep.Unrecorded, *grace); err != nil {
			return err
		}
		if len(rep.Problems) == len(rep.Unrecorded) && len(codes) == 0 {
			return nil // those were the only problems, and they are gone
		}
	}
	if !rep.OK() || len(codes) > 0 {
		return errFailed
	}
	return nil
}

// refCodeProblems returns the gaps and duplicates of the reference-code
// series (va.ReferenceSeries); a gap whose claim is younger than grace
// is an archiving in flight.
func refCodeProblems(ctx context.Context, store va.Store, grace time.Duration) ([]string, error) {
	j, err := journal.Open(ctx, store, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	all, err := va.ReferenceSeries(ctx, store, j)
	if err != nil {
		return nil, fmt.Errorf("verify: reference codes: %w", err)
	}
	var out []string
	for _, s := range all {
		out = append(out, s.Problems(time.Now(), grace)...)
	}
	return out, nil
}

func printVerify(w io.Writer, rep *journal.Report, codes []string, took time.Duration) {
	for _, p := range rep.Problems {
		fmt.Fprintln(w, p)
	}
	for _, p := range codes {
		fmt.Fprintln(w, p)
	}
	for _, o := range rep.InFlight {
		fmt.Fprintf(w, "in flight: %s, written %s ago and not journaled yet (not a problem unless it stays)\n",
			o.Key, time.Since(o.Modified).Round(time.Second))
	}
	fmt.Fprintf(w, "verified %d journal entries and %d objects in %s: %d problem(s)\n",
		rep.Entries, rep.Objects, took.Round(time.Millisecond), len(rep.Problems)+len(codes))
}

// removeUnrecorded removes objs, which no journal entry records, through
// the archive, so that each removal is journaled.
func removeUnrecorded(ctx context.Context, sf *storeFlags, stdout, stderr io.Writer, actor va.UserName, objs []va.ObjectInfo, grace time.Duration) error {
	if !va.ValidUserName(string(actor)) {
		return fmt.Errorf("--actor %q is not a valid user name", actor)
	}
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	n, err := c.archive.RemoveUnrecorded(va.WithActor(ctx, actor), objs, grace)
	fmt.Fprintf(stdout, "removed %d object(s) that no journal entry recorded\n", n)
	return err
}
