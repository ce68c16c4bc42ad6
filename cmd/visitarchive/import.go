package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	va "github.com/visitarchive/visitarchive"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := newFlags("import", stderr)
	actor := fs.String("actor", env("VISITARCHIVE_ACTOR", os.Getenv("USER")), "user name recorded as the importer (VISITARCHIVE_ACTOR)")
	fs.DurationVar(&sf.importDeadline, "batch-deadline", va.DefaultImportDeadline,
		"how long one batch of the import may take to write and journal; the objects of a batch cut off by a crash are removed, and a re-run may start, once twice as long has passed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: visitarchive import [flags] FILE.jsonl")
	}
	if !va.ValidUserName(*actor) {
		return fmt.Errorf("--actor %q is not a valid user name", *actor)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	sf.bulkIndex = true
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	bar := newBytesBar(st.Size(), "importing", stderr)
	start := time.Now()
	rep, err := c.archive.Import(va.WithActor(ctx, va.UserName(*actor)), io.TeeReader(f, bar), nil)
	bar.Finish()
	fmt.Fprintln(stderr)
	if rep != nil {
		printReport(stdout, rep, time.Since(start))
	}
	if err != nil {
		return err
	}
	if len(rep.Rejected) > 0 {
		return errFailed
	}
	return nil
}

func printReport(w io.Writer, rep *va.ImportReport, took time.Duration) {
	for _, r := range rep.Rejected {
		fmt.Fprintf(w, "line %d: rejected: %v\n", r.Line, describe(r.Error))
	}
	n := rep.Customers + rep.Records
	fmt.Fprintf(w, "imported %d customers and %d records in %s (%.0f/s); rejected %d line(s)\n",
		rep.Customers, rep.Records, took.Round(time.Millisecond), float64(n)/took.Seconds(), len(rep.Rejected))
}

// describe renders an import error with its field messages.
func describe(err error) string {
	s := va.ErrorMessage(err)
	for _, f := range va.ErrorFields(err) {
		s += fmt.Sprintf("; %s %s", f.Field, f.Message)
	}
	return s
}
