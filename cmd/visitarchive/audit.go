package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/schollz/progressbar/v3"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/audit"
)

// runAudit is `visitarchive audit`: the four-property audit (四性检测) of
// DA/T 70-2018, written as JSON, a printable HTML page or an Excel
// workbook. It exits 1 when a check failed, so that a schedule notices.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("audit", stderr)
	format := fs.String("format", "json", "format of the report: json, html (printable) or xlsx (Excel)")
	out := fs.String("out", "", "file to write the report to (default: standard output)")
	from := fs.String("from", "", "start of the period of the access-log check: a date (2026-01-01) in the company's time zone or RFC 3339 (default: the start of the journal)")
	to := fs.String("to", "", "end of that period, exclusive (default: the end of the journal)")
	actor := fs.String("actor", env("VISITARCHIVE_ACTOR", "operator"), "user name the audit runs as (VISITARCHIVE_ACTOR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !slices.Contains(audit.Formats, *format) {
		return fmt.Errorf("--format must be json, html or xlsx, not %q", *format)
	}
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	src, err := auditSources(c, sf, *from, *to)
	if err != nil {
		return err
	}
	bar := auditProgress(stderr)
	src.Progress = func(stage string, done, _ int) { bar.Describe(stage); bar.Set(done) }
	rep, err := audit.Run(va.WithActor(ctx, va.UserName(*actor)), src)
	bar.Finish()
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	if err := writeAudit(rep, *format, *out, stdout, c.archive.Location()); err != nil {
		return err
	}
	printAuditSummary(stderr, rep)
	if rep.Result == audit.Fail {
		return errFailed
	}
	return nil
}

// auditSources are what the audit reads in c: the index only when this
// process holds it (a running server holds it otherwise, and its
// report is GET /api/v1/audit/report).
func auditSources(c *components, sf *storeFlags, from, to string) (audit.Sources, error) {
	src := audit.Sources{Archive: c.archive, Store: c.store, KeyFile: sf.keyPath()}
	if c.index != nil {
		src.Index, src.IndexDir = c.index, sf.indexDir()
	}
	var err error
	loc := c.archive.Location()
	if src.From, err = parseWhen("--from", from, loc); err != nil {
		return src, err
	}
	src.To, err = parseWhen("--to", to, loc)
	return src, err
}

// parseWhen reads a date in loc or an RFC 3339 time; "" is the zero time.
func parseWhen(flag, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, fmt.Errorf("%s %q: want a date such as 2026-01-01 or an RFC 3339 time", flag, v)
	}
	return t, nil
}

// auditProgress is the bar that shows the stage of the audit and how
// far it is.
func auditProgress(stderr io.Writer) *progressbar.ProgressBar {
	return progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond), noSpinner)
}

// noSpinner keeps off the spinner of a bar without a known end: the
// progressbar library turns it from a goroutine of its own that reads the
// bar's state without the bar's lock, a data race that the race detector
// caught while verify ran in TestKillNineDuringDestructionOnMinIO.
var noSpinner = progressbar.OptionSetSpinnerChangeInterval(0)

func writeAudit(rep *audit.Report, format, path string, stdout io.Writer, loc *time.Location) error {
	if path == "" {
		return audit.Write(stdout, rep, format, loc)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := audit.Write(f, rep, format, loc); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printAuditSummary(w io.Writer, rep *audit.Report) {
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "%-4s %-26s %d checked, %d finding(s)\n", c.Result, c.ID, c.Checked, len(c.Findings))
	}
	fmt.Fprintf(w, "four-property audit: %s (%d journal entries, %d objects hashed, %d records)\n",
		rep.Result, rep.Entries, rep.Objects, rep.Records)
}
