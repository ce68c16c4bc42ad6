package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	va "github.com/visitarchive/visitarchive"
)

func (r *run) checkChain(context.Context) (int, []Finding, error) {
	return int(r.chain.Entries), r.chainFindings(va.ProblemJournal), nil
}

func (r *run) checkHashes(context.Context) (int, []Finding, error) {
	return int(r.chain.Objects), r.chainFindings(va.ProblemAltered), nil
}

// checkRefCodes checks the reference code of every archived record: well
// formed, and its year and period those of its class.
func (r *run) checkRefCodes(context.Context) (int, []Finding, error) {
	n, out := r.eachArchived(func(ar va.AuditRecord) string { return refCodeProblem(ar.Record) })
	return n, out, nil
}

func refCodeProblem(rec *va.Record) string {
	code := rec.ReferenceCode
	series, _, ok := va.ParseRefCode(code)
	switch {
	case code == "":
		return "archived without a reference code"
	case !ok:
		return fmt.Sprintf("reference code %q is not of the form <fonds>-KF·<year>-<period>-<area>-<number>", code)
	case rec.Class != nil && !strings.Contains(series, fmt.Sprintf("-KF-%04d-%s-", rec.Class.Year, rec.Retention)):
		return fmt.Sprintf("reference code %s does not match its class (year %d, retention %s)", code, rec.Class.Year, rec.Retention)
	}
	return ""
}

// checkDates checks the times of every record against each other.
func (r *run) checkDates(context.Context) (int, []Finding, error) {
	var out []Finding
	for _, ar := range r.records {
		for _, msg := range dateProblems(ar.Record) {
			out = append(out, recordFinding(ar, msg))
		}
	}
	return len(r.records), out, nil
}

func dateProblems(rec *va.Record) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if !rec.VisitStart.IsZero() && !rec.VisitEnd.IsZero() && !rec.VisitEnd.After(rec.VisitStart) {
		add("visit_end %s is not after visit_start %s", stamp(rec.VisitEnd), stamp(rec.VisitStart))
	}
	if rec.Status == va.StatusArchived {
		switch {
		case rec.ApprovedAt.IsZero():
			add("archived without approved_at")
		case rec.ArchivedAt.Before(rec.ApprovedAt):
			add("archived_at %s is before approved_at %s", stamp(rec.ArchivedAt), stamp(rec.ApprovedAt))
		}
	}
	if !rec.ApprovedAt.IsZero() && !rec.SubmittedAt.IsZero() && rec.ApprovedAt.Before(rec.SubmittedAt) {
		add("approved_at %s is before submitted_at %s", stamp(rec.ApprovedAt), stamp(rec.SubmittedAt))
	}
	if !rec.SubmittedAt.IsZero() && !rec.DueAt.IsZero() {
		if late := rec.SubmittedAt.After(rec.DueAt); late != rec.Late {
			add("late is %t, but it was submitted %s against a deadline of %s", rec.Late, stamp(rec.SubmittedAt), stamp(rec.DueAt))
		}
	}
	return out
}

func stamp(t time.Time) string { return t.Format(time.RFC3339) }

func recordFinding(ar va.AuditRecord, detail string) Finding {
	return Finding{Object: ar.Key, Record: string(ar.Record.ID), Detail: detail}
}

// recordOf returns the record an object key belongs to, if any.
func recordOf(key string) string {
	for _, p := range []string{va.RecordsPrefix, va.AttachmentsPrefix, va.AnnotationsPrefix, va.PaperPrefix,
		va.RecordDataKeyPrefix("")} {
		if rest, ok := strings.CutPrefix(key, p); ok {
			id, _, _ := strings.Cut(rest, "/")
			return id
		}
	}
	return ""
}
