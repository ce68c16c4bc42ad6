package main

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeAttachments runs the server binary with the limit of a file
// set by the environment: a file under it is taken, encrypted at rest and
// given back; one over it is 413.
func TestServeAttachments(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data, pw := newData(t)
	base, _, _, _ := startServerLogs(t, data, "VISITARCHIVE_ATTACHMENTS_MAX_FILE=1KiB")
	token := apiToken(t, base, "alice", pw)
	if resp, err := post(base, token, "/api/v1/customers", `{"id":"C1","name":"Acme","customer_type":"key"}`); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create customer: %v %v", resp, err)
	}
	resp, err := post(base, token, "/api/v1/records", `{"customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z","summary":"附件"}`)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create record: %v %v", resp, err)
	}
	var rec struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&rec)
	resp.Body.Close()
	path := "/api/v1/records/" + rec.ID + "/attachments"

	const secret = "手机 13811112222 保密"
	status, body := upload(t, base, token, path, "备忘.txt", []byte(secret))
	var list struct {
		Attachments []struct{ ID, Name, MediaType string }
	}
	if err := json.Unmarshal(body, &list); status != http.StatusCreated || err != nil || len(list.Attachments) != 1 {
		t.Fatalf("upload: %d %s", status, body)
	}
	if status, body := upload(t, base, token, path, "big.txt", bytes.Repeat([]byte("x"), 2048)); status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(string(body), "1 KiB a file") {
		t.Errorf("a file over the configured limit: %d %s", status, body)
	}
	req, _ := http.NewRequest("GET", base+path+"/"+list.Attachments[0].ID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != secret || !strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''%E5%A4%87%E5%BF%98.txt") {
		t.Errorf("download: %q, %v", got, resp.Header)
	}
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("13811112222")) {
				t.Errorf("%s holds the phone number in clear", p)
			}
		}
		return err
	})
}

// upload posts one file to path as the owner of token and returns the
// answer's status and body.
func upload(t *testing.T, base, token, path, name string, content []byte) (int, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}
