// Command visitarchive runs the customer-visit archive (客户拜访档案库): the
// server and the operator's commands. It is the one place where concrete
// storage, index and server types are wired together.
//
//	visitarchive serve    [flags]   run the HTTP server
//	visitarchive import   [flags] FILE.jsonl
//	visitarchive import-scans [flags] DIR
//	visitarchive reindex  [flags]   rebuild the search index from the store
//	visitarchive verify   [flags]   check the journal chain and every object
//	visitarchive audit    [--format json|html|xlsx] [--out FILE]
//	                                the four-property audit (四性检测)
//	visitarchive user     add|passwd|disable|enable|roles|list|dept
//	visitarchive keys     init|rotate
//	visitarchive retention run|list  one retention pass; the appraisal lists
//	visitarchive backup   --to TARGET   copy what is new to a backup
//	visitarchive restore  --from TARGET --data NEWDIR | --drill
//
// Every command takes the storage flags; each flag can also be set by the
// environment variable named in its help text. The optional JSON file of
// --config holds the company's time zone, the workflow settings (filing
// period, plan lead time and tolerance, review period, forms, retention
// schedule, fonds and area codes), the SMTP server, the limits of
// attachments and the extraction of their text (workers, limits, where
// PDFs are spooled); the SMTP password comes only from
// VISITARCHIVE_SMTP_PASSWORD.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the company's time zone, also where the system has no zone database

	"github.com/visitarchive/visitarchive/cmd/internal/memlimit"
	"github.com/visitarchive/visitarchive/index/extract"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the HTTP server", runServe},
	{"import", "bulk-import customers and records from a JSON-lines file", runImport},
	{"import-scans", "file a folder of scans: batches split at their cover sheets, the rest into the scan inbox", runImportScans},
	{"reindex", "rebuild the search index from the store", runReindex},
	{"verify", "check the journal chain and the hash of every object", runVerify},
	{"audit", "the four-property audit (四性检测): a report as JSON, HTML or Excel", runAudit},
	{"user", "manage users and departments", runUser},
	{"keys", "create the key file, or rotate the master key", runKeys},
	{"retention", "run a retention pass (due records onto appraisal lists), or list the lists", runRetention},
	{"backup", "copy what the journal recorded since the last backup to a directory or an S3 bucket", runBackup},
	{"restore", "rebuild a store from a backup, or --drill: restore into a temporary place, check and remove it", runRestore},
}

// errFailed makes the process exit 1 after a command already said why.
var errFailed = errors.New("failed")

func main() {
	// The child that reads a PDF's text layer for the server (see
	// index/extract): not in the usage, and under limits of its own.
	if len(os.Args) > 1 && os.Args[1] == extract.ChildCommand {
		os.Exit(extract.ChildMain(os.Args[2:]))
	}
	memlimit.Set()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.Is(err, errFailed):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "visitarchive:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		return flag.ErrHelp
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: visitarchive <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'visitarchive <command> -h' for the flags of a command.")
}
