package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
)

// retentionFlags configure the disposition jobs of serve.
type retentionFlags struct {
	appraisalEvery, housekeepingEvery, readNoticeAge, reservationAge time.Duration
	// fixityEvery is how often serve checks every object against the
	// journal (audit.Fixity).
	fixityEvery time.Duration
}

func (f *retentionFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.appraisalEvery, "appraisal-every", envDuration("VISITARCHIVE_APPRAISAL_EVERY", retention.DefaultAppraisalEvery), "how often serve runs a retention pass, putting due records on appraisal lists (VISITARCHIVE_APPRAISAL_EVERY)")
	fs.DurationVar(&f.housekeepingEvery, "housekeeping-every", envDuration("VISITARCHIVE_HOUSEKEEPING_EVERY", 24*time.Hour), "how often serve removes old read notifications and abandoned archiving reservations (VISITARCHIVE_HOUSEKEEPING_EVERY)")
	fs.DurationVar(&f.fixityEvery, "fixity-every", envDuration("VISITARCHIVE_FIXITY_EVERY", retention.DefaultFixityEvery), "how often serve re-reads every object and checks its SHA-256 against the journal, keeping the result for auditors (VISITARCHIVE_FIXITY_EVERY)")
	fs.DurationVar(&f.readNoticeAge, "read-notice-age", envDuration("VISITARCHIVE_READ_NOTICE_AGE", va.DefaultReadNotificationAge), "age past which read notifications are removed (VISITARCHIVE_READ_NOTICE_AGE)")
	fs.DurationVar(&f.reservationAge, "reservation-age", envDuration("VISITARCHIVE_RESERVATION_AGE", va.DefaultReservationAge), "age past which an archiving reservation that no archived version used is removed (VISITARCHIVE_RESERVATION_AGE)")
}

// retentionSettings are what the jobs take.
type retentionSettings struct {
	AppraisalEvery time.Duration
	FixityEvery    time.Duration
	Housekeeping   retention.HousekeepingConfig
}

func (f *retentionFlags) settings() retentionSettings {
	return retentionSettings{AppraisalEvery: f.appraisalEvery, FixityEvery: f.fixityEvery, Housekeeping: retention.HousekeepingConfig{
		Every: f.housekeepingEvery, ReadNotices: f.readNoticeAge, Reservations: f.reservationAge}}
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

// runRetention is `visitarchive retention run|list`: one retention pass
// (the schedule journaled if it changed, then the due records onto
// appraisal lists; nothing is destroyed), or the appraisal lists.
func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "run" && args[0] != "list") {
		fmt.Fprintln(stderr, "usage: visitarchive retention run|list [flags]")
		return flag.ErrHelp
	}
	sub := args[0]
	fs, sf := newFlags("retention "+sub, stderr)
	actor := fs.String("actor", env("VISITARCHIVE_ACTOR", "operator"), "user name recorded as the one who ran the pass (VISITARCHIVE_ACTOR)")
	state := fs.String("state", "", "list only the lists in this state: draft, submitted, approved, rejected, executed")
	if err := fs.Parse(args[1:]); err != nil {
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
	actx := va.WithActor(ctx, va.UserName(*actor))
	d := c.archive.Disposition()
	if sub == "run" {
		n, err := d.Appraise(actx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d record(s) put on appraisal lists; nothing was destroyed\n", n)
	}
	lists, err := d.Appraisals(actx, va.AppraisalState(*state))
	if err != nil {
		return err
	}
	printAppraisals(stdout, lists)
	return nil
}

func printAppraisals(w io.Writer, lists []*va.Appraisal) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCLASS\tENTRIES\tTO DESTROY\tCOMPILED BY\tAPPROVED BY")
	for _, l := range lists {
		fmt.Fprintf(tw, "%s\t%s\t%s/%s/%d\t%d\t%d\t%s\t%s\n", l.ID, l.State, l.Class.CustomerType,
			l.Class.BusinessArea, l.Class.Year, len(l.Entries), len(l.ToDestroy()), l.CompiledBy, l.ApprovedBy)
	}
	tw.Flush()
}
