package visitarchive

import (
	"fmt"
	"strconv"
	"strings"
)

// Object keys: the layout of the store, documented here once.
// Every piece of state is an immutable object; a change writes a new object
// and never replaces one. The keys are:
//
//	customers/<id>/<version:010d>.json    one version of a customer, JSON
//	records/<id>/<version:010d>.json      one version of a visit record, JSON
//	users/<name>/<version:010d>.json      one version of a user (with the password hash)
//	departments/<id>/<version:010d>.json  one version of a department
//	datakeys/records/<id>/<v:010d>.json   the data key of a record's sealed fields,
//	datakeys/customers/<id>/<v:010d>.json wrapped by a master key; a new version
//	                                      per master-key rotation; deleted to destroy
//	datakeys/<kind>/<id>/destroyed.json   the mark a destroyed data key leaves
//	sessions/<sha256 of token>.json       one sign-in; deleted at logout or, once expired, within the hour
//	tokens/<user>/<id>.json               one API token (its hash); deleted when revoked
//	plans/<id>/<version:010d>.json        one version of a visit plan
//	inbox/<user>/<id>.json                one notification in a user's inbox
//	inbox/<user>/<id>.read.json           the mark that it was read
//	annotations/<record>/<id>.json        a correction of an archived record
//	attachments/<record>/<id>.bin         the content of a file attached to a record,
//	                                      encrypted (FileSealer) under a key derived
//	                                      from the record's data key and the file's id
//	attachments/<record>/<id>.json        its metadata: size, media type, uploader,
//	                                      time, with its name and SHA-256 sealed under
//	                                      that key
//	attachments/<record>/<id>.text.<n:04d>.json
//	                                      part n (from 1) of the text extracted
//	                                      from it, pages in order, sealed under
//	                                      that key; written with the job's last
//	                                      version, in one journal entry
//	jobs/<id>/<version:010d>.json         one version of a background job (the
//	                                      extraction of an attachment's text):
//	                                      queued, running (held by one worker
//	                                      until its lease ends), then done,
//	                                      failed or unavailable
//	refcodes/<series>/<number:06d>.json   the claim of one reference-code number:
//	                                      series is <fonds>-KF-<year>-<period>-<area>;
//	                                      journaled as used with the archived version,
//	                                      or as released
//	refcodes/<series>/<number:06d>.<a:03d>.json
//	                                      attempt a at that number, taking it over
//	                                      from an archiving that failed or died
//	archiving/<record>/<version:010d>.json  the reservation of archiving that
//	                                      version to one archivist
//	notices/overdue/<record>.json         the mark that the overdue notice went out
//	notices/plan-record-due/<plan>/<revision>.json
//	                                      the mark that the planner and visitors of an
//	                                      approved plan (at that revision) without a record
//	                                      were reminded, half the filing period after the visit
//	notices/plan-record-missing/<plan>/<revision>.json
//	                                      the mark that its supervisors were told it has no
//	                                      record past the filing deadline
//	notices/review-due/<record>/<version:010d>.json
//	                                      the mark that the reviewers of that submitted
//	                                      version were reminded, after the review period
//	notices/review-overdue/<record>/<version:010d>.json
//	                                      the mark that the reviewers' own supervisor (or the
//	                                      managers) were told, after twice the review period
//	paper/<record>/<version:010d>.json    one version of what is known of a record's paper
//	                                      original: where it is kept, whether it is out on
//	                                      loan; a new version per move, loan and return
//	loans/<record>/<loan>/<v:010d>.json   one version of a loan of that original: 1 when
//	                                      lent, 2 when returned
//	notices/loan-overdue/<record>/<loan>.json
//	                                      the mark that the archivists were told that the
//	                                      loan is overdue
//	scans/<id>/<version:010d>.json        one version of a scan in the scan inbox: size,
//	                                      media type, who added it and when, where it came
//	                                      from, why it is in the inbox, its state (inbox,
//	                                      filed to a record as an attachment, discarded), with
//	                                      its name, SHA-256 and batch sealed under its file key;
//	                                      a new version per change of state
//	scanfiles/<id>.bin                    the content of a scan, encrypted (FileSealer) under
//	                                      a key derived from the scan's data key and its id
//	datakeys/scans/<id>/<v:010d>.json     the data key of a scan, wrapped as a record's is
//	scanparts/<part>/<attachment>.json    the mark that a part of a scanned PDF batch was
//	                                      filed to a record as that attachment: part is a
//	                                      keyed hash of the batch's SHA-256, the part's pages
//	                                      and the record; journaled before the attachment
//	intents/<id>.json                     the intent of an import batch: the objects it is
//	                                      writing and its deadline; removed once journaled,
//	                                      never itself journaled
//	destructions/<id>/intent.json         the intent of a destruction: the records, the
//	                                      objects it removes, the register lines captured
//	                                      before; journaled as destruction.begin
//	destructions/<id>/register.json       its register (销毁清册), journaled as
//	                                      destruction.end; kept for good
//
// Retention and disposition (disposition.go, which declares these keys):
//
//	appraisals/<id>/<version:010d>.json   one version of an appraisal list (鉴定清单):
//	                                      a new version per pass that adds to it,
//	                                      decision, submission, strike, approval,
//	                                      each witness's confirmation (监销: who and
//	                                      when, in "witnesses"), execution (with the
//	                                      destruction it ran)
//	holds/<id>/<version:010d>.json        one version of a legal hold: 1 placed,
//	                                      2 released
//	retentions/<record>/<v:010d>.json     a period put into force for a record by an
//	                                      approved appraisal ("keep"), with its reason;
//	                                      removed with the record by its destruction
//	schedules/retention/<v:010d>.json     a version of the retention schedule in force,
//	                                      journaled when it changes
//
//	backups/<to:020d>.json                the manifest of the backup up to journal entry
//	                                      to (package backup): the same object in the
//	                                      backup's target and here, journaled as backup.done
//	fixity/<id>.json                      the result of one fixity run (fixity.go):
//	                                      objects altered, missing, untracked
//
//	journal/<seq:020d>.json               one hash-chained journal entry
//	checkpoints/<seq:020d>.json           a checkpoint of the journal head
//
// Customers and records hold their sensitive fields sealed (AES-256-GCM
// under their data key) in a "sealed" member, and records the keyed hashes
// of contact phone and e-mail in "blind"; neither is ever returned by the
// API. The master keys live outside the store, in the key file of
// storage/keyring.
//
// Versions and sequence numbers are zero-padded so that the byte order in
// which every backend lists keys is also their numeric order. The journal
// builds its own keys (journal/, checkpoints/) in storage/journal; every
// other key is built here. The rules every key obeys are in package
// storage. A new prefix never nests inside an existing one.
const (
	CustomersPrefix   = "customers/"
	RecordsPrefix     = "records/"
	UsersPrefix       = "users/"
	DepartmentsPrefix = "departments/"
	DataKeysPrefix    = "datakeys/"
	SessionsPrefix    = "sessions/"
	TokensPrefix      = "tokens/"
	PlansPrefix       = "plans/"
	InboxPrefix       = "inbox/"
	AnnotationsPrefix = "annotations/"
	AttachmentsPrefix = "attachments/"
	RefCodesPrefix    = "refcodes/"
	ArchivingPrefix   = "archiving/"
	NoticesPrefix     = "notices/"
	IntentsPrefix     = "intents/"
)

