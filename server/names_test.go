package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// TestCustomerNameComesFromTheCustomer: the customer_name of a record or
// plan is its customer's; another one sent is 422 naming the field, and
// nothing is stored.
func TestCustomerNameComesFromTheCustomer(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	const acme = "Acme 贸易有限公司"
	withName := func(name string) func(map[string]any) {
		return func(m map[string]any) { m["customer_name"] = name }
	}
	start := "2026-03-01T09:00:00+08:00"

	for _, res := range []*result{
		ts.call("POST", "/api/v1/records", form(t, "acme", start, withName("Beta GmbH"))),
		ts.call("POST", "/api/v1/plans", planBody(t, "acme", start, withName("Beta GmbH"))),
	} {
		e := res.wantError(t, http.StatusUnprocessableEntity, "invalid").apiError(t)
		if len(e.Fields) != 1 || e.Fields[0].Field != "customer_name" || !strings.Contains(e.Fields[0].Message, acme) {
			t.Errorf("a record or plan under another customer's name: %+v", e)
		}
	}
	if n := ts.recordCount(); n != 0 {
		t.Fatalf("%d records stored", n)
	}

	// Left out, or the customer's own name: the customer's name.
	r := ts.createRecord(form(t, "acme", start))
	same := ts.createRecord(form(t, "acme", start, withName(acme)))
	var p visitarchive.Plan
	ts.call("POST", "/api/v1/plans", planBody(t, "acme", start)).want(t, http.StatusCreated).decode(t, &p)
	for _, got := range []string{r.CustomerName, same.CustomerName, p.CustomerName} {
		if got != acme {
			t.Errorf("customer_name %q, want %q", got, acme)
		}
	}

	path := "/api/v1/records/" + string(r.ID)
	ts.call("PATCH", path, `{"customer_name":"Beta GmbH"}`, "If-Match", "1").wantError(t, http.StatusUnprocessableEntity, "invalid")
	ts.call("PATCH", "/api/v1/plans/"+string(p.ID), `{"customer_name":"Beta GmbH"}`, "If-Match", "1").
		wantError(t, http.StatusUnprocessableEntity, "invalid")

	// A renamed customer: the visit keeps the name it was filed under,
	// and a PUT may send it back.
	ts.call("PATCH", "/api/v1/customers/acme", `{"name":"Acme GmbH"}`, "If-Match", "1").want(t, http.StatusOK)
	var got visitarchive.Record
	ts.call("PATCH", path, `{"topic":"Follow-up"}`, "If-Match", "1").want(t, http.StatusOK).decode(t, &got)
	if got.CustomerName != acme {
		t.Errorf("after the customer's rename, the record's name is %q, want %q", got.CustomerName, acme)
	}
	// Another customer: its name, also when the old one comes back.
	ts.call("PATCH", path, `{"customer_id":"beta"}`, "If-Match", "2").want(t, http.StatusOK).decode(t, &got)
	if got.CustomerName != "Beta GmbH" {
		t.Errorf("after moving the record to beta, its name is %q, want Beta GmbH", got.CustomerName)
	}
	ts.call("PATCH", path, `{"customer_id":"acme","customer_name":"`+acme+`"}`, "If-Match", "3").
		wantError(t, http.StatusUnprocessableEntity, "invalid")
}

// TestCustomerFilterTakesAnID: customer= takes an id; a name there is
// 422 saying how to search by name, and customer_name= finds the exact
// name on the records.
func TestCustomerFilterTakesAnID(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	r := ts.createRecord(recordJSON("acme", "Kick-off", "2026-03-01T09:00:00+08:00"))

	// aud, an auditor, may search, list, export and list plans.
	for _, path := range []string{"/api/v1/search", "/api/v1/records", "/api/v1/export/records", "/api/v1/plans"} {
		for _, v := range []string{"Acme 贸易有限公司", "Acme", "nobody"} {
			res := ts.callAs("aud", "GET", path+"?customer="+url.QueryEscape(v), "").wantError(t, http.StatusUnprocessableEntity, "invalid")
			e := res.apiError(t)
			if !strings.Contains(e.Message, "customer_name") || !strings.Contains(e.Message, " q") {
				t.Errorf("%s?customer=%s: %q does not say how to search by name", path, v, e.Message)
			}
			checkError(t, res, "invalid", "customer id", []string{"customer"})
		}
		ts.callAs("aud", "GET", path+"?customer=acme", "").want(t, http.StatusOK)
	}
	// root, who may read no customer, learns nothing of which exist.
	a := ts.callAs("root", "GET", "/api/v1/search?customer=acme", "").want(t, http.StatusOK)
	b := ts.callAs("root", "GET", "/api/v1/search?customer=nobody", "").want(t, http.StatusOK)
	if string(a.body) != string(b.body) {
		t.Errorf("answers differ by the existence of a customer:\n%s\n%s", a.body, b.body)
	}

	for q, want := range map[string]int{"Acme 贸易有限公司": 1, "Acme": 0, "acme 贸易有限公司": 0} {
		var res visitarchive.SearchResult
		ts.call("GET", "/api/v1/search?customer_name="+url.QueryEscape(q), "").want(t, http.StatusOK).decode(t, &res)
		if int(res.Total) != want {
			t.Errorf("customer_name=%s: %d hits, want %d", q, res.Total, want)
		}
		if want == 1 && res.Hits[0].ID != r.ID {
			t.Errorf("customer_name=%s: %v", q, res.Hits)
		}
	}
}
