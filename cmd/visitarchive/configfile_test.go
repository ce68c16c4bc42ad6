package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
	"github.com/visitarchive/visitarchive/server"
	"github.com/visitarchive/visitarchive/smtpmail/smtptest"
)

// writeConfig writes a configuration file and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "visitarchive.json")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const workflowConfig = `{
  "workflow": {
    "filing_period": "36h",
    "forms": {"regular": ["competitor_info"]},
    "retention_schedule": {
      "rules": [{"business_area": "machinery", "retention": "Y"}],
      "default": "D10"
    },
    "fonds": "F777",
    "area_codes": {"machinery": "JX"}
  }
}`

// TestConfigFileDrivesTheWorkflow files, reviews and archives a record
// under a config file: its filing period sets the deadline, its form for
// regular customers holds back an incomplete record, and the reference
// code carries its fonds, area code and retention period.
func TestConfigFileDrivesTheWorkflow(t *testing.T) {
	data, _ := newData(t)
	mustCLI(t, "user", "add", "--data", data, "--actor", "setup", "--department", "sales1", "--heads", "sales1", "bob", "supervisor")
	mustCLI(t, "user", "add", "--data", data, "--actor", "setup", "carol", "archivist")
	cfg := writeConfig(t, workflowConfig)
	c, err := (&storeFlags{data: data, storage: "disk", logFormat: "text", logLevel: "error", configFile: cfg}).openBeside(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	as := func(u va.UserName) context.Context { return va.WithActor(t.Context(), u) }
	a := c.archive

	if _, err := a.CreateCustomer(as("alice"), va.Customer{ID: "C1", Name: "Acme Machinery", Type: "regular", BusinessArea: "machinery", Country: "DE"}); err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r, err := a.CreateRecord(as("alice"), va.Record{
		CustomerID: "C1", VisitStart: end.Add(-time.Hour), VisitEnd: end, Location: "Hamburg",
		Visitors: []va.UserName{"alice"}, Department: "sales1", ContactName: "Hans",
		Topic: "机床报价", Summary: "讨论报价", CooperationIntent: "medium", FollowUp: "send the offer",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := end.Add(36 * time.Hour); !r.DueAt.Equal(want) {
		t.Errorf("due at %v, want %v (visit end plus the configured 36h)", r.DueAt, want)
	}
	_, err = a.SubmitRecord(as("alice"), r.ID, r.Version)
	if !va.IsKind(err, va.Invalid) || !strings.Contains(err.Error(), "competitor_info") {
		t.Fatalf("submit without the field the configured form requires: %v", err)
	}
	r.CompetitorInfo = "a local maker undercuts by 10%"
	if r, err = a.UpdateRecord(as("alice"), *r); err != nil {
		t.Fatal(err)
	}
	if r, err = a.SubmitRecord(as("alice"), r.ID, r.Version); err != nil {
		t.Fatal(err)
	}
	if r, err = a.ApproveRecord(as("bob"), r.ID, r.Version, ""); err != nil {
		t.Fatal(err)
	}
	if r, err = a.ArchiveRecord(as("carol"), r.ID, va.ArchiveRequest{Version: r.Version}); err != nil {
		t.Fatal(err)
	}
	if got, want := r.ReferenceCode, "F777-KF·2026-Y-JX-0001"; got != want {
		t.Errorf("reference code %q, want %q", got, want)
	}
}

// TestServerRunsTheReminders: the server's runner has the jobs that
// chase plans without a record and records without a review.
func TestServerRunsTheReminders(t *testing.T) {
	data, _ := newData(t)
	c, err := (&storeFlags{data: data, storage: "disk", logFormat: "text", logLevel: "error"}).openBeside(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	jobs := c.jobs(slog.New(slog.DiscardHandler))
	for _, name := range []string{"overdue-notices", "plan-record-reminders", "review-reminders"} {
		if n, err := jobs.RunOnce(t.Context(), name); n != 0 || err != nil {
			t.Errorf("%s: %d, %v; want 0, nil", name, n, err)
		}
	}
	// The fixity check re-reads every object and keeps its result.
	if n, err := jobs.RunOnce(t.Context(), "fixity"); n == 0 || err != nil {
		t.Errorf("fixity: %d objects, %v; want some, nil", n, err)
	}
	res, err := c.archive.FixityResults(va.WithActor(t.Context(), "tester"), 0)
	if err != nil || len(res) != 1 || !res[0].OK() || res[0].Objects == 0 {
		t.Errorf("fixity results: %+v, %v; want one, clean", res, err)
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Setenv(smtpPasswordEnv, "")
	s, err := (&storeFlags{}).settings()
	if err != nil {
		t.Fatal(err)
	}
	w := s.workflow
	if w.FilingPeriod != 24*time.Hour || w.Fonds != "F001" || w.Forms != nil || w.AreaCodes != nil {
		t.Errorf("defaults: %+v", w)
	}
	if sched, ok := w.Schedule.(*retention.Schedule); !ok || sched.Retention(va.Class{CustomerType: "key"}) != va.RetainD30 ||
		sched.Retention(va.Class{CustomerType: "regular"}) != va.RetainD10 {
		t.Errorf("default schedule: %#v", w.Schedule)
	}
	if s.mailer != nil {
		t.Errorf("mailer without any SMTP setting: %v", s.mailer)
	}
}

// TestConfigPlanAndReviewTimes reads the durations of plans and reviews.
func TestConfigPlanAndReviewTimes(t *testing.T) {
	t.Setenv(smtpPasswordEnv, "")
	f := &storeFlags{configFile: writeConfig(t, `{"workflow": {"plan_lead_time": "48h", "plan_tolerance": "30m", "review_period": "72h"}}`)}
	s, err := f.settings()
	if err != nil {
		t.Fatal(err)
	}
	if w := s.workflow; w.PlanLeadTime != 48*time.Hour || w.PlanTolerance != 30*time.Minute || w.ReviewPeriod != 72*time.Hour ||
		w.FilingPeriod != 24*time.Hour {
		t.Errorf("workflow %+v", w)
	}
	f.configFile = writeConfig(t, `{"workflow": {"plan_lead_time": "0s"}}`)
	if s, err = f.settings(); err != nil || s.workflow.PlanLeadTime != 0 {
		t.Errorf("plan_lead_time 0s: %v, %v", s, err)
	}
}

func TestConfigFlagsOverrideTheFile(t *testing.T) {
	t.Setenv(smtpPasswordEnv, "")
	cfg := writeConfig(t, `{"workflow": {"filing_period": "36h"},
		"smtp": {"addr": "mail.example.com:587", "from": "va@example.com", "timeout": "10s"}}`)
	f := &storeFlags{configFile: cfg, filingPeriod: "48h", smtpFrom: "档案库 <archive@example.com>"}
	s, err := f.settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.workflow.FilingPeriod != 48*time.Hour {
		t.Errorf("filing period %v, want the flag's 48h", s.workflow.FilingPeriod)
	}
	m := s.mailer
	if m == nil || m.Addr != "mail.example.com:587" || m.From != "档案库 <archive@example.com>" || m.Timeout != 10*time.Second {
		t.Errorf("mailer %v", m)
	}
}

func TestConfigFileErrors(t *testing.T) {
	t.Setenv(smtpPasswordEnv, "")
	for _, tc := range []struct {
		name, file string
		flags      storeFlags
		want       []string
	}{
		{"unknown key", `{"workflow": {}, "smpt": {}}`, storeFlags{}, []string{`unknown key "smpt"`}},
		{"unknown nested keys", `{"workflow": {"filing_perod": "24h", "retention_schedule": {"rules": [{"retension": "Y"}], "default": "D10"}}}`,
			storeFlags{}, []string{`unknown keys "workflow.filing_perod", "workflow.retention_schedule.rules[0].retension"`}},
		{"bad duration", `{"workflow": {"filing_period": "1 day"}}`, storeFlags{},
			[]string{`workflow.filing_period: "1 day" is not a duration`}},
		{"negative duration", `{"workflow": {"filing_period": "-2h"}}`, storeFlags{},
			[]string{`workflow.filing_period: "-2h" must be longer than zero`}},
		{"negative lead time", `{"workflow": {"plan_lead_time": "-2h"}}`, storeFlags{},
			[]string{`workflow.plan_lead_time: "-2h" must not be negative`}},
		{"zero tolerance", `{"workflow": {"plan_tolerance": "0s"}}`, storeFlags{},
			[]string{`workflow.plan_tolerance: "0s" must be longer than zero`}},
		{"bad schedule", `{"workflow": {"retention_schedule": {"rules": [{"customer_type": "key", "retention": "D5"}]}}}`, storeFlags{},
			[]string{`workflow.retention_schedule.default: is required`, `workflow.retention_schedule.rules[0].retention: "D5" is not a retention period`}},
		{"wrong type", `{"workflow": {"fonds": 7}}`, storeFlags{}, []string{"line 1, column", "workflow.fonds must be a string, not a JSON number"}},
		{"syntax", "{\n  \"workflow\": {\"fonds\": \"F1\",}\n}", storeFlags{}, []string{"line 2, column"}},
		{"trailing data", `{} {}`, storeFlags{}, []string{"line 1, column 5", "after top-level value"}},
		{"password in the file", `{"smtp": {"addr": "mail.example.com:587", "from": "a@example.com", "username": "va", "password": "x"}}`,
			storeFlags{}, []string{"smtp.password", smtpPasswordEnv}},
		{"smtp without addr", `{"smtp": {"from": "a@example.com"}}`, storeFlags{}, []string{"smtp.addr (or --smtp-addr) is required"}},
		{"bad sender", `{"smtp": {"addr": "mail.example.com:587", "from": "nobody"}}`, storeFlags{}, []string{"smtp: bad mailer configuration", `"nobody" is not an e-mail address`}},
		{"bad flag", `{}`, storeFlags{filingPeriod: "soon"}, []string{`--filing-period: "soon" is not a duration`}},
		{"bad size", `{"attachments": {"max_file": "256 megabytes"}}`, storeFlags{}, []string{`attachments.max_file: "256 megabytes" is not a size`}},
		{"zero size", `{"attachments": {"max_request": "0"}}`, storeFlags{}, []string{`attachments.max_request: "0" must be more than zero`}},
		{"file over request", `{"attachments": {"max_file": "2GiB"}}`, storeFlags{}, []string{"the limit of a file (2147483648 bytes) is over the limit of a request (1073741824 bytes)"}},
		{"bad transfer timeout", `{"attachments": {"transfer_timeout": "forever"}}`, storeFlags{}, []string{`attachments.transfer_timeout: "forever" is not a duration`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.flags
			f.configFile = writeConfig(t, tc.file)
			_, err := f.settings()
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			if tc.flags.filingPeriod == "" && tc.flags.maxFile == "" {
				tc.want = append(tc.want, "config file "+f.configFile+": ")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestConfigAttachmentLimits reads the limits of uploads from the file,
// and the flags over it.
func TestConfigAttachmentLimits(t *testing.T) {
	t.Setenv(smtpPasswordEnv, "")
	s, err := (&storeFlags{}).settings()
	if err != nil || s.attachments != (server.AttachmentLimits{}) {
		t.Errorf("no limits set: %+v, %v; want the server's defaults (zero)", s.attachments, err)
	}
	f := &storeFlags{configFile: writeConfig(t, `{"attachments": {"max_file": "100MiB", "max_request": "500MB", "transfer_timeout": "1h"}}`)}
	if s, err = f.settings(); err != nil {
		t.Fatal(err)
	}
	if want := (server.AttachmentLimits{MaxFile: 100 << 20, MaxRequest: 500e6, TransferTimeout: time.Hour}); s.attachments != want {
		t.Errorf("limits %+v, want %+v", s.attachments, want)
	}
	f.maxFile, f.maxRequest, f.transferTimeout = "1048576", "2 GiB", "90m"
	if s, err = f.settings(); err != nil {
		t.Fatal(err)
	}
	if want := (server.AttachmentLimits{MaxFile: 1 << 20, MaxRequest: 2 << 30, TransferTimeout: 90 * time.Minute}); s.attachments != want {
		t.Errorf("limits with flags %+v, want %+v", s.attachments, want)
	}
	f.maxFile = "3GiB"
	if _, err := f.settings(); err == nil || !strings.Contains(err.Error(), "the attachment limits of the flags and config file") {
		t.Errorf("a file limit over the request limit: %v", err)
	}
	f.maxFile = "lots"
	if _, err := f.settings(); err == nil || !strings.Contains(err.Error(), `--attachments-max-file: "lots" is not a size`) {
		t.Errorf("a bad flag: %v", err)
	}
}

// TestConfigErrorsFromCommands: every command that opens the archive
// reads the file, and the checks the domain makes (codes, forms) name it.
func TestConfigErrorsFromCommands(t *testing.T) {
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	bad := writeConfig(t, `{"workflow": {"fonds": "f-1", "forms": {"key": ["onsite_note"]}}}`)
	for _, args := range [][]string{{"user", "list"}, {"import", "--actor", "carol"}, {"reindex"}} {
		args = append(args, "--data", data, "--config", bad)
		if args[0] == "import" {
			args = append(args, writeImport(t))
		}
		_, err := cli(t, args...)
		for _, w := range []string{"config file " + bad, `fonds code "f-1"`, `"onsite_note", which is not a field`} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s with a bad fonds and form: %v, want it to say %q", args[0], err, w)
			}
		}
	}
	t.Setenv("VISITARCHIVE_CONFIG", writeConfig(t, `{"workflow": {"filing_period": "2d"}}`))
	if _, err := cli(t, "user", "list", "--data", data); err == nil || !strings.Contains(err.Error(), `workflow.filing_period: "2d"`) {
		t.Errorf("VISITARCHIVE_CONFIG with a bad duration: %v", err)
	}
	if _, err := cli(t, "user", "list", "--data", data, "--config", filepath.Join(data, "missing.json")); err == nil ||
		!strings.Contains(err.Error(), "missing.json") {
		t.Errorf("a missing config file: %v", err)
	}
}

// TestSMTPPasswordFromEnvironment sends a mail with the mailer the
// settings build: the server accepts only the password of the
// environment.
func TestSMTPPasswordFromEnvironment(t *testing.T) {
	const password = "env-only-Secret-42"
	// loopback, where the mailer sends credentials in clear
	srv := smtptest.Start(t, smtptest.Options{Users: map[string]string{"va": password}, InsecureAuth: true})
	t.Setenv(smtpPasswordEnv, password)
	cfg := writeConfig(t, `{"smtp": {"addr": "`+srv.Addr+`", "from": "visitarchive@example.com", "username": "va"}}`)
	s, err := (&storeFlags{configFile: cfg}).settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.mailer.Send(t.Context(), va.Mail{To: []string{"bob@example.com"}, Subject: "拜访记录待审核", Body: "R1"}); err != nil {
		t.Fatalf("send with the password of %s: %v", smtpPasswordEnv, err)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("server received %d messages, want 1", got)
	}
	for _, s := range []string{s.mailer.String(), s.mailer.GoString()} {
		if strings.Contains(s, password) {
			t.Errorf("the mailer prints its password: %s", s)
		}
	}
}

// TestServeWithConfig starts the server with a config file and mail, at
// debug level: it starts, says where it mails, and never logs the SMTP
// password.
func TestServeWithConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	const password = "never-in-a-Log-7731"
	data, _ := newData(t)
	cfg := writeConfig(t, `{"workflow": {"fonds": "F777", "area_codes": {"machinery": "JX"}},
		"smtp": {"addr": "127.0.0.1:2525", "from": "visitarchive@example.com", "username": "va"}}`)
	_, cmd, stdout, logs := startServerLogs(t, data, "VISITARCHIVE_CONFIG="+cfg, "VISITARCHIVE_LOG_LEVEL=debug",
		smtpPasswordEnv+"="+password)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if !strings.Contains(logs.String(), "mailing notifications") || !strings.Contains(logs.String(), "smtp=127.0.0.1:2525") {
		t.Errorf("the log does not say where mail goes:\n%s", logs)
	}
	if strings.Contains(logs.String()+stdout.String(), password) {
		t.Errorf("the server printed the SMTP password:\n%s%s", stdout, logs)
	}
}

func TestServeSaysMailIsOff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data, _ := newData(t)
	_, cmd, _, logs := startServerLogs(t, data, "VISITARCHIVE_CONFIG=", "VISITARCHIVE_SMTP_ADDR=")
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if !strings.Contains(logs.String(), "mail notifications are off") {
		t.Errorf("the log does not say that mail is off:\n%s", logs)
	}
}
