package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/visitarchive/visitarchive/index"
)

func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("reindex", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	// The index is a projection of the store: throw it away and build it
	// anew, so that nothing stale survives. Opening it first proves that no
	// server is using it.
	ix, err := index.Open(sf.indexDir(), log)
	if err != nil {
		return err
	}
	ix.Close()
	if err := index.Remove(sf.indexDir()); err != nil {
		return err
	}
	var bar *progressbar.ProgressBar
	start := time.Now()
	sf.bulkIndex = true
	c, err := sf.open(ctx, log, func(done, total int) {
		if bar == nil {
			bar = newBar(total, "reindexing", stderr)
		}
		bar.ChangeMax(total) // the total grows until the store is counted
		bar.Set(done)
	})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := sf.openArchive(ctx, c); err != nil {
		return err
	}
	n, err := c.index.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nindexed %d records in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

func newBar(total int, what string, w io.Writer) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionThrottle(200*time.Millisecond),
	)
}

// newBytesBar shows progress through a file of total bytes.
func newBytesBar(total int64, what string, w io.Writer) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(200*time.Millisecond),
	)
}