// Paper originals and their loans (paper.go).
const (
	PaperPrefix = "paper/"
	LoansPrefix = "loans/"
)

// PaperKey is the key of version v of the paper original of record id.
func PaperKey(id RecordID, v int) string { return paperKind.key(id, v) }

// LoanKey is the key of version v of loan id of the paper original of
// record rid.
func LoanKey(rid RecordID, id string, v int) string {
	return fmt.Sprintf("%s%010d.json", loanDir(rid, id), v)
}

// loanDir holds the versions of loan id of record rid.
func loanDir(rid RecordID, id string) string { return LoansPrefix + string(rid) + "/" + id + "/" }

// LoanOverdueKey marks that the archivists were told that loan id of the
// paper original of record rid is overdue.
func LoanOverdueKey(rid RecordID, id string) string {
	return NoticesPrefix + "loan-overdue/" + string(rid) + "/" + id + ".json"
}

// Destructions and their registers (destruction.go).
const DestructionsPrefix = "destructions/"

// DestructionIntentKey is the key of the intent of destruction id.
func DestructionIntentKey(id string) string { return DestructionsPrefix + id + "/intent.json" }

// DestructionRegisterKey is the key of the register of destruction id.
func DestructionRegisterKey(id string) string { return DestructionsPrefix + id + "/register.json" }

