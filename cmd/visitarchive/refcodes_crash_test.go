package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/disk"
	"github.com/visitarchive/visitarchive/storage/journal"
	"github.com/visitarchive/visitarchive/storage/s3"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

// crashTimeout is the archiving timeout of the servers these tests kill.
const crashTimeout = 2 * time.Second

// TestKillNineWhileArchivingLeavesNoGap kills the server with SIGKILL at
// each step of archiving while three archivists archive at once, then
// restarts it and archives more: every 档号 series stays gap-free and
// unique, and verify passes, on disk and on MinIO.
func TestKillNineWhileArchivingLeavesNoGap(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills servers")
	}
	for _, backend := range []string{"disk", "minio"} {
		t.Run(backend, func(t *testing.T) { killWhileArchiving(t, backend) })
	}
}

func killWhileArchiving(t *testing.T, backend string) {
	data := t.TempDir()
	openStore := crashBackend(t, backend, data)
	conf := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(conf, []byte(`{"workflow":{"archiving_timeout":"`+crashTimeout.String()+`"}}`), 0o600)
	t.Setenv("VISITARCHIVE_CONFIG", conf)
	mustCLI(t, "keys", "init", "--data", data)
	mustCLI(t, "user", "dept", "--data", data, "--actor", "setup", "sales1", "Sales 1")
	pw := map[string]string{}
	for _, u := range [][]string{{"alice", "employee"}, {"sam", "supervisor"}, {"ann", "archivist"}, {"arc", "archivist"}, {"abe", "archivist"}} {
		args := []string{"user", "add", "--data", data, "--actor", "setup", "--department", "sales1"}
		if u[1] == "supervisor" {
			args = append(args, "--heads", "sales1")
		}
		out := mustCLI(t, append(args, u[0], u[1])...)
		pw[u[0]] = shownPassword(t, out)
	}
	base, cmd := startServer(t, data)
	tok := map[string]string{}
	for u, p := range pw {
		tok[u] = apiToken(t, base, u, p)
	}
	const perStep = 4
	recs := approvedViaAPI(t, base, tok, 4*perStep+4)
	cmd.Process.Kill()
	cmd.Wait()
	acked := map[string]string{} // record → code
	for i, step := range []va.ArchivingStep{va.StepReserved, va.StepClaimed, va.StepPaper, va.StepJournal} {
		base, cmd, logs, _ := startServerLogs(t, data, crashAtEnv+"=archiving."+string(step))
		batch := recs[i*perStep : (i+1)*perStep]
		done := archiveAll(base, tok, batch, acked)
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), crashLine) && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // the other archivists go on meanwhile
		cmd.Process.Kill()
		cmd.Wait()
		<-done
		if !strings.Contains(logs.String(), crashLine) {
			t.Fatalf("no archiving reached %s:\n%s", step, logs.String())
		}
		time.Sleep(crashTimeout) // the dead claims expire
		base, cmd = startServer(t, data)
		<-archiveAll(base, tok, append(unarchived(batch, acked), recs[4*perStep+i]), acked)
		cmd.Process.Kill()
		cmd.Wait()
	}
	if len(acked) != len(recs) {
		t.Errorf("%d records archived, want %d", len(acked), len(recs))
	}
	store := openStore(t)
	checkCodes(t, store, acked)
	// What verify checks, without its progress bar, which races with
	// itself on a run as long as this one on MinIO.
	rep, err := journal.VerifyWith(t.Context(), store, journal.Options{})
	codes, cerr := refCodeProblems(t.Context(), store, va.UnrecordedGrace)
	if err != nil || cerr != nil || !rep.OK() || len(codes) > 0 {
		t.Errorf("verify after the kills: %v %v %v %v", err, cerr, rep.Problems, codes)
	}
}

