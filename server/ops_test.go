package server

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
)

func TestMetrics(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	ts.call("GET", "/api/v1/customers/acme", "").want(t, http.StatusOK)
	ts.call("GET", "/api/v1/customers/nobody", "").want(t, http.StatusNotFound)
	ts.call("GET", "/api/v1/nowhere", "").want(t, http.StatusNotFound)

	res := ts.call("GET", "/metrics", "").want(t, http.StatusOK)
	text := string(res.body)
	for _, want := range []string{
		`visitarchive_http_requests_total{method="POST",route="/api/v1/customers",status="201"} 1`,
		`visitarchive_http_requests_total{method="GET",route="/api/v1/customers/:id",status="200"} 1`,
		`visitarchive_http_requests_total{method="GET",route="/api/v1/customers/:id",status="404"} 1`,
		`visitarchive_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`visitarchive_http_request_duration_seconds_bucket{method="GET",route="/api/v1/customers/:id",le="+Inf"} 2`,
		`visitarchive_http_requests_in_flight`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Paths with ids would make a series per object.
	if strings.Contains(text, "acme") || strings.Contains(text, "nowhere") {
		t.Error("/metrics labels carry paths, not route patterns")
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q", ct)
	}
}

// TestMetricsOfJobs: the series of the scheduled jobs, given as
// Config.Collectors, are on /metrics with those of the server.
func TestMetricsOfJobs(t *testing.T) {
	var jobs *retention.Runner
	ts := newTestServer(t, func(cfg *Config) {
		jobs = retention.NewRunner(nil, retention.OverdueNotices(cfg.Archive))
		cfg.Collectors = append(cfg.Collectors, jobs)
	})
	if _, err := jobs.RunOnce(t.Context(), "overdue-notices"); err != nil {
		t.Fatal(err)
	}
	text := string(ts.call("GET", "/metrics", "").want(t, http.StatusOK).body)
	for _, want := range []string{
		`visitarchive_job_items_total{job="overdue-notices"} 0`,
		`visitarchive_job_errors_total{job="overdue-notices"} 0`,
		`visitarchive_job_last_run_timestamp_seconds{job="overdue-notices"}`,
		`visitarchive_job_last_success_timestamp_seconds{job="overdue-notices"}`,
		`visitarchive_job_last_duration_seconds{job="overdue-notices"}`,
		`visitarchive_http_requests_in_flight`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	ts := newTestServer(t)
	var st statusBody
	ts.call("GET", "/healthz", "").want(t, http.StatusOK).decode(t, &st)
	if st.Status != "ok" {
		t.Errorf("healthz = %+v", st)
	}
	ts.call("GET", "/readyz", "").want(t, http.StatusOK).decode(t, &st)
	if st.Status != "ready" {
		t.Errorf("readyz = %+v", st)
	}

	// With the index closed the Archive cannot search: not ready, but
	// still alive.
	if err := ts.Index.Close(); err != nil {
		t.Fatal(err)
	}
	res := ts.call("GET", "/readyz", "").want(t, http.StatusServiceUnavailable)
	e := res.apiError(t)
	if e.Code != "unavailable" || !strings.HasPrefix(e.Message, "not ready: ") || !strings.Contains(e.Message, "index") {
		t.Errorf("readyz error = %+v", e)
	}
	ts.call("GET", "/healthz", "").want(t, http.StatusOK)
}

// openAPIPaths returns the paths and methods of the embedded document.
func openAPIPaths(t *testing.T) map[string][]string {
	t.Helper()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	out := map[string][]string{}
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" {
				out[path] = append(out[path], strings.ToUpper(method))
			}
		}
	}
	return out
}

// TestOpenAPIMatchesRoutes fails when a route under /api/v1 is not in the
// OpenAPI document, or the document has a path or method with no route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := newTestServer(t)
	doc := openAPIPaths(t)
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	routes := map[string]bool{}
	for _, r := range ts.srv.App().GetRoutes(true) {
		if r.Method == fiber.MethodHead { // Fiber adds HEAD to every GET
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		routes[r.Method+" "+path] = true
		if strings.HasPrefix(path, apiPrefix) && !slices.Contains(doc[path], r.Method) {
			t.Errorf("route %s %s is not in openapi.json", r.Method, path)
		}
	}
	for path, methods := range doc {
		for _, m := range methods {
			if !routes[m+" "+path] {
				t.Errorf("openapi.json has %s %s, which has no route", m, path)
			}
		}
	}
}

// TestOpenAPISchemas keeps the named schemas of the OpenAPI document in
// step with the JSON fields of the Go types they describe.
func TestOpenAPISchemas(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]reflect.Type{
		"Appraisal":           reflect.TypeFor[visitarchive.Appraisal](),
		"AppraisalEntry":      reflect.TypeFor[visitarchive.AppraisalEntry](),
		"AppraisalList":       reflect.TypeFor[appraisalList](),
		"AppraisalRun":        reflect.TypeFor[appraisalRun](),
		"AppraisalDecide":     reflect.TypeFor[appraisalDecide](),
		"AppraisalStrike":     reflect.TypeFor[appraisalStrike](),
		"EntryDecision":       reflect.TypeFor[visitarchive.EntryDecision](),
		"WithReason":          reflect.TypeFor[withReason](),
		"Hold":                reflect.TypeFor[visitarchive.Hold](),
		"HoldRequest":         reflect.TypeFor[visitarchive.HoldRequest](),
		"HoldSearch":          reflect.TypeFor[visitarchive.HoldSearch](),
		"HoldList":            reflect.TypeFor[holdList](),
		"Execution":           reflect.TypeFor[execution](),
		"SkippedEntry":        reflect.TypeFor[visitarchive.SkippedEntry](),
		"WitnessConfirmation": reflect.TypeFor[visitarchive.WitnessConfirmation](),

		"Customer":      reflect.TypeFor[visitarchive.Customer](),
		"Contact":       reflect.TypeFor[visitarchive.Contact](),
		"Record":        reflect.TypeFor[visitarchive.Record](),
		"DecisionMaker": reflect.TypeFor[visitarchive.DecisionMaker](),
		"SearchResult":  reflect.TypeFor[visitarchive.SearchResult](),
		"SearchHit":     reflect.TypeFor[visitarchive.SearchHit](),
		"FacetCount":    reflect.TypeFor[visitarchive.FacetCount](),
		"VersionInfo":   reflect.TypeFor[visitarchive.VersionInfo](),
		"RecordPage":    reflect.TypeFor[visitarchive.RecordPage](),
		"RecordHistory": reflect.TypeFor[recordHistory](),
		"CustomerList":  reflect.TypeFor[customerList](),
		"CustomerPatch": reflect.TypeFor[visitarchive.Customer](),
		"RecordPatch":   reflect.TypeFor[visitarchive.Record](),

		"User":            reflect.TypeFor[visitarchive.User](),
		"UserPatch":       reflect.TypeFor[visitarchive.User](),
		"UserList":        reflect.TypeFor[userList](),
		"Department":      reflect.TypeFor[visitarchive.Department](),
		"DepartmentPatch": reflect.TypeFor[visitarchive.Department](),
		"DepartmentList":  reflect.TypeFor[departmentList](),
		"LoginRequest":    reflect.TypeFor[loginRequest](),
		"LoginResponse":   reflect.TypeFor[loginResponse](),
		"PasswordChange":  reflect.TypeFor[passwordChange](),
		"PasswordSet":     reflect.TypeFor[passwordSet](),
		"TokenRequest":    reflect.TypeFor[tokenRequest](),
		"APIToken":        reflect.TypeFor[visitarchive.APIToken](),
		"NewToken":        reflect.TypeFor[newToken](),
		"TokenList":       reflect.TypeFor[tokenList](),
		"AccessEvent":     reflect.TypeFor[visitarchive.AccessEvent](),
		"AccessLog":       reflect.TypeFor[accessLog](),
		"Change":          reflect.TypeFor[visitarchive.Change](),
		"Entry":           reflect.TypeFor[visitarchive.Entry](),
		"JournalPage":     reflect.TypeFor[journalPage](),
		"UserCreate":      reflect.TypeFor[userCreate](),

		"PasswordSetResult": reflect.TypeFor[passwordSetResult](),

		"Review":           reflect.TypeFor[visitarchive.Review](),
		"VisitChange":      reflect.TypeFor[visitarchive.VisitChange](),
		"Class":            reflect.TypeFor[visitarchive.Class](),
		"PaperLocation":    reflect.TypeFor[visitarchive.PaperLocation](),
		"Annotation":       reflect.TypeFor[visitarchive.Annotation](),
		"AnnotationCreate": reflect.TypeFor[annotationCreate](),
		"AnnotationList":   reflect.TypeFor[annotationList](),
		"Attachment":       reflect.TypeFor[visitarchive.Attachment](),
		"AttachmentText":   reflect.TypeFor[visitarchive.AttachmentText](),
		"AttachmentList":   reflect.TypeFor[attachmentList](),
		"MoveRequest":      reflect.TypeFor[versionOnly](),
		"Verdict":          reflect.TypeFor[verdict](),
		"RecordReturn":     reflect.TypeFor[recordReturn](),
		"ArchiveRequest":   reflect.TypeFor[archiveRequest](),
		"Plan":             reflect.TypeFor[visitarchive.Plan](),
		"PlanPatch":        reflect.TypeFor[visitarchive.Plan](),
		"PlanDecision":     reflect.TypeFor[visitarchive.PlanDecision](),
		"PlanPage":         reflect.TypeFor[visitarchive.PlanPage](),
		"PlanHistory":      reflect.TypeFor[planHistory](),
		"PlanApproval":     reflect.TypeFor[planApproval](),
		"PlanCancel":       reflect.TypeFor[planCancel](),
		"PlanRejection":    reflect.TypeFor[planRejection](),
		"Notification":     reflect.TypeFor[visitarchive.Notification](),
		"InboxPage":        reflect.TypeFor[visitarchive.InboxPage](),
		"MarkRead":         reflect.TypeFor[markRead](),
		"MarkedCount":      reflect.TypeFor[markedCount](),

		"Paper":            reflect.TypeFor[visitarchive.Paper](),
		"PaperMove":        reflect.TypeFor[visitarchive.PaperMove](),
		"PaperOriginal":    reflect.TypeFor[visitarchive.PaperOriginal](),
		"PaperMoveRequest": reflect.TypeFor[paperMove](),
		"PaperEntry":       reflect.TypeFor[visitarchive.PaperEntry](),
		"PaperPage":        reflect.TypeFor[visitarchive.PaperPage](),
		"Loan":             reflect.TypeFor[visitarchive.Loan](),
		"LoanEntry":        reflect.TypeFor[visitarchive.LoanEntry](),
		"LoanList":         reflect.TypeFor[visitarchive.LoanList](),
		"LoanCreate":       reflect.TypeFor[loanCreate](),
		"LoanReturn":       reflect.TypeFor[loanReturn](),

		"Scan":               reflect.TypeFor[scanOut](),
		"ScanSource":         reflect.TypeFor[visitarchive.ScanSource](),
		"ScanFiling":         reflect.TypeFor[visitarchive.ScanFiling](),
		"ScanDiscard":        reflect.TypeFor[visitarchive.ScanDiscard](),
		"ScanPage":           reflect.TypeFor[scanPage](),
		"ScanReport":         reflect.TypeFor[scanReport](),
		"ScanBatchReport":    reflect.TypeFor[scanBatchOut](),
		"ScanPartReport":     reflect.TypeFor[scanPartOut](),
		"ScanFileRequest":    reflect.TypeFor[scanFiling](),
		"ScanDiscardRequest": reflect.TypeFor[scanDiscard](),
	} {
		var got, want []string
		for p := range doc.Components.Schemas[name].Properties {
			got = append(got, p)
		}
		for f := range jsonFields(typ) {
			want = append(want, f)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has %v, the Go type %v", name, got, want)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	ts := newTestServer(t)
	res := ts.call("GET", "/api/v1/openapi.json", "", "Authorization", "-").want(t, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if string(res.body) != string(openAPIDoc) {
		t.Error("served document differs from the embedded one")
	}
}

// TestGracefulShutdown starts a write, shuts the server down while it is
// in flight, and expects the write to finish and be answered.
func TestGracefulShutdown(t *testing.T) {
	ts := newTestServer(t)
	started := make(chan struct{})
	ts.srv.App().Post("/test/slow-create", func(c *fiber.Ctx) error {
		close(started)
		time.Sleep(300 * time.Millisecond)
		ctx := visitarchive.WithActor(c.UserContext(), "alice")
		cu, err := ts.Archive.CreateCustomer(ctx, visitarchive.Customer{ID: "late", Name: "Late", Type: "key"})
		if err != nil {
			return err
		}
		return c.Status(http.StatusCreated).JSON(cu)
	})
	base := ts.listen()

	answered := make(chan int, 1)
	go func() {
		res, err := http.Post(base+"/test/slow-create", "application/json", nil)
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			answered <- 0
			return
		}
		res.Body.Close()
		answered <- res.StatusCode
	}()
	<-started
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case status := <-answered:
		if status != http.StatusCreated {
			t.Errorf("in-flight request: status %d, want 201", status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the in-flight request was not answered")
	}
	if _, err := ts.Archive.GetCustomer(visitarchive.WithActor(t.Context(), "test"), "late"); err != nil {
		t.Errorf("the in-flight write was lost: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still accepts connections after Shutdown")
	}
}
