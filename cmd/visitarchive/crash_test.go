package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer runs `visitarchive serve` on data in a child process (this
// test binary, see TestMain) and waits until it is ready.
func startServer(t *testing.T, data string) (base string, cmd *exec.Cmd) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd = exec.Command(os.Args[0], "serve", "--data", data, "--addr", addr)
	cmd.Env = append(os.Environ(), "VISITARCHIVE_TEST_MAIN=1")
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base = "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, cmd
			}
		}
	}
	t.Fatalf("server did not become ready:\n%s", logs.String())
	return "", nil
}

func post(base, path, body string) (*http.Response, error) {
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Actor", "alice")
	return http.DefaultClient.Do(req)
}

// TestKillNineLosesNoAcknowledgedWrite kills the server with SIGKILL while
// writes are in flight, restarts it, and checks that every write it had
// acknowledged is there, searchable, and passes verify.
func TestKillNineLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server")
	}
	data := t.TempDir()
	base, cmd := startServer(t, data)
	if resp, err := post(base, "/api/v1/customers", `{"id":"C1","name":"Acme","customer_type":"key"}`); err != nil || resp.StatusCode != 201 {
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
				resp, err := post(base, "/api/v1/records", `{"customer_id":"C1","visit_start":"2026-03-01T09:00:00Z",`+
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

	base, _ = startServer(t, data)
	for id, marker := range acked {
		var res struct {
			Total int
			Hits  []struct{ ID string }
		}
		req, _ := http.NewRequest("GET", base+"/api/v1/search?q="+marker, nil)
		req.Header.Set("X-Actor", "alice")
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
	if out, err := cli(t, "verify", "--data", data); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify after kill -9: %v\n%s", err, out)
	}
}

// TestReindexRefusesAnIndexInUse keeps reindex from deleting the index of
// a running server.
func TestReindexRefusesAnIndexInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data := t.TempDir()
	base, _ := startServer(t, data)
	_, err := cli(t, "reindex", "--data", data)
	if err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("reindex beside a running server: %v, want an in-use error", err)
	}
	if resp, err := http.Get(base + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("server not ready after the refused reindex: %v %v", resp, err)
	}
}
