package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/s3"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

// api calls a running server as one of its users.
type api struct {
	t      *testing.T
	base   string
	tokens map[string]string
}

// do sends body (JSON, or none) to path as who, with If-Match version
// when it is not 0, and returns the status and the answer.
func (c *api) do(who, method, path, body string, version int) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.tokens[who])
	if version != 0 {
		req.Header.Set("If-Match", strconv.Itoa(version))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s as %s: %v", method, path, who, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must is do that fails the test unless the answer has status want, and
// decodes it into v (when not nil).
func (c *api) must(want int, v any, who, method, path, body string, version int) {
	c.t.Helper()
	status, b := c.do(who, method, path, body, version)
	if status != want {
		c.t.Fatalf("%s %s as %s: %d %s, want %d", method, path, who, status, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// doomedMarks are what each doomed record holds, by its index: its
// summary, its contact phone (sealed) and its attachment's content.
func doomedMarks(i int) []string {
	return []string{fmt.Sprintf("销毁摘要KQ%d77", i), fmt.Sprintf("1380000%04d", 7700+i), fmt.Sprintf("附件ZX%d42", i)}
}

// keptMark is the summary of the record that no list names.
const keptMark = "保留摘要KEEP991"

// disposal is an archive ready for a destruction: three records of 2014
// on an approved list witnessed twice, one record (of a key customer,
// kept thirty years) on no list, and the tokens of its users.
type disposal struct {
	// s3 is the bucket the store is on, nil for the disk.
	s3      *s3.Config
	data    string
	tokens  map[string]string
	list    string
	version int
	doomed  []string
	kept    string
}

// prepareDisposal builds a disposal in a data directory of its own and
// stops its server.
func prepareDisposal(t *testing.T, bucket *s3.Config) *disposal {
	t.Helper()
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	mustCLI(t, "user", "dept", "--data", data, "--actor", "setup", "sales1", "Sales 1")
	mustCLI(t, "user", "dept", "--data", data, "--actor", "setup", "admin", "行政部")
	users := map[string][]string{
		"alice": {"--department", "sales1", "alice", "employee"},
		"sam":   {"--department", "sales1", "--heads", "sales1", "sam", "supervisor"},
		"ann":   {"--department", "admin", "ann", "archivist"},
		"arc":   {"--department", "admin", "arc", "archivist"},
		"max":   {"--department", "admin", "max", "manager"},
		"aud":   {"--department", "admin", "aud", "auditor"},
	}
	passwords := map[string]string{}
	for name, args := range users {
		out := mustCLI(t, append([]string{"user", "add", "--data", data, "--actor", "setup"}, args...)...)
		passwords[name] = shownPassword(t, out)
	}
	base, cmd := startServer(t, data)
	c := &api{t: t, base: base, tokens: map[string]string{}}
	for name, pw := range passwords {
		c.tokens[name] = apiToken(t, base, name, pw)
	}
	d := &disposal{s3: bucket, data: data, tokens: c.tokens}
	c.must(201, nil, "alice", "POST", "/api/v1/customers", `{"id":"C2","name":"Beta GmbH","customer_type":"regular","business_area":"textiles","country":"FR"}`, 0)
	c.must(201, nil, "alice", "POST", "/api/v1/customers", `{"id":"K1","name":"Acme","customer_type":"key","business_area":"machinery","country":"DE"}`, 0)
	for i := range 3 {
		m := doomedMarks(i)
		d.doomed = append(d.doomed, archivedRecord2014(c, "C2", m[0], m[1], m[2]))
	}
	d.kept = archivedRecord2014(c, "K1", keptMark, "13900001111", "附件KEEP")
	d.list, d.version = witnessedList(c, d.doomed)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	return d
}

// archivedRecord2014 files, approves and archives a record of a visit to
// customer in March 2014 with an attachment, and returns its id.
func archivedRecord2014(c *api, customer, summary, phone, attachment string) string {
	c.t.Helper()
	var r struct {
		ID      string
		Version int
	}
	c.must(201, &r, "alice", "POST", "/api/v1/records", `{"customer_id":"`+customer+`","visit_start":"2014-03-10T09:00:00+08:00",`+
		`"visit_end":"2014-03-10T11:00:00+08:00","location":"Hamburg","visitors":["alice"],"department":"sales1",`+
		`"contact_name":"Hans","contact_phone":"`+phone+`","topic":"年度回访","summary":"`+summary+`","cooperation_intent":"high",`+
		`"follow_up":"send the offer","onsite_notes":"toured the plant","decision_chain":[{"name":"李总","role":"CEO","attitude":"support"}]}`, 0)
	if status, b := upload(c.t, c.base, c.tokens["alice"], "/api/v1/records/"+r.ID+"/attachments", "备忘.txt", []byte(attachment)); status != 201 {
		c.t.Fatalf("attach: %d %s", status, b)
	}
	path := "/api/v1/records/" + r.ID
	c.must(200, &r, "alice", "POST", path+"/submit", "", r.Version)
	c.must(200, &r, "sam", "POST", path+"/approve", `{"comment":"complete"}`, r.Version)
	c.must(200, &r, "ann", "POST", path+"/archive", `{}`, r.Version)
	return r.ID
}

// appraisal is what the tests read of an appraisal list.
type appraisal struct {
	ID          string
	Version     int
	State       string
	Destruction string
	Entries     []struct{ Record string }
}

// witnessedList runs a retention pass, destroys every entry of the one
// list it makes, which must list exactly records, and has it approved
// and witnessed; it returns the list's id and version.
func witnessedList(c *api, records []string) (string, int) {
	c.t.Helper()
	var run struct{ Lists []appraisal }
	c.must(200, &run, "ann", "POST", "/api/v1/appraisals", "", 0)
	if len(run.Lists) != 1 || len(run.Lists[0].Entries) != len(records) {
		c.t.Fatalf("appraisal pass: %+v, want one list of %v", run, records)
	}
	l := run.Lists[0]
	var decisions []string
	for _, e := range l.Entries {
		decisions = append(decisions, `{"record":"`+e.Record+`","decision":"destroy","reason":"无继续保存价值"}`)
	}
	path := "/api/v1/appraisals/" + l.ID
	c.must(200, &l, "ann", "POST", path+"/decide", `{"decisions":[`+strings.Join(decisions, ",")+`]}`, l.Version)
	c.must(200, &l, "ann", "POST", path+"/submit", "", l.Version)
	c.must(200, &l, "max", "POST", path+"/approve", "", l.Version)
	c.must(200, &l, "aud", "POST", path+"/witness", "", l.Version)
	c.must(200, &l, "arc", "POST", path+"/witness", "", l.Version)
	return l.ID, l.Version
}

// copyData copies data directory src to a new one.
func copyData(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("copy the data directory: %v %s", err, out)
	}
	return dst
}

// executeKilledAt executes the list of d on a server over data that
// stops at crash point at, kills it there with SIGKILL, and returns once
// it is dead. An empty at executes without a crash.
func executeKilledAt(t *testing.T, d *disposal, data, at string) {
	t.Helper()
	if at == "" {
		base, cmd := startServer(t, data)
		c := &api{t: t, base: base, tokens: d.tokens}
		c.must(200, nil, "max", "POST", "/api/v1/appraisals/"+d.list+"/execute", "", d.version)
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		return
	}
	base, cmd, stdout := startServerOut(t, data, crashAtEnv+"="+at)
	c := &api{t: t, base: base, tokens: d.tokens}
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest("POST", base+"/api/v1/appraisals/"+d.list+"/execute", nil)
		req.Header.Set("Authorization", "Bearer "+c.tokens["max"])
		req.Header.Set("If-Match", strconv.Itoa(d.version))
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Errorf("execute answered %d %s before the kill at %s", resp.StatusCode, b, at)
		}
	}()
	want := crashLine + " " + at
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stdout.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server never reached %s:\n%s", at, stdout.String())
		}
	}
	cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	cmd.Wait()
	<-done
}

