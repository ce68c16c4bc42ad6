package audit_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/visitarchive/visitarchive/audit"
)

// TestRender renders a report with one finding in each format: each
// names the object at fault, and the page and the workbook are in
// Chinese.
func TestRender(t *testing.T) {
	f := newFixture(t, nil)
	key := plantUntracked(t, f)[0]
	rep := f.audit(t)
	loc := time.FixedZone("CST", 8*3600)
	out := map[string]*bytes.Buffer{}
	for _, format := range audit.Formats {
		out[format] = &bytes.Buffer{}
		if err := audit.Write(out[format], rep, format, loc); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	}
	var back audit.Report
	if err := json.Unmarshal(out["json"].Bytes(), &back); err != nil || back.Result != audit.Fail || len(back.Checks) != len(rep.Checks) {
		t.Errorf("JSON: %v, %+v", err, back)
	}
	page := out["html"].String()
	for _, want := range []string{"电子档案四性检测报告", "DA/T 70-2018", "不通过 fail", key, "安全性 security"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	wb, err := excelize.OpenReader(out["xlsx"])
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("问题清单")
	if err != nil || len(rows) != 2 || rows[1][0] != "security.untracked" || rows[1][1] != key {
		t.Errorf("findings sheet: %v, %v", rows, err)
	}
	if err := audit.Write(&bytes.Buffer{}, rep, "pdf", loc); err == nil {
		t.Error("an unknown format was rendered")
	}
}