// The scan inbox (scan.go): the versions of each scan, and the content
// of each, encrypted.
const (
	ScansPrefix     = "scans/"
	ScanFilesPrefix = "scanfiles/"
	ScanPartsPrefix = "scanparts/"
)

// ScanKey is the key of version v of scan id.
func ScanKey(id ScanID, v int) string { return scanKind.key(id, v) }

// ScanContentKey is the key of the encrypted content of scan id.
func ScanContentKey(id ScanID) string { return ScanFilesPrefix + string(id) + ".bin" }

// ScanPartKey is the key of the mark that the part of a batch named part
// was filed as attachment id.
func ScanPartKey(part, id string) string { return ScanPartsPrefix + part + "/" + id + ".json" }

// ScanDataKeyPrefix is where the versions of scan id's data key live.
func ScanDataKeyPrefix(id ScanID) string { return DataKeysPrefix + "scans/" + string(id) + "/" }

// IntentKey is the key of the intent of one import batch.
func IntentKey(id string) string { return IntentsPrefix + id + ".json" }

// PlanKey is the key of version v of plan id.
func PlanKey(id PlanID, v int) string { return planKind.key(id, v) }

// NotificationKey is the key of notification id in the inbox of user to;
// NotificationReadKey marks it read.
func NotificationKey(to UserName, id string) string {
	return InboxPrefix + string(to) + "/" + id + ".json"
}

// NotificationReadKey is the key whose presence marks notification id of
// user to as read.
func NotificationReadKey(to UserName, id string) string {
	return InboxPrefix + string(to) + "/" + id + ".read.json"
}

// AnnotationKey is the key of annotation id of record rid.
func AnnotationKey(rid RecordID, id string) string {
	return AnnotationsPrefix + string(rid) + "/" + id + ".json"
}

// AttachmentContentKey is the key of the encrypted content of attachment
// id of record rid.
func AttachmentContentKey(rid RecordID, id string) string {
	return AttachmentsPrefix + string(rid) + "/" + id + ".bin"
}

// AttachmentKey is the key of the metadata of attachment id of record rid.
func AttachmentKey(rid RecordID, id string) string {
	return AttachmentsPrefix + string(rid) + "/" + id + ".json"
}

// AttachmentTextKey is the key of part n (from 1) of the text extracted
// from attachment id of record rid.
func AttachmentTextKey(rid RecordID, id string, n int) string {
	return fmt.Sprintf("%s%s/%s.text.%04d.json", AttachmentsPrefix, rid, id, n)
}

// Background jobs (job.go): the extraction of attachments' text.
const JobsPrefix = "jobs/"

// JobKey is the key of version v of job id.
func JobKey(id string, v int) string { return jobKind.key(id, v) }

// attachmentTextMark is what the key of a part of an attachment's text
// holds between the attachment's id and the part's number.
const attachmentTextMark = ".text."

// parseAttachmentTextKey splits the key of a part of an attachment's text
// into its record, attachment and part; ok is false for any other key.
func parseAttachmentTextKey(key string) (rid RecordID, id string, n int, ok bool) {
	rest, found := strings.CutPrefix(key, AttachmentsPrefix)
	r, file, found2 := strings.Cut(rest, "/")
	id, part, found3 := strings.Cut(file, attachmentTextMark)
	num, found4 := strings.CutSuffix(part, ".json")
	if !found || !found2 || !found3 || !found4 || len(num) != 4 || !ValidID(r) || !ValidID(id) {
		return "", "", 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return "", "", 0, false
	}
	return RecordID(r), id, n, true
}