// endState is what a finished execution leaves, to compare runs by.
type endState struct {
	Objects  []string // the keys in the store, the journal's, its checkpoints and sessions aside
	Register []string // the register's lines: sequence, record, objects
	List     string   // the list's state and destruction
}

// checkExecuted checks, on a server restarted over data after an
// execution of d, that every record of the list is destroyed everywhere,
// the register lists each once, the list is executed, verify passes and
// the kept record is whole; it returns the end state.
func checkExecuted(t *testing.T, d *disposal, data string) endState {
	t.Helper()
	base, _ := startServer(t, data)
	c := &api{t: t, base: base, tokens: d.tokens}
	var st endState
	var l appraisal
	c.must(200, &l, "aud", "GET", "/api/v1/appraisals/"+d.list, "", 0)
	if l.State != "executed" || l.Destruction == "" {
		t.Errorf("the list after the restart: %+v, want it executed", l)
	}
	st.List = l.State + " " + l.Destruction
	st.Register = checkRegister(c, d, l.Destruction)
	for i, id := range d.doomed {
		if status, b := c.do("aud", "GET", "/api/v1/records/"+id, "", 0); status != 404 {
			t.Errorf("destroyed record %s: %d %s, want 404", id, status, b)
		}
		for _, q := range []string{doomedMarks(i)[0], "年度回访"} {
			var res struct{ Hits []struct{ ID string } }
			c.must(200, &res, "aud", "GET", "/api/v1/search?q="+q, "", 0)
			if slices.ContainsFunc(res.Hits, func(h struct{ ID string }) bool { return h.ID == id }) {
				t.Errorf("search %s finds destroyed record %s", q, id)
			}
		}
	}
	var kept struct{ Summary string }
	c.must(200, &kept, "aud", "GET", "/api/v1/records/"+d.kept, "", 0)
	if kept.Summary != keptMark {
		t.Errorf("the kept record: %+v", kept)
	}
	if out, err := cli(t, "verify", "--data", data); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify: %v\n%s", err, out)
	}
	if d.s3 != nil {
		st.Objects = bucketKeys(t, d)
	} else {
		st.Objects = storeKeys(t, d, data)
	}
	checkNoBytes(t, d, data)
	return st
}

