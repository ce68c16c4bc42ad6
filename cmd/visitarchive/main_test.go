package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

// TestMain doubles as the visitarchive binary when a test starts this test
// binary as a child process (see startServer).
func TestMain(m *testing.M) {
	if os.Getenv("VISITARCHIVE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	s3test.Main(m)
}

const importFile = `{"customer":{"id":"C1","name":"Acme Trading Ltd","customer_type":"regular","country":"US"}}
{"record":{"id":"R1","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z","summary":"讨论 LX-3021B 报价","contact_phone":"+1 555 0100"}}
{"record":{"id":"R2","customer_id":"C1","visit_start":"2026-03-02T09:00:00Z","visit_end":"2026-03-02T10:00:00Z","summary":"数据中心项目","contact_email":"buyer@example.com"}}
{"record":{"customer_id":"C9","visit_start":"2026-03-01T09:00:00Z","visit_end":"2026-03-01T10:00:00Z"}}
`

// cli runs one command in process and returns its output.
func cli(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, &out, &errOut)
	t.Logf("visitarchive %s\n%s%s", strings.Join(args, " "), out.String(), errOut.String())
	return out.String(), err
}

func writeImport(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(p, []byte(importFile), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportVerifyReindexOnDisk(t *testing.T) {
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	out, err := cli(t, "import", "--data", data, "--actor", "carol", writeImport(t))
	if !errors.Is(err, errFailed) {
		t.Errorf("import with a rejected line: err %v, want a failure exit", err)
	}
	for _, want := range []string{"line 4: rejected: the record names a customer that does not exist", "imported 1 customers and 2 records"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q", want)
		}
	}
	if out, err := cli(t, "verify", "--data", data); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify of an untouched store: %v\n%s", err, out)
	}
	if out, err := cli(t, "reindex", "--data", data); err != nil || !strings.Contains(out, "indexed 2 records") {
		t.Errorf("reindex: %v\n%s", err, out)
	}

	// Change one byte of a record file behind the store's back.
	testenv.FlipByte(t, filepath.Join(data, "store", "objects", "records", "R2", "0000000001.json"))
	out, err = cli(t, "verify", "--data", data)
	want := "seq 1 records/R2/0000000001.json: object altered: its content no longer matches its hash"
	if !errors.Is(err, errFailed) || !strings.Contains(out, want) || !strings.Contains(out, "1 problem(s)") {
		t.Errorf("verify after tampering: err %v, output\n%s\nwant %q", err, out, want)
	}
}

func TestImportAndVerifyOnMinIO(t *testing.T) {
	cfg := s3test.Config(t, true)
	t.Setenv("VISITARCHIVE_S3_SECRET_KEY", cfg.SecretKey)
	flags := []string{"--data", t.TempDir(), "--storage", "s3", "--s3-endpoint", cfg.Endpoint,
		"--s3-bucket", cfg.Bucket, "--s3-access-key", cfg.AccessKey, "--s3-create-bucket"}
	mustCLI(t, append([]string{"keys", "init"}, flags...)...)
	out, err := cli(t, append(append([]string{"import"}, flags...), "--actor", "carol", writeImport(t))...)
	if !errors.Is(err, errFailed) || !strings.Contains(out, "imported 1 customers and 2 records") {
		t.Errorf("import on MinIO: %v\n%s", err, out)
	}
	if out, err := cli(t, append([]string{"verify"}, flags...)...); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify on MinIO: %v\n%s", err, out)
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, err := cli(t, "frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %v", err)
	}
}

// TestAuditCommand runs the four-property audit on an imported archive:
// it passes in every format, and a changed byte fails it, naming the
// object.
func TestAuditCommand(t *testing.T) {
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	cli(t, "import", "--data", data, "--actor", "carol", writeImport(t))
	dir := t.TempDir()
	for _, format := range []string{"json", "html", "xlsx"} {
		out := filepath.Join(dir, "report."+format)
		if _, err := cli(t, "audit", "--data", data, "--format", format, "--out", out); err != nil {
			t.Fatalf("audit --format %s: %v", format, err)
		}
		if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
			t.Errorf("report %s: %v", format, err)
		}
	}
	testenv.FlipByte(t, filepath.Join(data, "store", "objects", "records", "R1", "0000000001.json"))
	out, err := cli(t, "audit", "--data", data)
	if !errors.Is(err, errFailed) || !strings.Contains(out, `"object": "records/R1/0000000001.json"`) {
		t.Errorf("audit of a changed record: %v\n%s", err, out)
	}
	if _, err := cli(t, "audit", "--data", data, "--format", "pdf"); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("audit --format pdf: %v", err)
	}
}
