package main

import (
	"strings"
	"testing"
)

// retention run journals the schedule, lists nothing on a store without
// archived records, and verify still passes; list shows the lists.
func TestRetentionRunAndList(t *testing.T) {
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	out, err := cli(t, "retention", "run", "--data", data)
	if err != nil || !strings.Contains(out, "0 record(s) put on appraisal lists; nothing was destroyed") || !strings.Contains(out, "COMPILED BY") {
		t.Fatalf("retention run: %v\n%s", err, out)
	}
	if out, err := cli(t, "retention", "list", "--data", data, "--state", "draft"); err != nil || !strings.Contains(out, "STATE") {
		t.Errorf("retention list: %v\n%s", err, out)
	}
	if out, err := cli(t, "verify", "--data", data); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify after a pass: %v\n%s", err, out)
	}
	if _, err := cli(t, "retention", "destroy", "--data", data); err == nil {
		t.Error("an unknown subcommand passed")
	}
}
