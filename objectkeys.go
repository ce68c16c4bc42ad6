package visitarchive

import (
	"fmt"
	"strconv"
	"strings"
)

// Object keys. storage/doc.go documents the whole layout; every key the
// domain writes is built here so that the layout has one home.
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
	RefCodesPrefix    = "refcodes/"
	ArchivingPrefix   = "archiving/"
	NoticesPrefix     = "notices/"
	IntentsPrefix     = "intents/"
)

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
		if !found || !found2 || len(num) != 10 || !ValidID(id) {
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
