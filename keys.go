package visitarchive

import (
	"fmt"
	"strconv"
	"strings"
)

// Object keys. storage/doc.go documents the whole layout; every key the
// domain writes is built here so that the layout has one home.
const (
	CustomersPrefix = "customers/"
	RecordsPrefix   = "records/"
)

// CustomerKey is the key of version v of customer id.
func CustomerKey(id CustomerID, v int) string {
	return fmt.Sprintf("%s%s/%010d.json", CustomersPrefix, id, v)
}

// RecordKey is the key of version v of record id.
func RecordKey(id RecordID, v int) string {
	return fmt.Sprintf("%s%s/%010d.json", RecordsPrefix, id, v)
}

// ParseVersionKey splits a customer or record key into its prefix ("records/"
// or "customers/"), id and version. ok is false for any other key.
func ParseVersionKey(key string) (prefix, id string, version int, ok bool) {
	for _, p := range []string{RecordsPrefix, CustomersPrefix} {
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