// crashBackend points the commands and the servers at backend and
// returns how to open its store.
func crashBackend(t *testing.T, backend, data string) func(t *testing.T) va.Store {
	if backend == "disk" {
		return func(t *testing.T) va.Store {
			s, err := disk.Open(filepath.Join(data, "store"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}
	cfg := s3test.Config(t, true)
	for k, v := range map[string]string{"VISITARCHIVE_STORAGE": "s3", "VISITARCHIVE_S3_ENDPOINT": cfg.Endpoint,
		"VISITARCHIVE_S3_BUCKET": cfg.Bucket, "VISITARCHIVE_S3_ACCESS_KEY": cfg.AccessKey,
		"VISITARCHIVE_S3_SECRET_KEY": cfg.SecretKey, "VISITARCHIVE_S3_CREATE_BUCKET": "true"} {
		t.Setenv(k, v)
	}
	return func(t *testing.T) va.Store {
		cfg.CreateBucket = false
		s, err := s3.Open(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

type crashRecord struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Code    string `json:"reference_code"`
}

// approvedViaAPI creates n records as alice, submits them and has sam
// approve them.
func approvedViaAPI(t *testing.T, base string, tok map[string]string, n int) []crashRecord {
	t.Helper()
	mustCall(t, base, tok["alice"], "/api/v1/customers", `{"id":"C1","name":"Acme","customer_type":"regular","business_area":"机械"}`)
	out := make([]crashRecord, n)
	for i := range out {
		r := mustCall(t, base, tok["alice"], "/api/v1/records", fmt.Sprintf(`{"customer_id":"C1","visit_start":"2026-03-01T09:00:00Z",`+
			`"visit_end":"2026-03-01T10:00:00Z","location":"上海","visitors":["alice"],"department":"sales1","contact_name":"王","topic":"报价",`+
			`"summary":"记录 %d","cooperation_intent":"medium","follow_up":"回访"}`, i))
		r = mustCall(t, base, tok["alice"], "/api/v1/records/"+r.ID+"/submit", fmt.Sprintf(`{"version":%d}`, r.Version))
		out[i] = mustCall(t, base, tok["sam"], "/api/v1/records/"+r.ID+"/approve", fmt.Sprintf(`{"version":%d}`, r.Version))
	}
	return out
}

func mustCall(t *testing.T, base, token, path, body string) crashRecord {
	t.Helper()
	resp, err := post(base, token, path, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r crashRecord
	if resp.StatusCode/100 != 2 || json.Unmarshal(b, &r) != nil {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	return r
}

// archiveAll has three archivists archive recs at once, noting in acked
// the codes acknowledged, until recs are done or the server is gone;
// the channel closes then.
func archiveAll(base string, tok map[string]string, recs []crashRecord, acked map[string]string) chan struct{} {
	var mu sync.Mutex
	next, done := 0, make(chan struct{})
	var wg sync.WaitGroup
	for _, who := range []string{"ann", "arc", "abe"} {
		wg.Go(func() {
			for {
				mu.Lock()
				if next == len(recs) {
					mu.Unlock()
					return
				}
				r := recs[next]
				next++
				mu.Unlock()
				resp, err := post(base, tok[who], "/api/v1/records/"+r.ID+"/archive", fmt.Sprintf(`{"version":%d}`, r.Version))
				if err != nil {
					return // the server is gone
				}
				var got crashRecord
				json.NewDecoder(resp.Body).Decode(&got)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					acked[r.ID] = got.Code
					mu.Unlock()
				}
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

// unarchived returns the records of recs without an acknowledged code.
func unarchived(recs []crashRecord, acked map[string]string) []crashRecord {
	return slices.DeleteFunc(slices.Clone(recs), func(r crashRecord) bool { return acked[r.ID] != "" })
}

// checkCodes checks that every series of store is gap-free and unique,
// and holds exactly the codes acked.
func checkCodes(t *testing.T, store va.Store, acked map[string]string) {
	t.Helper()
	j, err := journal.Open(t.Context(), store, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := va.ReferenceSeries(t.Context(), store, j)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, s := range all {
		if !s.OK() {
			t.Errorf("series %s: %v", s.Series, s.Problems(time.Now(), 0))
		}
		for _, n := range s.Numbers {
			if n.Used == 1 {
				codes = append(codes, n.Code)
			}
		}
	}
	want := slices.Sorted(func(yield func(string) bool) {
		for _, c := range acked {
			yield(c)
		}
	})
	if slices.Sort(codes); !slices.Equal(codes, want) {
		t.Errorf("codes in the series %v, acknowledged %v", codes, want)
	}
	t.Logf("%d series, %d codes", len(all), len(codes))
}