// checkRegister checks the register of destruction id: every record of
// d once; it returns its lines.
func checkRegister(c *api, d *disposal, id string) []string {
	c.t.Helper()
	var reg struct {
		Witnesses []string
		Approver  string
		Entries   []struct {
			Seq     int
			Record  string
			Objects int
		}
	}
	c.must(200, &reg, "aud", "GET", "/api/v1/destructions/"+id+"/register", "", 0)
	var lines, ids []string
	for _, e := range reg.Entries {
		lines = append(lines, fmt.Sprintf("%d %s %d", e.Seq, e.Record, e.Objects))
		ids = append(ids, e.Record)
	}
	slices.Sort(ids)
	if want := slices.Sorted(slices.Values(d.doomed)); !slices.Equal(ids, want) || reg.Approver != "max" || len(reg.Witnesses) != 2 {
		c.t.Errorf("register: %+v, want each of %v once", reg, want)
	}
	return lines
}

// storeKeys lists the store's objects and checks that none is of a
// destroyed record; it leaves out the journal, its checkpoints (a server
// stopped cleanly writes one) and the sign-ins.
func storeKeys(t *testing.T, d *disposal, data string) []string {
	t.Helper()
	root := filepath.Join(data, "store", "objects")
	var keys []string
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		key, _ := filepath.Rel(root, p)
		key = filepath.ToSlash(key)
		for _, id := range d.doomed {
			if destroyedObject(key, id) {
				t.Errorf("object %s of destroyed record %s is still stored", key, id)
			}
		}
		if compared(key) {
			keys = append(keys, key)
		}
		return nil
	})
	return keys
}

