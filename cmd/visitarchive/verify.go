package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/visitarchive/visitarchive/storage/journal"
)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("verify", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := sf.openStore(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("verifying journal entries"), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond))
	rep, err := journal.Verify(ctx, store, func(n uint64) { bar.Set64(int64(n)) })
	bar.Finish()
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintf(stdout, "verified %d journal entries and %d objects in %s: %d problem(s)\n",
		rep.Entries, rep.Objects, time.Since(start).Round(time.Millisecond), len(rep.Problems))
	if !rep.OK() {
		return errFailed
	}
	return nil
}
