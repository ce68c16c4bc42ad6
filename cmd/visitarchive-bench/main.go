// Command visitarchive-bench measures the archive against the budgets of
// issue 2 — bulk import rate, search latency, reindex time and peak memory —
// on the disk backend and on MinIO, beside Bleve alone with the same
// mapping, all on one generated corpus in one run. A last phase, the
// floor, imports the corpus into MinIO without our layers (the S3 backend
// and Bleve alone), to show what MinIO and Bleve cost together. The write
// step of each backend measures the budgets of issue 15: records created
// one at a time through the API of a running `visitarchive serve` by 1, 8
// and 32 clients, beside the bulk import and beside Bleve alone fed the
// same records in small batches (write.go).
//
// Each step of each measured phase (import, search, reindex) runs in a
// child process of its own (this binary again, with the internal -phase
// and -step flags), as the product's commands do, so that each peak RSS
// is that of one command.
//
//	go run ./cmd/visitarchive-bench -n 100000 -out bench-out
package main

import (
	"context"
	"flag"
	"fmt"

	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// options are the flags of the harness and of its phase children.
type options struct {
	n        int
	seed     uint64
	out      string
	work     string
	keep     bool
	rounds   int
	phases   string
	minio    string
	interval time.Duration

	// The write step (write.go): levels of concurrent clients, records
	// per level, and the visitarchive binary that serves them.
	writers      string
	writeRecords int
	visitarchive string

	// Internal: set by the parent for a phase child.
	phase      string
	step       string
	result     string
	cpuprofile string
}

// internal marks the usage of flags that only the harness itself passes.
const internal = "(internal) "

func (o *options) register(fs *flag.FlagSet) {
	fs.IntVar(&o.n, "n", 100000, "records in the corpus (customers are 2% of it)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the corpus and the query set")
	fs.StringVar(&o.out, "out", "bench-out", "directory for report.md and results.json")
	fs.StringVar(&o.work, "work", "", "working directory for the corpus, stores and indexes (default: a new temporary directory)")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory")
	fs.IntVar(&o.rounds, "rounds", 3, "timed runs of the query set, after one untimed warm-up run")
	fs.StringVar(&o.phases, "phases", "bleve,disk,minio,floor", "phases to run, comma-separated: bleve, disk, minio, floor (Bleve alone with the S3 backend alone)")
	fs.StringVar(&o.minio, "minio", "bin/minio", "MinIO server binary for the minio and floor phases")
	fs.StringVar(&o.writers, "writers", "1,8,32", "the write step: records created through the API of a running server by this many clients at once, each number in turn, "+
		"beside search while 8 clients write, and Bleve alone fed the same records in small batches; none to leave it out")
	fs.IntVar(&o.writeRecords, "write-records", 0, "records each number of -writers creates (default: 2,000 or a tenth of -n, whichever is smaller)")
	fs.StringVar(&o.visitarchive, "visitarchive", "", "visitarchive binary of the write step (default: built from this module at the start of the run)")
	fs.DurationVar(&o.interval, "progress", 5*time.Second, "interval of progress lines")
	fs.StringVar(&o.phase, "phase", "", internal+"run one phase: bleve, disk, minio or floor")
	fs.StringVar(&o.step, "step", "", internal+"run one step of the phase: index, search or write (bleve), import, search, reindex, backup or write, index (floor)")
	fs.StringVar(&o.result, "result", "", internal+"file for the phase's results")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", internal+"directory for a CPU profile of each step of each phase, and heap profiles every 15 s")
}

func main() {
	var o options
	fs := flag.NewFlagSet("visitarchive-bench", flag.ContinueOnError)
	o.register(fs)
	fs.Usage = func() { printUsage(fs) }
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if o.phase != "" {
		err = runPhase(ctx, &o)
	} else {
		err = run(ctx, &o, os.Stdout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "visitarchive-bench: %v\n", err)
		stop()
		os.Exit(1)
	}
}

// printUsage prints the flags that users pass, without the internal ones.
func printUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, "usage: visitarchive-bench [flags]\n\n")
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, internal) {
			return
		}
		fmt.Fprintf(w, "  -%s\n\t%s (default %q)\n", f.Name, f.Usage, f.DefValue)
	})
}

// logf writes one progress line to stderr, stamped with the time.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// ticker calls line every interval until the returned stop is called, and
// logs what it returns.
func ticker(interval time.Duration, line func() string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				logf("%s", line())
			}
		}
	}()
	return func() { close(done); <-finished }
}

// rate formats progress through n items of total since start.
func rate(what string, n, total int64, start time.Time) string {
	el := time.Since(start)
	return fmt.Sprintf("%s: %d/%d (%.0f%%), %.0f/s, %s elapsed", what, n, total,
		100*float64(n)/float64(max(total, 1)), float64(n)/el.Seconds(), el.Round(time.Second))
}