// destroyedObject reports whether key is an object of destroyed record
// id: the journal and the destruction name it, and its data key's mark
// says the key is destroyed, but nothing else may.
func destroyedObject(key, id string) bool {
	return strings.Contains(key, id) && !strings.HasPrefix(key, "journal/") && !strings.HasPrefix(key, "destructions/") &&
		key != "datakeys/records/"+id+"/destroyed.json"
}

// compared reports whether key is in the end state runs are compared
// by: the journal, its checkpoints (a server stopped cleanly writes one)
// and the sign-ins are not.
func compared(key string) bool {
	return !strings.HasPrefix(key, "journal/") && !strings.HasPrefix(key, "checkpoints/") && !strings.HasPrefix(key, "sessions/")
}

// checkNoBytes reads every file under data: none may hold what a
// destroyed record held.
func checkNoBytes(t *testing.T, d *disposal, data string) {
	t.Helper()
	var secrets []string
	for i := range d.doomed {
		secrets = append(secrets, doomedMarks(i)...)
	}
	if found := testenv.FileHolding(data, secrets); found != "" {
		t.Errorf("after the destruction: %s", found)
	}
}

// TestKillNineDuringDestruction executes an approved, witnessed list on
// a server killed with SIGKILL at each point of the destruction, restarts
// it, and finds the end state of an execution never interrupted: every
// record destroyed everywhere (store, index files, search), the register
// listing each once, the list executed, verify clean, the other record
// whole.
func TestKillNineDuringDestruction(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills servers")
	}
	d := prepareDisposal(t, nil)
	data := copyData(t, d.data)
	executeKilledAt(t, d, data, "")
	want := checkExecuted(t, d, data)
	for _, at := range []string{"destroy.after-intent", "destroy.after-record:1", "destroy.after-record:2",
		"destroy.before-index", "destroy.before-done", "destroy.before-list"} {
		t.Run(at, func(t *testing.T) {
			data := copyData(t, d.data)
			executeKilledAt(t, d, data, at)
			got := checkExecuted(t, d, data)
			if !slices.Equal(got.Objects, want.Objects) || !slices.Equal(got.Register, want.Register) || got.List != want.List {
				t.Errorf("end state after a kill at %s:\n%+v\nwant (uninterrupted)\n%+v", at, got, want)
			}
		})
	}
}

// TestKillNineDuringDestructionOnMinIO kills a server on an object-lock
// bucket after the first record of a list is destroyed; the restart
// completes the destruction.
func TestKillNineDuringDestructionOnMinIO(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills servers")
	}
	cfg := s3test.Config(t, true)
	for name, v := range map[string]string{"STORAGE": "s3", "S3_ENDPOINT": cfg.Endpoint, "S3_BUCKET": cfg.Bucket,
		"S3_ACCESS_KEY": cfg.AccessKey, "S3_SECRET_KEY": cfg.SecretKey, "S3_CREATE_BUCKET": "true"} {
		t.Setenv("VISITARCHIVE_"+name, v)
	}
	d := prepareDisposal(t, &cfg)
	executeKilledAt(t, d, d.data, "destroy.after-record:1")
	st := checkExecuted(t, d, d.data)
	if !slices.ContainsFunc(st.Objects, func(k string) bool { return strings.HasPrefix(k, "records/"+d.kept+"/") }) {
		t.Errorf("the kept record's objects are gone from the bucket: %v", st.Objects)
	}
}

// bucketKeys lists the objects of the bucket of d, checks that none is
// of a destroyed record nor holds what one held, and returns their keys,
// the journal's, its checkpoints and sessions aside.
func bucketKeys(t *testing.T, d *disposal) []string {
	t.Helper()
	cfg := *d.s3
	cfg.CreateBucket = false
	st, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for info, err := range st.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		rc, _, err := st.Get(t.Context(), info.Key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		for i, id := range d.doomed {
			if destroyedObject(info.Key, id) {
				t.Errorf("object %s of destroyed record %s is still stored", info.Key, id)
			}
			for _, m := range doomedMarks(i) {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("object %s holds %s", info.Key, m)
				}
			}
		}
		if compared(info.Key) {
			keys = append(keys, info.Key)
		}
	}
	return keys
}
