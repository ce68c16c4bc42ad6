package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/visitarchive/visitarchive"
)

// TestDestructionRegisterAPI destroys an archived record and reads its
// register as each role may: JSON, the printable page, the Excel sheet;
// the record itself is gone from the API.
func TestDestructionRegisterAPI(t *testing.T) {
	ts, _, r, _ := paperServer(t)
	reg, err := ts.Archive.DestroyRecords(visitarchive.WithActor(t.Context(), "system"), visitarchive.Destruction{
		ID: "D1", List: "AL-1", Reason: "保管期满", Approver: "max", Witnesses: []visitarchive.UserName{"aud", "ann"},
		Records: []visitarchive.RecordID{r.ID}})
	if err != nil {
		t.Fatal(err)
	}
	ts.callAs("aud", "GET", "/api/v1/records/"+string(r.ID), "").want(t, http.StatusNotFound)
	for _, who := range []string{"aud", "ann", "max"} {
		var list destructionList
		ts.callAs(who, "GET", "/api/v1/destructions", "").want(t, http.StatusOK).decode(t, &list)
		if len(list.Destructions) != 1 || !list.Destructions[0].Done {
			t.Errorf("%s lists %+v", who, list)
		}
	}
	for _, who := range []string{"alice", "sam", "root"} {
		ts.callAs(who, "GET", "/api/v1/destructions/D1/register", "").want(t, http.StatusForbidden)
	}
	ts.callAs("aud", "GET", "/api/v1/destructions/D2/register", "").want(t, http.StatusNotFound)
	ts.callAs("aud", "GET", "/api/v1/destructions/D1/register?format=pdf", "").want(t, 422)
	var got visitarchive.DestructionRegister
	ts.callAs("aud", "GET", "/api/v1/destructions/D1/register", "").want(t, http.StatusOK).decode(t, &got)
	if len(got.Entries) != 1 || got.Entries[0].ReferenceCode != reg.Entries[0].ReferenceCode || got.Entries[0].ReferenceCode == "" {
		t.Errorf("register = %+v", got)
	}
	page := string(ts.callAs("max", "GET", "/api/v1/destructions/D1/register?format=html", "").want(t, http.StatusOK).body)
	for _, want := range []string{"档案销毁清册", "监销人", "aud、ann", reg.Entries[0].ReferenceCode, reg.Entries[0].Title()} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	res := ts.callAs("ann", "GET", "/api/v1/destructions/D1/register?format=xlsx", "").want(t, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("销毁清册")
	if err != nil || len(rows) < 10 || rows[len(rows)-1][1] != reg.Entries[0].ReferenceCode || rows[len(rows)-2][0] != "序号" {
		t.Errorf("sheet rows = %q, %v", rows, err)
	}
}
