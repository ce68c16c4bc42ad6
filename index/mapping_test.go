package index

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/mapping.v*.json")

// The mapping of each SchemaVersion is kept in testdata. A change to the
// mapping without a new SchemaVersion would leave old indexes answering
// with the old mapping (Bleve keeps the mapping it was created with), so
// this test fails until the version is bumped: then run with -update.
// Changes to the analysis code (hanGap, foldWidth) need a bump too; this
// test cannot see them.
func TestMappingMatchesSchemaVersion(t *testing.T) {
	got, err := json.MarshalIndent(NewMapping(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := fmt.Sprintf("testdata/mapping.v%d.json", SchemaVersion)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v: a new SchemaVersion? run go test -run TestMappingMatchesSchemaVersion -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the mapping differs from %s: bump SchemaVersion, then run with -update\n%s", golden, got)
	}
}
