package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

// What the record destroyed in the tests held.
const (
	doomedSummary = "销毁摘要 QX7781 独有 doomed summary"
	doomedPhone   = "13800007781"
)

// visits writes an import file of n records from number first on, in
// Chinese and English, each with a contact phone, over two customers.
func visits(t *testing.T, first, n int) string {
	t.Helper()
	var b strings.Builder
	if first == 1 {
		b.WriteString(`{"customer":{"id":"C1","name":"深圳华强电子有限公司","customer_type":"key","business_area":"电子元器件","country":"CN"}}` + "\n")
		b.WriteString(`{"customer":{"id":"C2","name":"Acme Trading Ltd","customer_type":"regular","business_area":"machinery","country":"US"}}` + "\n")
	}
	summaries := []string{"客户对数据中心电池组很感兴趣，希望下月采购 LX-3021B。", "Discussed the price of battery cabinets and the delivery schedule.",
		"讨论了机房的散热问题和储能柜报价。", "The buyer asked for samples of the inverter model LX-3021B."}
	for i := first; i < first+n; i++ {
		summary, cust := summaries[i%len(summaries)], []string{"C1", "C2"}[i%2]
		if i == 1 {
			summary = doomedSummary
		}
		fmt.Fprintf(&b, `{"record":{"id":"R%03d","customer_id":"%s","visit_start":"2026-03-%02dT09:00:00Z","visit_end":"2026-03-%02dT10:00:00Z","topic":"拜访 %d","summary":%q,"contact_phone":"%s","visitors":["alice"],"department":"sales1","contact_name":"王经理","follow_up":"下周发报价","cooperation_intent":"medium","location":"上海"}}`+"\n",
			i, cust, i%28+1, i%28+1, i, summary, phoneOf(i))
	}
	p := filepath.Join(t.TempDir(), "visits.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func phoneOf(i int) string {
	if i == 1 {
		return doomedPhone
	}
	return fmt.Sprintf("1390000%04d", i)
}

var copiedPattern = regexp.MustCompile(`(\d+) object\(s\) and (\d+) byte\(s\) copied`)

// backupOnce runs visitarchive backup and returns the objects it copied.
func backupOnce(t *testing.T, args ...string) int {
	t.Helper()
	out := mustCLI(t, append([]string{"backup"}, args...)...)
	m := copiedPattern.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("backup output without its counts:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// people adds the department and the people of the workflow.
func people(t *testing.T, data string) {
	t.Helper()
	mustCLI(t, "user", "dept", "--data", data, "sales1", "销售一部")
	mustCLI(t, "user", "add", "--data", data, "--department", "sales1", "alice", "employee")
	mustCLI(t, "user", "add", "--data", data, "--department", "sales1", "--heads", "sales1", "sam", "supervisor")
	mustCLI(t, "user", "add", "--data", data, "ann", "archivist")
}

// archiveAndDestroy archives record id through the workflow and destroys
// it as an executed appraisal list does.
func archiveAndDestroy(t *testing.T, data string, id va.RecordID) {
	t.Helper()
	c := openData(t, data)
	defer c.Close()
	as := func(u va.UserName) context.Context { return va.WithActor(t.Context(), u) }
	r, err := c.archive.SubmitRecord(as("alice"), id, 1)
	if err == nil {
		r, err = c.archive.ApproveRecord(as("sam"), id, r.Version, "")
	}
	if err == nil {
		r, err = c.archive.ArchiveRecord(as("ann"), id, va.ArchiveRequest{Version: r.Version})
	}
	if err == nil {
		_, err = c.archive.DestroyRecords(as("system"), va.Destruction{ID: "D1", List: "AL-1", Reason: "保管期满", Approver: "max",
			Witnesses: []va.UserName{"aud", "arc"}, Records: []va.RecordID{id}})
	}
	if err != nil {
		t.Fatalf("archive and destroy %s: %v", id, err)
	}
}

// grepTree reports the files under dir that hold any of words.
func grepTree(t *testing.T, dir string, words ...string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, w := range words {
			if strings.Contains(string(b), w) {
				found = append(found, p+": "+w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// searchHits returns the ids each query finds in the archive of data.
func searchHits(t *testing.T, data string, queries []string) map[string][]va.RecordID {
	t.Helper()
	c := openData(t, data)
	defer c.Close()
	out := map[string][]va.RecordID{}
	for _, q := range queries {
		res, err := c.archive.Search(va.WithActor(t.Context(), "operator"), va.SearchQuery{Text: q, Size: va.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			out[q] = append(out[q], h.ID)
		}
		slices.Sort(out[q])
	}
	return out
}

// TestBackupAndRestoreOnDisk backs an archive up to a directory, twice;
// destroys a record and backs up again; restores into a new directory,
// which passes verify, opens with the key file and answers searches as
// the original; and a drill passes, until a byte of the backup is flipped.
func TestBackupAndRestoreOnDisk(t *testing.T) {
	data, target := t.TempDir(), filepath.Join(t.TempDir(), "backup")
	mustCLI(t, "keys", "init", "--data", data)
	people(t, data)
	mustCLI(t, "import", "--data", data, "--actor", "carol", visits(t, 1, 30))
	first := backupOnce(t, "--data", data, "--to", target)
	mustCLI(t, "import", "--data", data, "--actor", "carol", visits(t, 31, 10))
	second := backupOnce(t, "--data", data, "--to", target)
	// Ten records, their data keys, the import's entry; the last pass's
	// manifest and entry; a checkpoint or two.
	if second < 20 || second > 30 || first < 60 {
		t.Errorf("first pass copied %d objects, the second, after ten records, %d; want about 20", first, second)
	}
	if found := grepTree(t, target, doomedSummary); len(found) == 0 {
		t.Fatalf("the backup does not hold the record's summary in clear: the grep below proves nothing")
	}

	archiveAndDestroy(t, data, "R001")
	out := mustCLI(t, "backup", "--data", data, "--to", target)
	if !regexp.MustCompile(`[1-9]\d* removed as the journal removed them`).MatchString(out) {
		t.Errorf("the pass after the destruction removed nothing:\n%s", out)
	}
	if found := grepTree(t, target, doomedSummary, doomedPhone); len(found) > 0 {
		t.Errorf("the backup still holds the destroyed record: %v", found)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	out = mustCLI(t, "restore", "--from", target, "--data", restored, "--keys", filepath.Join(data, "keyring.json"))
	for _, want := range []string{"0 problem(s)", "it opens the encrypted fields", "rebuilt the index: 39 record(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore output lacks %q", want)
		}
	}
	if !regexp.MustCompile(`[1-9]\d* object\(s\) left out, destroyed`).MatchString(out) {
		t.Errorf("the restore left nothing out as destroyed")
	}
	if found := grepTree(t, restored, doomedSummary, doomedPhone); len(found) > 0 {
		t.Errorf("the restore holds the destroyed record: %v", found)
	}
	// The operator's own copy of the key file.
	copyFile(t, filepath.Join(data, "keyring.json"), filepath.Join(restored, "keyring.json"))
	if out, err := cli(t, "verify", "--data", restored); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify of the restore: %v", err)
	}
	queries := []string{"数据中心", "散热问题", "battery", "LX-3021B", "inverter samples", "QX7781"}
	want, got := searchHits(t, data, queries), searchHits(t, restored, queries)
	for _, q := range queries {
		if !slices.Equal(got[q], want[q]) {
			t.Errorf("search %q: the restore finds %v, the original %v", q, got[q], want[q])
		}
	}
	if len(want["数据中心"]) == 0 || len(want["battery"]) == 0 {
		t.Errorf("the searches find nothing: %v", want)
	}

	if _, err := cli(t, "restore", "--from", target, "--data", restored, "--keys", filepath.Join(data, "keyring.json")); err == nil {
		t.Errorf("a restore into a store that is not empty succeeded")
	}
	checkDrill(t, data, target)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// checkDrill runs a drill, which passes, then flips a byte of a record in
// the backup: a drill and a restore fail naming it.
func checkDrill(t *testing.T, data, target string) {
	t.Helper()
	keys := filepath.Join(data, "keyring.json")
	out := mustCLI(t, "restore", "--drill", "--from", target, "--keys", keys)
	for _, want := range []string{"restore drill passed", "search customer_type=key", "0 problem(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("drill output lacks %q", want)
		}
	}
	key := "records/R007/0000000001.json"
	testenv.FlipByte(t, filepath.Join(target, "objects", key))
	out, err := cli(t, "restore", "--drill", "--from", target, "--keys", keys)
	if !errors.Is(err, errFailed) || !strings.Contains(out, "restore drill FAILED") || !strings.Contains(out, key) {
		t.Errorf("drill over a flipped byte: %v\n%s", err, out)
	}
	_, err = cli(t, "restore", "--from", target, "--data", filepath.Join(t.TempDir(), "r"), "--keys", keys)
	if err == nil || !strings.Contains(err.Error(), key) {
		t.Errorf("restore over a flipped byte: %v, want it to name %s", err, key)
	}
}

// TestBackupToMinIO backs a disk archive up to a bucket under a prefix,
// incrementally, and runs a drill from it.
func TestBackupToMinIO(t *testing.T) {
	cfg := s3test.Config(t, false)
	t.Setenv("VISITARCHIVE_BACKUP_S3_SECRET_KEY", cfg.SecretKey)
	data := t.TempDir()
	s3flags := []string{"--backup-s3-endpoint", cfg.Endpoint, "--backup-s3-access-key", cfg.AccessKey}
	target := "s3://" + cfg.Bucket + "/nightly"
	mustCLI(t, "keys", "init", "--data", data)
	people(t, data)
	mustCLI(t, "import", "--data", data, "--actor", "carol", visits(t, 1, 12))
	first := backupOnce(t, append([]string{"--data", data, "--to", target}, s3flags...)...)
	mustCLI(t, "import", "--data", data, "--actor", "carol", visits(t, 13, 10))
	second := backupOnce(t, append([]string{"--data", data, "--to", target}, s3flags...)...)
	if second < 20 || second > 30 || first < 24 {
		t.Errorf("first pass copied %d objects, the second, after ten records, %d; want about 20", first, second)
	}
	out := mustCLI(t, append([]string{"restore", "--drill", "--from", target, "--keys", filepath.Join(data, "keyring.json")}, s3flags...)...)
	if !strings.Contains(out, "restore drill passed") || !strings.Contains(out, "rebuilt the index: 22 record(s)") {
		t.Errorf("drill from MinIO:\n%s", out)
	}

	// Into an empty bucket, its index in a new directory.
	into := s3test.Config(t, false)
	t.Setenv("VISITARCHIVE_S3_SECRET_KEY", into.SecretKey)
	dest := []string{"--storage", "s3", "--s3-endpoint", into.Endpoint, "--s3-access-key", into.AccessKey,
		"--s3-bucket", into.Bucket, "--s3-create-bucket", "--data", t.TempDir()}
	out = mustCLI(t, append(append([]string{"restore", "--from", target, "--keys", filepath.Join(data, "keyring.json")}, s3flags...), dest...)...)
	if !strings.Contains(out, "0 problem(s)") || !strings.Contains(out, "it opens the encrypted fields") {
		t.Errorf("restore into a bucket:\n%s", out)
	}
	dest[len(dest)-1] = t.TempDir() // a new index, the same bucket
	_, err := cli(t, append(append([]string{"restore", "--from", target, "--keys", filepath.Join(data, "keyring.json")}, s3flags...), dest...)...)
	if err == nil || !strings.Contains(err.Error(), "the destination is not empty") {
		t.Errorf("a second restore into the same bucket: %v", err)
	}
}

// TestServeBacksUpAfterADestruction: serve, given a backup target in its
// config file, reports the backups in /readyz and /metrics, and runs a
// pass within seconds of a destruction, which removes the destroyed
// record from the target.
func TestServeBacksUpAfterADestruction(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data, target := t.TempDir(), filepath.Join(t.TempDir(), "backup")
	mustCLI(t, "keys", "init", "--data", data)
	people(t, data)
	mustCLI(t, "import", "--data", data, "--actor", "carol", visits(t, 1, 4))
	backupOnce(t, "--data", data, "--to", target)
	cfg := writeConfig(t, `{"backup": {"target": "`+target+`", "every": "1h"}}`)
	base, cmd, _, logs := startServerLogs(t, data, "VISITARCHIVE_CONFIG="+cfg, "VISITARCHIVE_LOG_LEVEL=debug")
	if got := readyDetail(t, base); !strings.Contains(got, "backup: no pass succeeded yet") {
		t.Errorf("readyz detail = %q", got)
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "job=backup-after-destruction") }, "the first look for destructions")
	archiveAndDestroy(t, data, "R001")
	waitFor(t, func() bool { return strings.Contains(readyDetail(t, base), "last success") }, "a backup pass after the destruction")
	if found := grepTree(t, target, doomedSummary, doomedPhone); len(found) > 0 {
		t.Errorf("the backup still holds the destroyed record: %v", found)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"visitarchive_backup_last_sequence", "visitarchive_backup_failures_total 0", `visitarchive_job_items_total{job="backup-after-destruction"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

func readyDetail(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ Detail string }
	json.NewDecoder(resp.Body).Decode(&st)
	return st.Detail
}
