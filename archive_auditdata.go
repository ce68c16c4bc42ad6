package visitarchive

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What the four-property audit (package audit) reads of the domain: the
// current version of every record with its sensitive fields opened, the
// claims of reference-code numbers as stored, and the approved plans.
// Each needs the permission to read the journal, which only auditors
// hold (or a trusted actor: the operator's command). Nothing here is
// logged as a read: the audit shows no content, only what is at fault.

// AuditRecord is one record as the audit reads it.
type AuditRecord struct {
	Key          string  // the object key of its current version
	Record       *Record // with its sensitive fields opened
	CustomerType string  // "" when its customer is unknown
	// Missing are the fields its customer type's form requires that are
	// empty, for an archived record; nil otherwise.
	Missing []string
	// Attachments are the metadata keys of its attachments the journal
	// recorded.
	Attachments []string
	// Secrets are the values of its contact phone and e-mail and the
	// names and notes of its decision chain, in plain text, for a search
	// of the raw bytes of the store and the index; never to be shown.
	Secrets []string
}

// AuditRecords returns the current version of every record, by id, but
// those whose object no longer has the SHA-256 the journal recorded: the
// audit's verification of the journal names them.
func (a *Archive) AuditRecords(ctx context.Context) ([]AuditRecord, error) {
	const op = "audit.records"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindJournal}); err != nil {
		return nil, err
	}
	es := a.catalog.currents(RecordsPrefix)
	out := make([]AuditRecord, len(es))
	err := parallel(ctx, len(es), func(i int) error {
		var s storedRecord
		err := readSealed(ctx, a.store, es[i].key, es[i].sum, &s)
		if IsKind(err, Integrity) {
			return nil // altered: the verification of the journal names it
		}
		if err != nil {
			return err
		}
		r, err := a.openRecord(ctx, &s, true)
		if err != nil {
			return fmt.Errorf("audit: open %s: %w", es[i].key, err)
		}
		out[i] = a.auditRecord(es[i].key, r)
		return nil
	})
	return slices.DeleteFunc(out, func(r AuditRecord) bool { return r.Record == nil }), err
}

func (a *Archive) auditRecord(key string, r *Record) AuditRecord {
	ar := AuditRecord{Key: key, Record: r}
	if cu := a.customer(r.CustomerID); cu != nil {
		ar.CustomerType = string(cu.Type)
	}
	if r.Status == StatusArchived {
		for _, f := range a.workflow.required(ar.CustomerType) {
			if fieldEmpty(r, f) {
				ar.Missing = append(ar.Missing, f)
			}
		}
	}
	for _, e := range a.catalog.objects(AttachmentsPrefix + string(r.ID) + "/") {
		if isAttachmentMeta(e.key) {
			ar.Attachments = append(ar.Attachments, e.key)
		}
	}
	ar.Secrets = append(ar.Secrets, r.ContactPhone, r.ContactEmail)
	for _, d := range r.DecisionChain {
		ar.Secrets = append(ar.Secrets, d.Name, d.Notes)
	}
	ar.Secrets = slices.DeleteFunc(ar.Secrets, func(s string) bool { return s == "" })
	return ar
}

// RefClaim is the claim of one number of a reference-code series, as
// stored under RefCodeKey.
type RefClaim struct {
	Key     string   `json:"-"`
	Series  string   `json:"-"`
	Number  int      `json:"-"`
	Code    string   `json:"code"`
	Record  RecordID `json:"record"`
	Version int      `json:"version"`
}

// AuditClaims lists every claim of a reference-code number in the store,
// journaled or not, by key; a claim that cannot be read is an error.
func (a *Archive) AuditClaims(ctx context.Context) ([]RefClaim, error) {
	const op = "audit.claims"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindJournal}); err != nil {
		return nil, err
	}
	var out []RefClaim
	for info, err := range a.store.List(ctx, RefCodesPrefix, "") {
		if err != nil {
			return nil, err
		}
		c := RefClaim{Key: info.Key}
		if _, err := readJSON(ctx, a.store, info.Key, &c); err != nil {
			return nil, err
		}
		c.Series, c.Number = parseRefCodeKey(info.Key)
		out = append(out, c)
	}
	return out, nil
}

