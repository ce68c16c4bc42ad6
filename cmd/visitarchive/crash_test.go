package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive/internal/testenv"
)

// startServer runs `visitarchive serve` on data in a child process (this
// test binary, see TestMain) and waits until it is ready.
func startServer(t *testing.T, data string) (base string, cmd *exec.Cmd) {
	t.Helper()
	base, cmd, _ = startServerOut(t, data)
	return base, cmd
}

// adminPassword is the first administrator's password in the servers the
// tests start.
const adminPassword = "first-admin-password"

// startServerOut is startServer that also returns the server's stdout.
func startServerOut(t *testing.T, data string, env ...string) (base string, cmd *exec.Cmd, stdout *testenv.LogBuffer) {
	t.Helper()
	base, cmd, stdout, _ = startServerLogs(t, data, env...)
	return base, cmd, stdout
}

// startServerLogs is startServerOut that also returns the server's log
// (its stderr).
func startServerLogs(t *testing.T, data string, env ...string) (base string, cmd *exec.Cmd, stdout, logs *testenv.LogBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd = exec.Command(os.Args[0], "serve", "--data", data, "--addr", addr)
	cmd.Env = append(append(os.Environ(), "VISITARCHIVE_TEST_MAIN=1", "VISITARCHIVE_ADMIN_PASSWORD="+adminPassword), env...)
	stdout, logs = &testenv.LogBuffer{}, &testenv.LogBuffer{}
	cmd.Stderr, cmd.Stdout = logs, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base = "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, cmd, stdout, logs
			}
		}
	}
	cmd.Wait()
	t.Fatalf("server did not become ready:\n%s%s", stdout.String(), logs.String())
	return "", nil, nil, nil
}

// newData returns a data directory with a key file and an employee alice
// of department sales1, and alice's password.
func newData(t *testing.T) (data, password string) {
	t.Helper()
	data = t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	mustCLI(t, "user", "dept", "--data", data, "--actor", "setup", "sales1", "Sales 1")
	out := mustCLI(t, "user", "add", "--data", data, "--actor", "setup", "--department", "sales1", "alice", "employee")
	return data, shownPassword(t, out)
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cli(t, args...)
	if err != nil {
		t.Fatalf("visitarchive %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// shownPassword returns the password a command printed once.
func shownPassword(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`shown only this once:\s+(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password in %q", out)
	}
	return m[1]
}

// apiToken signs user in on base and makes an API token. A user whose
// password was set for them (user add, user passwd) changes it first.
func apiToken(t *testing.T, base, user, password string) string {
	t.Helper()
	c, csrf, mustChange := signIn(t, base, user, password)
	if mustChange {
		req, _ := http.NewRequest("PUT", base+"/api/v1/auth/password",
			strings.NewReader(`{"old_password":"`+password+`","new_password":"`+password+`-changed"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		resp, err := c.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("change the password of %s: %v %v", user, resp, err)
		}
		resp.Body.Close()
		c, csrf, _ = signIn(t, base, user, password+"-changed")
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/tokens", strings.NewReader(`{"name":"test"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("make a token for %s: %v %v", user, resp, err)
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&tok)
	return tok.Token
}

// signIn signs user in on base and returns a client with the session,
// its CSRF token, and whether the password must be changed first.
func signIn(t *testing.T, base, user, password string) (*http.Client, string, bool) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"user":"`+user+`","password":"`+password+`"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in as %s: %v %v", user, resp, err)
	}
	defer resp.Body.Close()
	var login struct {
		CSRF string `json:"csrf_token"`
		User struct {
			MustChange bool `json:"must_change_password"`
		} `json:"user"`
	}
	json.NewDecoder(resp.Body).Decode(&login)
	return c, login.CSRF, login.User.MustChange
}

