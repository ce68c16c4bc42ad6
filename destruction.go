package visitarchive

import (
	"context"
	"time"
)

// Destruction (销毁) ends the life of archived records whose period is up
// (DESIGN §1, process 8): an appraisal list approved by a manager is
// executed in front of two witnesses (监销人), every object of its records
// is removed and their data keys destroyed, and a register (销毁清册) of
// what was destroyed is kept for good. Archive.DestroyRecords is the
// primitive that does the removing; the appraisal, its approval and the
// witnesses' confirmation are checked by its caller.

// Destruction names one execution of an approved list: what is destroyed,
// why, and who approved and witnessed it.
type Destruction struct {
	ID        string     `json:"id"`        // ValidID; one register per id
	List      string     `json:"list"`      // the approved appraisal list it executes
	Reason    string     `json:"reason"`    // why, as the list says
	Approver  UserName   `json:"approver"`  // the manager who approved the list
	Witnesses []UserName `json:"witnesses"` // the two witnesses (监销人)
	Records   []RecordID `json:"records"`
	// Reasons holds the appraisal reason of each record, if any; Notes
	// its remark (备注).
	Reasons map[RecordID]string `json:"reasons,omitempty"`
	Notes   map[RecordID]string `json:"notes,omitempty"`
}

// DestructionRegister is the register (销毁清册) of one executed
// destruction. It holds only what identifies the records (title, year,
// reference code, period), never their content; it is never destroyed.
type DestructionRegister struct {
	ID        string          `json:"id"`
	List      string          `json:"list"`
	Reason    string          `json:"reason"`
	Approver  UserName        `json:"approver"`
	Witnesses []UserName      `json:"witnesses"`
	By        UserName        `json:"by"`    // who executed it
	Begun     time.Time       `json:"begun"` // when its intent was journaled
	Ended     time.Time       `json:"ended,omitzero"`
	Entries   []RegisterEntry `json:"entries"`
}

// RegisterEntry is one line of a register: one destroyed record.
type RegisterEntry struct {
	Seq           int       `json:"seq"` // 序号, from 1
	Record        RecordID  `json:"record"`
	CustomerName  string    `json:"customer_name"`
	Topic         string    `json:"topic"`          // with CustomerName, the 题名
	Year          int       `json:"year"`           // 年度, of the visit
	ReferenceCode string    `json:"reference_code"` // 档号
	Retention     Retention `json:"retention"`      // 应保管期限
	ArchivedAt    time.Time `json:"archived_at,omitzero"`
	Objects       int       `json:"objects"`          // 件数: the stored objects destroyed
	Note          string    `json:"note,omitempty"`   // 备注
	Reason        string    `json:"reason,omitempty"` // the appraisal reason
}

// Title is the 题名 of e: the customer and the topic.
func (e RegisterEntry) Title() string {
	switch {
	case e.CustomerName == "":
		return e.Topic
	case e.Topic == "":
		return e.CustomerName
	}
	return e.CustomerName + "：" + e.Topic
}

// DestructionSummary is one destruction in a list of them.
type DestructionSummary struct {
	ID      string    `json:"id"`
	List    string    `json:"list"`
	Records int       `json:"records"`
	Begun   time.Time `json:"begun"`
	Ended   time.Time `json:"ended,omitzero"`
	Done    bool      `json:"done"` // false while it is being executed or waits to be resumed
	// Problem says why this process could not complete it when it last
	// tried (a store's object lock placed after it began); empty otherwise.
	Problem string `json:"problem,omitempty"`
}

// The journal actions of a destruction: its intent, each removal, its end
// (which journals the register).
const (
	ActionDestructionBegin  = "destruction.begin"
	ActionDestructionRemove = "destruction.remove"
	ActionDestructionEnd    = "destruction.end"
)

// RetentionEnd returns when a record of visit year year kept for period
// may be appraised for destruction: 1 January of the year after the visit
// year plus the period, in loc (D10 of 2014: 2025-01-01). A permanent
// period (Y) never ends: ok is false. Records carry it as their
// retain_until; WORM retention (LockingStore) runs until it.
func RetentionEnd(year int, period Retention, loc *time.Location) (end time.Time, ok bool) {
	var years int
	switch period {
	case RetainD10:
		years = 10
	case RetainD30:
		years = 30
	default:
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(year+1+years, time.January, 1, 0, 0, 0, 0, loc), true
}

// PermanentRetention is the WORM retention given to the objects of a
// permanent record: S3 retention needs a date, and this one outlives the
// system.
var PermanentRetention = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)

// ObjectLock is the WORM state of one stored object.
type ObjectLock struct {
	Mode      string    // "GOVERNANCE" or "COMPLIANCE"; "" when none
	Until     time.Time // the retention; zero when none
	LegalHold bool
}

// Locked reports whether l keeps its object from deletion at now.
func (l ObjectLock) Locked(now time.Time) bool { return l.LegalHold || l.Until.After(now) }

// LockingStore is a Store that keeps objects from deletion (WORM): S3
// object lock. The s3 backend on a bucket with object lock implements it;
// the disk backend does not, and is not WORM.
type LockingStore interface {
	Store

	// SetRetention keeps key from deletion until until, in the store's
	// configured mode. A retention is only ever extended: an earlier
	// until than the one in force leaves it as it is. A missing key is
	// NotFound.
	SetRetention(ctx context.Context, key string, until time.Time) error

	// SetLegalHold places (on) or releases the legal hold of key, which
	// keeps it from deletion whatever its retention. A missing key is
	// NotFound.
	SetLegalHold(ctx context.Context, key string, on bool) error

	// Lock returns the retention and legal hold of key. A missing key is
	// NotFound.
	Lock(ctx context.Context, key string) (ObjectLock, error)
}
