package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/server"
	"github.com/visitarchive/visitarchive/storage/keyring"
)

// threadsPerCore lets the server run Go code on twice as many threads as
// it has cores, unless GOMAXPROCS says otherwise, so that the kernel,
// which switches threads within a millisecond or two, shares the cores,
// and not Go's scheduler alone, which lets a goroutine run for up to 10 ms
// before the next: while people write, Bleve's work for them held both
// threads, and a search's goroutines waited behind it at every step. At
// 20,000 records with 8 clients writing, four threads instead of two
// brought search p95 from 4.5 to 5.5 times its idle p95 to 2.2 to 3 times,
// create p99 from 105–136 ms to 76–99 ms, and larger groups of writes
// (docs/performance.md, step 10).
func threadsPerCore() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.SetDefaultGOMAXPROCS() // the cores, however often serve runs
		runtime.GOMAXPROCS(2 * runtime.GOMAXPROCS(0))
	}
}

// followInterval is how often the server brings its index up to entries
// that other processes (an import, another replica) appended.
const followInterval = 2 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	threadsPerCore()
	fs, sf := newFlags("serve", stderr)
	addr := fs.String("addr", env("VISITARCHIVE_ADDR", "127.0.0.1:8080"), "address to listen on (VISITARCHIVE_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	c, err := sf.open(ctx, log, logProgress(log))
	if err != nil {
		return err
	}
	defer c.Close()
	if err := sf.openArchive(ctx, c); err != nil {
		return err
	}
	if err := firstAdmin(ctx, c.archive, stdout); err != nil {
		return err
	}
	c.retention = sf.retention.settings()
	if changed, err := c.archive.Disposition().RecordSchedule(va.WithActor(ctx, "system")); err != nil {
		return err
	} else if changed {
		log.Info("retention schedule changed: journaled, and every archived record's retain_until recomputed")
	}
	go follow(ctx, c.archive, c.keys, log)
	if err := sf.startBackups(ctx, c, log); err != nil {
		return err
	}
	jobs := c.jobs(log)
	jobs.Start(ctx)
	// Deferred after c.Close, so run before it: the last checkpoint is
	// Close's, once no job can append any more.
	defer jobs.Stop()
	// The extraction of attachments' text: stopped before the index and
	// the store close, its jobs in flight back in the queue.
	extraction, extractDetail, err := startExtraction(ctx, c, sf.data, log)
	if err != nil {
		return err
	}
	defer extraction.Stop()
	if c.mailer != nil {
		log.Info("mailing notifications", "smtp", c.mailer.Addr)
	} else {
		log.Info("mail notifications are off: no SMTP server is configured")
	}
	src, err := auditSources(c, sf, "", "")
	if err != nil {
		return err
	}
	cfg := server.Config{Archive: c.archive, Logger: log, Collectors: []prometheus.Collector{jobs, c.fixity},
		Attachments: c.attachments, ReadyDetail: extractDetail, Audit: &src}
	if c.backups != nil {
		cfg.Backups, cfg.Collectors = c.backups, append(cfg.Collectors, c.backups.Collectors()...)
	}
	if c.index != nil {
		cfg.Collectors = append(cfg.Collectors, c.index.Collectors()...)
	}
	srv := server.New(cfg)
	// Listen before serving, so that a signal that comes at once still
	// finds a server to shut down.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("visitarchive serving", "addr", *addr, "storage", sf.storage, "data", sf.data)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// firstAdmin creates the first sysadmin on a new archive and prints its
// password once, to stdout and never to the log.
func firstAdmin(ctx context.Context, a *va.Archive, stdout io.Writer) error {
	given := os.Getenv("VISITARCHIVE_ADMIN_PASSWORD")
	pw, created, err := a.Accounts().EnsureAdmin(ctx, given)
	if err != nil {
		return fmt.Errorf("create the first administrator: %w", err)
	}
	switch {
	case created && given != "":
		fmt.Fprintln(stdout, "Created the first administrator \"admin\" with the password in VISITARCHIVE_ADMIN_PASSWORD.")
	case created:
		fmt.Fprintf(stdout, "Created the first administrator \"admin\". Its password, shown only this once:\n\n    %s\n\nSign in and change it (PUT /api/v1/auth/password), or set another with 'visitarchive user passwd admin'.\n", pw)
	}
	return nil
}

// logProgress logs the progress of an index rebuild every few seconds.
func logProgress(log *slog.Logger) func(done, total int) {
	last := time.Now()
	return func(done, total int) {
		if time.Since(last) > 2*time.Second || done == total {
			log.Info("rebuilding index", "done", done, "total", total)
			last = time.Now()
		}
	}
}

// follow keeps the index up with the journal until ctx ends, and says so
// when the key file has become unreadable.
func follow(ctx context.Context, a *va.Archive, keys *keyring.Live, log *slog.Logger) {
	t := time.NewTicker(followInterval)
	defer t.Stop()
	var keyErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.SyncIndex(ctx); err != nil && ctx.Err() == nil {
				log.Error("index follow", "err", err)
			}
			if msg := errText(keys.Err()); msg != keyErr {
				keyErr = msg
				if msg != "" {
					log.Error("the key file cannot be read again; the keys loaded before stay in use", "err", msg)
				}
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