func post(base, token, path, body string) (*http.Response, error) {
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

// TestKillNineLosesNoAcknowledgedWrite kills the server with SIGKILL while
// writes are in flight, restarts it, and checks that every write it had
// acknowledged is there, searchable, and passes verify.
func TestKillNineLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server")
	}
	data, pw := newData(t)
	base, cmd := startServer(t, data)
	token := apiToken(t, base, "alice", pw)
	if resp, err := post(base, token, "/api/v1/customers", `{"id":"C1","name":"Acme","customer_type":"key"}`); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create customer: %v %v", resp, err)
	}
	var (
		mu    sync.Mutex
		acked = map[string]string{} // record id → its marker word
		wg    sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				marker := fmt.Sprintf("marker%dx%d", w, i)
				resp, err := post(base, token, "/api/v1/records", `{"customer_id":"C1","visit_start":"2026-03-01T09:00:00Z",`+
					`"visit_end":"2026-03-01T10:00:00Z","summary":"崩溃测试 `+marker+`"}`)
				if err != nil {
					return // the server is gone
				}
				var rec struct{ ID string }
				json.NewDecoder(resp.Body).Decode(&rec)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					mu.Lock()
					acked[rec.ID] = marker
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	wg.Wait()
	cmd.Wait()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	base, restarted := startServer(t, data)
	for id, marker := range acked {
		var res struct {
			Total int
			Hits  []struct{ ID string }
		}
		req, _ := http.NewRequest("GET", base+"/api/v1/search?q="+marker, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if res.Total != 1 || res.Hits[0].ID != id {
			t.Errorf("acknowledged record %s (%s) not found after restart: %+v", id, marker, res)
		}
	}
	t.Logf("%d acknowledged writes survived kill -9", len(acked))
	// The restarted server goes on writing (the reminders it sends for
	// the drafts above); verify with no grace would count its writes in
	// flight as unrecorded, so it stops first.
	restarted.Process.Signal(os.Interrupt)
	restarted.Wait()
	// A write cut off before its journal entry leaves objects that are
	// in flight for the grace period, then unrecorded until removed.
	if out, err := cli(t, "verify", "--data", data); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify after kill -9: %v\n%s", err, out)
	}
	if out, err := cli(t, "verify", "--data", data, "--grace", "0", "--remove-unrecorded"); err != nil {
		t.Errorf("verify --remove-unrecorded after kill -9: %v\n%s", err, out)
	}
	if out, err := cli(t, "verify", "--data", data, "--grace", "0"); err != nil || !strings.Contains(out, "0 problem(s)") ||
		strings.Contains(out, "in flight") {
		t.Errorf("verify with no grace after the removal: %v\n%s", err, out)
	}
}

// TestReindexRefusesAnIndexInUse keeps reindex from deleting the index of
// a running server.
func TestReindexRefusesAnIndexInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data, _ := newData(t)
	base, _ := startServer(t, data)
	_, err := cli(t, "reindex", "--data", data)
	if err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("reindex beside a running server: %v, want an in-use error", err)
	}
	if resp, err := http.Get(base + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("server not ready after the refused reindex: %v %v", resp, err)
	}
}

// TestKillNineDuringImport kills an import while it writes a batch: the
// batch's objects are not journaled, and a re-run of the same import
// removes them once the batch's deadline has passed and completes the
// import, every record stored once and verify clean.
func TestKillNineDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills an import")
	}
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	const n = 1200
	file := filepath.Join(t.TempDir(), "in.jsonl")
	lines := []string{`{"customer":{"id":"C1","name":"Acme","customer_type":"regular"}}`}
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"record":{"id":"R%05d","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z",`+
			`"visit_end":"2026-03-01T10:00:00Z","summary":"导入 %d","contact_phone":"+86 138 0000 %04d"}}`, i, i, i%10000))
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	// The killed import's batches expire 2 × 3 s after they start; the
	// re-run, which waits for that, has all the time it needs.
	args := []string{"import", "--data", data, "--actor", "carol", "--batch-deadline", "3s", file}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "VISITARCHIVE_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	records := filepath.Join(data, "store", "objects", "records")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if entries, _ := os.ReadDir(records); len(entries) > 0 {
			break // the first batch is being published
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	out, _ := cli(t, "verify", "--data", data, "--grace", "0")
	t.Logf("killed with %s", regexp.MustCompile(`\d+ problem\(s\)`).FindString(out))

	args[len(args)-2] = "1m"
	out, err := cli(t, args...)
	if err != nil && !errors.Is(err, errFailed) {
		t.Fatalf("re-run: %v", err)
	}
	if !strings.Contains(out, "records in") {
		t.Errorf("re-run output: %s", out)
	}
	if entries, _ := os.ReadDir(records); len(entries) != n {
		t.Errorf("%d records in the store after the re-run, want %d", len(entries), n)
	}
	if out, err := cli(t, "verify", "--data", data, "--grace", "0"); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify after the re-run: %v\n%s", err, out)
	}
}
