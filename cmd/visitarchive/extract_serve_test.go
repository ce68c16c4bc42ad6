package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive/index/extract"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// TestServeExtractsText runs the server binary with two extraction
// workers: an upload's text is read by its `extract-child` and found by
// search, and the job says so.
func TestServeExtractsText(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	if tools := extract.Available(); len(tools.Off) > 0 {
		if os.Getenv("CI") != "" {
			t.Fatal(tools.Detail())
		}
		t.Skip(tools.Detail())
	}
	data, pw := newData(t)
	base, _, _, logs := startServerLogs(t, data, "VISITARCHIVE_EXTRACT_WORKERS=2", "VISITARCHIVE_EXTRACT_TEMP_DIR="+t.TempDir())
	token := apiToken(t, base, "alice", pw)
	if resp, err := post(base, token, "/api/v1/customers", `{"id":"C1","name":"Acme","customer_type":"key"}`); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create customer: %v %v", resp, err)
	}
	resp, err := post(base, token, "/api/v1/records", `{"customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z","summary":"报价"}`)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create record: %v %v", resp, err)
	}
	var rec struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&rec)
	resp.Body.Close()
	status, body := upload(t, base, token, "/api/v1/records/"+rec.ID+"/attachments", "quote.pdf", testenv.TextPDF("Quotation for the HX-7710 cooling unit"))
	var list struct {
		Attachments []struct{ Text struct{ Job string } }
	}
	if err := json.Unmarshal(body, &list); status != http.StatusCreated || err != nil || len(list.Attachments) != 1 || list.Attachments[0].Text.Job == "" {
		t.Fatalf("upload: %d %s", status, body)
	}
	var job struct{ State, Method, Reason string }
	for deadline := time.Now().Add(time.Minute); job.State != "done"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("job %+v after a minute\n%s", job, logs)
		}
		getJSON(t, base, token, "/api/v1/jobs/"+list.Attachments[0].Text.Job, &job)
	}
	if job.Method != "text-layer" {
		t.Errorf("job %+v, want read from the text layer", job)
	}
	var res struct {
		Total int
		Hits  []struct{ Attachment struct{ Name string } }
	}
	getJSON(t, base, token, "/api/v1/search?q="+url.QueryEscape("HX-7710"), &res)
	if res.Total != 1 || res.Hits[0].Attachment.Name != "quote.pdf" {
		t.Errorf("search: %+v", res)
	}
	if !strings.Contains(logs.String(), "extracting the text of attachments") || !strings.Contains(logs.String(), "workers=2") {
		t.Errorf("the log does not say that extraction runs:\n%s", logs)
	}
}

// getJSON gets path as the owner of token and decodes the answer into v.
func getJSON(t *testing.T, base, token, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, v) != nil {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
}

func TestConfigExtract(t *testing.T) {
	data := t.TempDir()
	f := &storeFlags{data: data, configFile: writeConfig(t, `{"extract": {"workers": 3, "timeout": "30s", "memory": "512MiB", "max_pages": 50, "temp_dir": "/dev/shm"}}`)}
	s, err := f.settings()
	if err != nil {
		t.Fatal(err)
	}
	want := extraction{workers: 3, limits: extract.Limits{Timeout: 30 * time.Second, MemoryBytes: 512 << 20, MaxPages: 50}, tempDir: "/dev/shm"}
	if s.extraction != want {
		t.Errorf("extraction %+v, want %+v", s.extraction, want)
	}
	f.extract = extractFlags{workers: 1, timeout: "2m", memory: "2GiB", maxPages: 10, tmpDir: "/var/tmp"}
	if s, err = f.settings(); err != nil {
		t.Fatal(err)
	}
	want = extraction{workers: 1, limits: extract.Limits{Timeout: 2 * time.Minute, MemoryBytes: 2 << 30, MaxPages: 10}, tempDir: "/var/tmp"}
	if s.extraction != want {
		t.Errorf("extraction with flags %+v, want %+v", s.extraction, want)
	}
	for _, c := range []struct{ file, want string }{
		{`{"extract": {"timeout": "soon"}}`, `extract.timeout (or --extract-timeout): "soon" is not a duration`},
		{`{"extract": {"memory": "lots"}}`, `extract.memory (or --extract-memory): "lots" is not a size`},
		{`{"extract": {"workers": -1}}`, "must not be negative"},
		{`{"extract": {"threads": 4}}`, `unknown key "extract.threads"`},
	} {
		_, err := (&storeFlags{data: data, configFile: writeConfig(t, c.file)}).settings()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.file, err, c.want)
		}
	}
	// Decrypted content is never spooled into the data directory.
	for _, dir := range []string{data, filepath.Join(data, "tmp")} {
		if err := checkTempDir(dir, data); err == nil || !strings.Contains(err.Error(), "where decrypted content must never be written") {
			t.Errorf("temp dir %s in the data dir: %v", dir, err)
		}
	}
	for _, dir := range []string{"", "/dev/shm", filepath.Dir(data)} {
		if err := checkTempDir(dir, data); err != nil {
			t.Errorf("temp dir %q: %v", dir, err)
		}
	}
}