// parseRefCodeKey returns the series and number of a claim's key (0 when
// the key is not one).
func parseRefCodeKey(key string) (string, int) {
	rest := strings.TrimPrefix(key, RefCodesPrefix)
	series, file, _ := strings.Cut(rest, "/")
	n, err := strconv.Atoi(strings.TrimSuffix(file, ".json"))
	if err != nil {
		return series, 0
	}
	return series, n
}

// refCodePattern is the form of a reference code:
// <fonds>-KF·<year>-<period>-<area>-<number>.
var refCodePattern = regexp.MustCompile(`^([A-Z0-9]{1,12})-KF·(\d{4})-(D10|D30|Y)-([A-Z0-9]{1,12})-(\d{4,})$`)

// ParseRefCode splits a reference code into the series its number was
// claimed in (as in RefCodeKey) and the number; ok is false when code is
// not well formed.
func ParseRefCode(code string) (series string, n int, ok bool) {
	m := refCodePattern.FindStringSubmatch(code)
	if m == nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(m[5])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return fmt.Sprintf("%s-KF-%s-%s-%s", m[1], m[2], m[3], m[4]), n, true
}

// AuditPlan is an approved plan whose visit has ended, and whether its
// supervisors were told that it has no record (RemindUnrecordedPlans).
type AuditPlan struct {
	Plan *Plan
	Told bool
}

// AuditEndedPlans returns the approved plans whose visit ended before now.
func (a *Archive) AuditEndedPlans(ctx context.Context, now time.Time) ([]AuditPlan, error) {
	const op = "audit.plans"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindJournal}); err != nil {
		return nil, err
	}
	var out []AuditPlan
	for _, p := range a.plans.all() {
		if p.Status == StatusApproved && !p.VisitEnd.IsZero() && p.VisitEnd.Before(now) {
			out = append(out, AuditPlan{Plan: p, Told: a.noticeDone(PlanRecordMissingKey(p.ID, p.Revision))})
		}
	}
	return out, nil
}

// FilingPeriod is how long after a visit its record is due.
func (a *Archive) FilingPeriod() time.Duration { return a.workflow.FilingPeriod }

// AuditAttachmentHead returns the media type the attachment whose
// metadata is at key was stored with, and up to n bytes of the start of
// its content, decrypted, for the audit to see that it opens. It is not
// logged as a read: the audit shows no content.
func (a *Archive) AuditAttachmentHead(ctx context.Context, key string, n int64) (string, []byte, error) {
	const op = "audit.attachment"
	if err := a.allow(ctx, op, PermRead, Resource{Kind: KindJournal}); err != nil {
		return "", nil, err
	}
	rest, _ := strings.CutPrefix(key, AttachmentsPrefix)
	rid, file, _ := strings.Cut(rest, "/")
	id := strings.TrimSuffix(file, ".json")
	var stored storedAttachment
	if err := a.readObject(ctx, key, &stored); err != nil {
		return "", nil, err
	}
	dataKey, keyErr := a.dataKey(ctx, RecordDataKeyPrefix(RecordID(rid)))
	att, fk, err := openAttachment(&stored, dataKey, keyErr)
	if err != nil {
		return "", nil, err
	}
	if fk == nil {
		return "", nil, E(op, Gone, nil, "the data key of record %s was destroyed", rid)
	}
	rc, err := a.openSealed(ctx, AttachmentContentKey(RecordID(rid), id), a.files.SealedOffset(0))
	if err != nil {
		return "", nil, err
	}
	defer rc.Close()
	plain, err := a.files.DecryptReader(fk, rc, 0)
	if err != nil {
		return att.MediaType, nil, err
	}
	head, err := io.ReadAll(io.LimitReader(plain, n))
	return att.MediaType, head, err
}
