package main

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/scantest"
)

// scanPhrase is planted in a page of a batch: no file under the data
// directory may hold it in clear.
const scanPhrase = "PLANTED-IMPORT-SCANS-4411"

// scanFolder writes a folder to file: a PDF batch (a stray page, R1's
// cover sheet and a page, the cover sheet of a record that does not
// exist and a page, R2's cover sheet and a page), a folder of page images
// (a stray page, R2's cover sheet, a page), a loose photo and a text file.
func scanFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("01 batch.pdf", scantest.PDF(t,
		scantest.Text("stray page"),
		scantest.Scanned(t, scantest.Cover(t, "R1")),
		scantest.Text("form of R1", scanPhrase),
		scantest.Scanned(t, scantest.Cover(t, "R9")),
		scantest.Text("form of nobody"),
		scantest.Scanned(t, scantest.Cover(t, "R2")),
		scantest.Text("form of R2"),
	))
	write("02 pages/p1.png", scantest.PNG(t, scantest.Form(1)))
	write("02 pages/p2.jpg", scantest.JPEG(t, scantest.Cover(t, "R2")))
	write("02 pages/p10.png", scantest.PNG(t, scantest.Form(10)))
	write("photo.jpg", scantest.JPEG(t, scantest.Form(3)))
	write("notes.txt", []byte("not a scan\n"))
	return dir
}

func readRun(t *testing.T, path string) scanRun {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r scanRun
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestImportScans files a folder in one run: the PDF split, its parts
// filed to R1 and R2 and the rest in the inbox, the folder of page
// images split the same way, the photo in the inbox, the text file
// skipped; the report says so on stdout and in JSON. A run again adds
// nothing; acting as an archivist, the policy decides; verify finds
// nothing wrong, and the planted phrase is nowhere in clear.
func TestImportScans(t *testing.T) {
	scantest.NeedPoppler(t)
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	cli(t, "import", "--data", data, "--actor", "carol", writeImport(t)) // R1, R2 (and a line refused)
	dir := scanFolder(t)
	report := filepath.Join(t.TempDir(), "report.json")
	out := mustCLI(t, "import-scans", "--data", data, "--actor", "ann", "--report", report, dir)
	for _, want := range []string{
		"01 batch.pdf (7 pages)",
		"page 1       → scan inbox as S",
		": pages before the first cover sheet",
		"page 3       → record R1 as F",
		"page 5       → scan inbox as S",
		": cover sheet names record R9, which does not exist",
		"page 7       → record R2 as F",
		"02 pages (3 pages)",
		"page 3       → record R2 as F",
		"photo.jpg → scan inbox as S",
		"notes.txt: skipped: a file of type text/plain; charset=utf-8, not a PDF, JPEG, PNG or TIFF file",
		"filed 3 part(s) to their records, put 4 into the scan inbox, 0 there before, 0 empty; 1 skipped, 0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	run := readRun(t, report)
	if run.Actor != "ann" || len(run.Batches) != 4 || run.Totals != (scanTotals{Filed: 3, Inbox: 4, Skipped: 1}) {
		t.Fatalf("report = %+v", run)
	}
	if b := run.Batches[0]; b.Kind != "pdf" || b.Pages != 7 || len(b.Parts) != 4 || b.Parts[2].Reason != "cover sheet names record R9, which does not exist" {
		t.Errorf("the PDF = %+v", b)
	}

	// What R1 and R2 hold, and the inbox.
	c := openData(t, data)
	ctx := va.WithActor(t.Context(), "test")
	for rid, n := range map[va.RecordID]int{"R1": 1, "R2": 2} {
		atts, err := c.archive.Attachments(ctx, rid)
		if err != nil || len(atts) != n {
			t.Fatalf("attachments of %s = %+v, %v", rid, atts, err)
		}
		for _, a := range atts {
			if !a.Scanned || a.UploadedBy != "ann" {
				t.Errorf("attachment of %s = %+v", rid, a)
			}
		}
	}
	page, err := c.archive.ListScans(ctx, va.ScanFilter{})
	if err != nil || page.Total != 4 {
		t.Fatalf("inbox = %+v, %v", page, err)
	}
	for _, s := range page.Scans {
		if s.Source.Via != va.ScanViaImport || s.AddedBy != "ann" {
			t.Errorf("scan = %+v", s)
		}
	}
	c.Close()

	// Again: all there already.
	out = mustCLI(t, "import-scans", "--data", data, "--actor", "ann", "--report", report, dir)
	if run := readRun(t, report); run.Totals != (scanTotals{Already: 7, Skipped: 1}) {
		t.Errorf("again: totals %+v\n%s", run.Totals, out)
	}

	// As the archivist ann, who may not see the draft R1: its cover sheet
	// names no record she may file to.
	mustCLI(t, "user", "dept", "--data", data, "--actor", "setup", "admin", "Administration")
	mustCLI(t, "user", "add", "--data", data, "--actor", "setup", "--department", "admin", "ann", "archivist")
	one := t.TempDir()
	pdf := scantest.PDF(t, scantest.Scanned(t, scantest.Cover(t, "R1")), scantest.Text("another form of R1"))
	if err := os.WriteFile(filepath.Join(one, "one.pdf"), pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out = mustCLI(t, "import-scans", "--data", data, "--as", "ann", one)
	if !strings.Contains(out, "page 2       → scan inbox as S") || !strings.Contains(out, "cover sheet names record R1, which does not exist") {
		t.Errorf("as ann:\n%s", out)
	}
	if _, err := cli(t, "import-scans", "--data", data, "--as", "nobody", one); err == nil || !strings.Contains(err.Error(), "--as nobody") {
		t.Errorf("as nobody: %v", err)
	}

	if out, err := cli(t, "verify", "--data", data); err != nil || !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify: %v\n%s", err, out)
	}
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(scanPhrase)) {
				t.Errorf("%s holds the planted phrase in clear", p)
			}
		}
		return err
	})
}

// openData opens the archive in data beside the commands, as they do.
func openData(t *testing.T, data string) *components {
	t.Helper()
	fs, sf := newFlags("test", io.Discard)
	if err := fs.Parse([]string{"--data", data}); err != nil {
		t.Fatal(err)
	}
	c, err := sf.openBeside(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