// RefCodeKey is the key that claims number n of a reference-code series.
func RefCodeKey(series string, n int) string {
	return fmt.Sprintf("%s%s/%06d.json", RefCodesPrefix, series, n)
}

// ArchivingKey is the key that reserves archiving version v of record id
// to one archivist.
func ArchivingKey(id RecordID, v int) string {
	return fmt.Sprintf("%s%s/%010d.json", ArchivingPrefix, id, v)
}

// OverdueNoticeKey marks that the overdue notice of record id was sent.
func OverdueNoticeKey(id RecordID) string { return NoticesPrefix + "overdue/" + string(id) + ".json" }

// PlanRecordDueKey marks that the planner and visitors of plan id, at
// revision rev, were reminded to file its record.
func PlanRecordDueKey(id PlanID, rev int) string {
	return NoticesPrefix + "plan-record-due/" + string(id) + "/" + strconv.Itoa(rev) + ".json"
}

// PlanRecordMissingKey marks that the supervisors of plan id, at revision
// rev, were told that it has no record past the filing deadline.
func PlanRecordMissingKey(id PlanID, rev int) string {
	return NoticesPrefix + "plan-record-missing/" + string(id) + "/" + strconv.Itoa(rev) + ".json"
}

// ReviewDueKey marks that the reviewers of version v of record id, a
// submission, were reminded to review it.
func ReviewDueKey(id RecordID, v int) string {
	return fmt.Sprintf("%sreview-due/%s/%010d.json", NoticesPrefix, id, v)
}

// ReviewOverdueKey marks that the supervisor of the reviewers of version
// v of record id (or the managers) were told that its review is overdue.
func ReviewOverdueKey(id RecordID, v int) string {
	return fmt.Sprintf("%sreview-overdue/%s/%010d.json", NoticesPrefix, id, v)
}

// RecordDataKeyPrefix is where the versions of record id's data key live.
func RecordDataKeyPrefix(id RecordID) string { return DataKeysPrefix + "records/" + string(id) + "/" }

// CustomerDataKeyPrefix is where the versions of customer id's data key
// live.
func CustomerDataKeyPrefix(id CustomerID) string {
	return DataKeysPrefix + "customers/" + string(id) + "/"
}

// UserKey is the key of version v of user name.
func UserKey(name UserName, v int) string { return userKind.key(name, v) }

// DepartmentKey is the key of version v of department id.
func DepartmentKey(id DepartmentID, v int) string { return departmentKind.key(id, v) }

// SessionKey is the key of the session whose token hashes to hash.
func SessionKey(hash string) string { return SessionsPrefix + hash + ".json" }

// TokenKey is the key of API token id of user name.
func TokenKey(name UserName, id string) string {
	return TokensPrefix + string(name) + "/" + id + ".json"
}

// CustomerKey is the key of version v of customer id.
func CustomerKey(id CustomerID, v int) string { return customerKind.key(id, v) }

// RecordKey is the key of version v of record id.
func RecordKey(id RecordID, v int) string { return recordKind.key(id, v) }

// ParseVersionKey splits the key of a versioned object (a record, plan,
// customer, user or department) into its prefix ("records/", …), id and
// version. ok is false for any other key.
func ParseVersionKey(key string) (prefix, id string, version int, ok bool) {
	for _, p := range []string{RecordsPrefix, PlansPrefix, CustomersPrefix, UsersPrefix, DepartmentsPrefix} {
		rest, found := strings.CutPrefix(key, p)
		if !found {
			continue
		}
		id, file, found := strings.Cut(rest, "/")
		num, found2 := strings.CutSuffix(file, ".json")
		valid := ValidID
		if p == UsersPrefix {
			valid = ValidUserName
		}
		if !found || !found2 || len(num) != 10 || !valid(id) {
			return "", "", 0, false
		}
		v, err := strconv.Atoi(num)
		if err != nil || v < 1 {
			return "", "", 0, false
		}
		return p, id, v, true
	}
	return "", "", 0, false
}
