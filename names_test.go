package visitarchive_test

import (
	"slices"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// TestImportTakesTheCustomersName: a line under another name than its
// customer's is rejected; one without a name gets the customer's.
func TestImportTakesTheCustomersName(t *testing.T) {
	e := newEnv(t)
	lines := strings.Join([]string{
		`{"customer":{"id":"C1","name":"Acme","customer_type":"key"}}`,
		`{"record":{"id":"R1","customer_id":"C1","customer_name":"Beta Ltd","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z"}}`,
		`{"record":{"id":"R2","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z"}}`,
		`{"record":{"id":"R3","customer_id":"C1","customer_name":"Acme","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z"}}`,
	}, "\n")
	rep, err := e.Archive.Import(as(t, "carol"), strings.NewReader(lines), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 2 || !slices.Equal(fieldsOf(rep.Rejected[0].Error), []string{"customer_name"}) {
		t.Fatalf("import: %+v", rep)
	}
	for _, id := range []string{"R2", "R3"} {
		r, err := e.Archive.GetRecord(as(t, "auditor"), va.RecordID(id))
		if err != nil || r.CustomerName != "Acme" {
			t.Errorf("record %s: %v, %v", id, r, err)
		}
	}
}
