package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/s3"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.Stop()
	testenv.RemoveExtractChild()
	os.Exit(code)
}

// backends open the store of a test server: the disk store, and a bucket
// of the MinIO of s3test.
var backends = map[string]func(t *testing.T) func(*testing.T) visitarchive.Store{
	"disk": func(*testing.T) func(*testing.T) visitarchive.Store { return nil },
	"minio": func(t *testing.T) func(*testing.T) visitarchive.Store {
		cfg := s3test.Config(t, true)
		return func(t *testing.T) visitarchive.Store {
			s, err := s3.Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	},
}

// forEachBackend runs test on a test server over each store.
func forEachBackend(t *testing.T, test func(t *testing.T, ts *testServer), adjust ...func(*Config)) {
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			test(t, newTestServerOver(t, open(t), nil, adjust...))
		})
	}
}

// filePart is one part of a multipart upload.
type filePart struct {
	field, name string
	body        []byte
}

func file(name string, body []byte) filePart { return filePart{"file", name, body} }

// multipartBody encodes parts as multipart/form-data and returns the body
// and its content type. A name is sent as browsers send it: raw UTF-8.
func multipartBody(t *testing.T, parts ...filePart) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := fmt.Sprintf(`form-data; name=%q`, p.field)
		if p.name != "" {
			cd += `; filename="` + p.name + `"`
		}
		h.Set("Content-Disposition", cd)
		h.Set("Content-Type", "application/octet-stream")
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

func attachmentsURL(rid visitarchive.RecordID) string {
	return "/api/v1/records/" + string(rid) + "/attachments"
}

// upload posts parts to the attachments of record rid as who.
func (ts *testServer) upload(who string, rid visitarchive.RecordID, parts ...filePart) *result {
	ts.t.Helper()
	body, ct := multipartBody(ts.t, parts...)
	return ts.callAs(who, "POST", attachmentsURL(rid), body, "Content-Type", ct)
}

// uploaded posts parts, which must be taken, and returns their attachments.
func (ts *testServer) uploaded(who string, rid visitarchive.RecordID, parts ...filePart) []visitarchive.Attachment {
	ts.t.Helper()
	var list attachmentList
	ts.upload(who, rid, parts...).want(ts.t, http.StatusCreated).decode(ts.t, &list)
	if list.Record != rid || len(list.Attachments) != len(parts) {
		ts.t.Fatalf("upload answered %+v", list)
	}
	return list.Attachments
}

// draft creates a draft record of alice's (with contact details, so with a
// data key).
func (ts *testServer) draft() *visitarchive.Record {
	ts.t.Helper()
	ts.createCustomer(customerJSON)
	return ts.createRecord(recordJSON("acme", "Kick-off", "2026-03-01T09:00:00+08:00"))
}

// state is what a failed upload must leave as it was: the objects of the
// store and the head of the journal.
type state struct {
	objects int
	head    uint64
}

func (ts *testServer) state() state {
	ts.t.Helper()
	n := 0
	for _, err := range ts.Store.List(ts.t.Context(), "", "") {
		if err != nil {
			ts.t.Fatal(err)
		}
		n++
	}
	head, err := ts.Journal.Head(ts.t.Context())
	if err != nil {
		ts.t.Fatal(err)
	}
	return state{n, head}
}

// unchanged fails the test unless the store and the journal are as in
// before.
func (ts *testServer) unchanged(t *testing.T, what string, before state) {
	t.Helper()
	if after := ts.state(); after != before {
		t.Errorf("%s: objects %d → %d, journal head %d → %d; want nothing left", what, before.objects, after.objects, before.head, after.head)
	}
}

func hexSHA(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestAttachmentTypes uploads a file of every accepted kind in one
// request, with a Chinese name and a name whose extension lies, lists
// them and downloads each, whole and by range, on both stores.
func TestAttachmentTypes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, ts *testServer) {
		r := ts.draft()
		files := []struct {
			name string
			body []byte
			want string
		}{
			{"拜访记录 2026年3月.pdf", pdfFile(), "application/pdf"},
			{"photo.png", pngFile(t), "image/png"},
			{"名片.jpg", jpegFile(t), "image/jpeg"},
			{"scan.tif", tiffFile(), "image/tiff"},
			{"纪要.txt", []byte("客户：华东电气\n需求：储能柜 LX-3021B\n"), "text/plain; charset=utf-8"},
			{"报价.docx", ooxmlFile(t, "word"), visitarchive.MediaDocx},
			{"报价.xlsx", ooxmlFile(t, "xl"), visitarchive.MediaXlsx},
			{"old.doc", cfbFile("WordDocument"), visitarchive.MediaDoc},
			{"old.xls", cfbFile("Workbook"), visitarchive.MediaXls},
			{"really a png.pdf", pngFile(t), "image/png"}, // the content decides
		}
		var parts []filePart
		for _, f := range files {
			parts = append(parts, file(f.name, f.body))
		}
		atts := ts.uploaded("alice", r.ID, parts...)
		for i, f := range files {
			a := atts[i]
			if a.Name != f.name || a.MediaType != f.want || a.Size != int64(len(f.body)) || a.SHA256 != hexSHA(f.body) ||
				a.UploadedBy != "alice" || a.Record != r.ID {
				t.Errorf("%s: %+v, want type %s", f.name, a, f.want)
			}
		}
		var list attachmentList
		ts.call("GET", attachmentsURL(r.ID), "").want(t, http.StatusOK).decode(t, &list)
		if len(list.Attachments) != len(files) || list.Attachments[0].ID != atts[0].ID {
			t.Errorf("list: %+v", list)
		}
		for i, f := range files {
			res := ts.call("GET", attachmentsURL(r.ID)+"/"+atts[i].ID, "").want(t, http.StatusOK)
			if !bytes.Equal(res.body, f.body) || res.header.Get("Content-Type") != f.want ||
				res.header.Get("ETag") != `"`+hexSHA(f.body)+`"` || res.header.Get("Accept-Ranges") != "bytes" {
				t.Errorf("download %s: %d bytes, headers %v", f.name, len(res.body), res.header)
			}
		}
		// The Chinese name, for old clients and new.
		res := ts.call("GET", attachmentsURL(r.ID)+"/"+atts[0].ID, "")
		want := `attachment; filename="_ 2026_3_.pdf"; filename*=UTF-8''%E6%8B%9C%E8%AE%BF%E8%AE%B0%E5%BD%95%202026%E5%B9%B43%E6%9C%88.pdf`
		if got := res.header.Get("Content-Disposition"); got != want {
			t.Errorf("Content-Disposition = %s\nwant %s", got, want)
		}
		pdf := files[0].body
		url := attachmentsURL(r.ID) + "/" + atts[0].ID
		size := len(pdf)
		for _, rg := range []struct {
			header      string
			from, until int // want body[from:until]
		}{
			{"bytes=0-9", 0, 10},
			{"bytes=10-", 10, size},
			{"bytes=-5", size - 5, size},
			{"bytes=5-100000", 5, size},
			{"bytes=-100000", 0, size},
		} {
			res := ts.call("GET", url, "", "Range", rg.header).want(t, http.StatusPartialContent)
			wantRange := fmt.Sprintf("bytes %d-%d/%d", rg.from, rg.until-1, size)
			if !bytes.Equal(res.body, pdf[rg.from:rg.until]) || res.header.Get("Content-Range") != wantRange {
				t.Errorf("%s: %q, Content-Range %q; want %q, %q", rg.header, res.body, res.header.Get("Content-Range"),
					pdf[rg.from:rg.until], wantRange)
			}
		}
		for _, h := range []string{"bytes=0-1,5-6", "items=0-1", "bytes=9-2", "bytes=x-"} {
			if res := ts.call("GET", url, "", "Range", h).want(t, http.StatusOK); !bytes.Equal(res.body, pdf) {
				t.Errorf("%s: not the whole file", h)
			}
		}
		res = ts.call("GET", url, "", "Range", fmt.Sprintf("bytes=%d-", size)).wantError(t, http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")
		if got := res.header.Get("Content-Range"); got != fmt.Sprintf("bytes */%d", size) {
			t.Errorf("416 Content-Range = %q", got)
		}
		ts.call("GET", url, "", "Range", "bytes=-0").want(t, http.StatusRequestedRangeNotSatisfiable)
		// If-Range: the range only while the file is the one named.
		ts.call("GET", url, "", "Range", "bytes=0-9", "If-Range", `"`+hexSHA(pdf)+`"`).want(t, http.StatusPartialContent)
		ts.call("GET", url, "", "Range", "bytes=0-9", "If-Range", `"other"`).want(t, http.StatusOK)
		res = ts.call("HEAD", url, "").want(t, http.StatusOK)
		if len(res.body) != 0 || res.header.Get("Content-Length") != fmt.Sprint(size) {
			t.Errorf("HEAD: %d bytes, Content-Length %q", len(res.body), res.header.Get("Content-Length"))
		}
		ts.call("GET", attachmentsURL(r.ID)+"/F0000", "").wantError(t, http.StatusNotFound, "not_found")
		ts.call("GET", attachmentsURL(r.ID)+"/"+atts[0].ID+"?x=1", "").wantError(t, http.StatusBadRequest, "bad_request")
	})
}

// TestAttachmentDownloadsAreLogged: every download, whole or by range, is
// in the access log, with its range.
func TestAttachmentDownloadsAreLogged(t *testing.T) {
	ts := newTestServer(t)
	r := ts.draft()
	a := ts.uploaded("alice", r.ID, file("a.pdf", pdfFile()))[0]
	url := attachmentsURL(r.ID) + "/" + a.ID
	ts.call("GET", url, "").want(t, http.StatusOK)
	ts.callAs("sam", "GET", url, "", "Range", "bytes=0-3").want(t, http.StatusPartialContent)
	ts.callAs("sam", "GET", attachmentsURL(r.ID), "").want(t, http.StatusOK)
	var log accessLog
	ts.callAs("aud", "GET", "/api/v1/audit/access?record="+string(r.ID), "").want(t, http.StatusOK).decode(t, &log)
	var got []string
	for _, ev := range log.Events {
		got = append(got, strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s", ev.User, ev.Action, ev.Attachment, strings.Join(ev.Fields, ","), ev.Detail)))
	}
	for _, want := range []string{
		"alice attachment.read " + a.ID,
		fmt.Sprintf("sam attachment.read %s  bytes 0-3 of %d", a.ID, len(pdfFile())),
		"sam record.read  attachments",
	} {
		if !containsString(got, want) {
			t.Errorf("access log has no %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAttachmentRejects: what is refused, and that none of it leaves an
// object or a journal entry.
func TestAttachmentRejects(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Attachments = AttachmentLimits{MaxFile: 100_000, MaxRequest: 250_000} })
	r := ts.draft()
	ts.uploaded("alice", r.ID, file("first.pdf", pdfFile()))
	big := bytes.Repeat([]byte("拜访记录 "), 100_001/13+1)
	ninety := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'x'}, 90_000)...)
	multiFile, ct := multipartBody(t, file("a.pdf", pdfFile()), file("b.pdf", pdfFile()))
	cut := strings.TrimSuffix(multiFile, "--\r\n")
	oneFile, oneCT := multipartBody(t, file("a.pdf", ninety))
	for _, tt := range []struct {
		name   string
		req    [2]string // body, content type
		status int
		code   string
		inMsg  string
	}{
		{"a file over the limit", mp(t, file("ok.pdf", pdfFile()), file("big.txt", big)), 413, "too_large", `"big.txt" is larger than the limit of 100000 bytes a file`},
		{"a request over the limit", mp(t, file("1.pdf", ninety), file("2.pdf", ninety), file("3.pdf", ninety)), 413, "too_large", "limit of 250000 bytes a request"},
		{"an executable", mp(t, file("ok.pdf", pdfFile()), file("tool", elfFile())), 415, "unsupported_media_type", "application/x-elf"},
		{"an executable named .pdf", mp(t, file("invoice.pdf", exeFile())), 415, "unsupported_media_type", "portable-executable"},
		{"a page named .txt", mp(t, file("notes.txt", []byte("<html><script>alert(1)</script></html>"))), 415, "unsupported_media_type", "text/html"},
		{"an empty file", mp(t, file("ok.pdf", pdfFile()), file("empty.pdf", nil)), 400, "bad_request", `file "empty.pdf" is empty`},
		{"no file", mp(t), 400, "bad_request", "holds no file"},
		{"another field", mp(t, filePart{"comment", "", []byte("hi")}), 400, "bad_request", `unexpected field "comment"`},
		{"a file without a name", mp(t, filePart{"file", "", pdfFile()}), 400, "bad_request", "no filename"},
		{"a name with a directory", mp(t, file(`..\secret.pdf`, pdfFile())), 422, "invalid", ""},
		{"cut before its end", [2]string{cut, ct}, 400, "bad_request", "ends too early"},
		{"cut inside a file", [2]string{oneFile[:len(oneFile)/2], oneCT}, 400, "bad_request", "ended before the file did"},
		{"JSON", [2]string{`{"file":"x"}`, "application/json"}, 415, "unsupported_media_type", "multipart/form-data"},
		{"no boundary", [2]string{multiFile, "multipart/form-data"}, 400, "bad_request", "boundary"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.state()
			res := ts.call("POST", attachmentsURL(r.ID), tt.req[0], "Content-Type", tt.req[1]).wantError(t, tt.status, tt.code)
			checkError(t, res, tt.code, tt.inMsg, nil)
			if !res.closed {
				t.Errorf("the connection stays open after a refused upload")
			}
			ts.unchanged(t, tt.name, before)
		})
	}
	var list attachmentList
	ts.call("GET", attachmentsURL(r.ID), "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Attachments) != 1 {
		t.Errorf("%d attachments, want the first only", len(list.Attachments))
	}
	// In Chinese for a client that asks.
	elf := mp(t, file("tool", elfFile()))
	res := ts.call("POST", attachmentsURL(r.ID), elf[0], "Content-Type", elf[1], "Accept-Language", "zh-CN")
	if e := res.apiError(t); !strings.Contains(e.Message, "档案库不接受") {
		t.Errorf("Chinese message: %q", e.Message)
	}
}

// mp is multipartBody as one value: the body and its content type.
func mp(t *testing.T, parts ...filePart) [2]string {
	b, ct := multipartBody(t, parts...)
	return [2]string{b, ct}
}

// TestAttachmentLimitsOnTheWire: a Content-Length over the request limit
// is refused from the headers alone, and a chunked body as soon as it
// passes the limit; the connection closes after the answer.
func TestAttachmentLimitsOnTheWire(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Attachments = AttachmentLimits{MaxFile: 1 << 20, MaxRequest: 2 << 20} })
	r := ts.draft()
	base := ts.listen()
	before := ts.state()
	// headersOnly sends the headers of a request whose body is length
	// bytes, and reads the answer without sending any of the body: a
	// client that sent it would race the server's closing of the
	// connection and might read a reset instead.
	headersOnly := func(path, contentType string, length int) *result {
		t.Helper()
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\nAccept-Language: en\r\n"+
			"Content-Type: %s\r\nContent-Length: %d\r\n\r\n", path, ts.tokens["alice"], contentType, length)
		hres, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(hres.Body)
		hres.Body.Close()
		return &result{status: hres.StatusCode, header: hres.Header, body: b}
	}
	res := headersOnly(attachmentsURL(r.ID), "multipart/form-data; boundary=x", 2<<20+1).
		wantError(t, http.StatusRequestEntityTooLarge, "too_large")
	checkError(t, res, "too_large", "2 MiB a request", nil)

	// Chunked: no Content-Length, so the limit is counted.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("file", "a.pdf")
		fw.Write([]byte("%PDF-1.4\n"))
		for range 100 { // 100 × 32 KiB: past the limit
			if _, err := fw.Write(make([]byte, 32<<10)); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		mw.Close()
		pw.Close()
	}()
	res = ts.send(base, "POST", attachmentsURL(r.ID), pr, "Content-Type", mw.FormDataContentType()).want(t, http.StatusRequestEntityTooLarge)
	checkError(t, res, "too_large", "limit of 1 MiB a file", nil)
	pr.CloseWithError(io.ErrClosedPipe)
	ts.unchanged(t, "oversized uploads", before)
	// Other routes keep their own limit.
	headersOnly("/api/v1/customers", "application/json", DefaultBodyLimit+100).want(t, http.StatusRequestEntityTooLarge)
}

// TestAttachmentPermissions: who may attach follows who may update the
// record in its state; an archived record takes files from archivists
// only; reading follows reading the record, and a record the caller may
// not read is 404 as it is everywhere.
func TestAttachmentPermissions(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	r := ts.createRecordAs("alice", form(t, "acme", draftStart))
	pdf := file("a.pdf", pdfFile())
	a := ts.uploaded("alice", r.ID, pdf)[0]
	url := attachmentsURL(r.ID)
	before := ts.state()
	ts.upload("bob", r.ID, pdf).wantError(t, http.StatusNotFound, "not_found")   // another department
	ts.upload("carol", r.ID, pdf).wantError(t, http.StatusNotFound, "not_found") // a colleague's draft
	ts.upload("sam", r.ID, pdf).wantError(t, http.StatusForbidden, "forbidden")  // reads it, may not change it
	ts.upload("ann", r.ID, pdf).wantError(t, http.StatusNotFound, "not_found")   // not released yet
	ts.upload("root", r.ID, pdf).wantError(t, http.StatusNotFound, "not_found")
	// The caller is refused before the body is read: even a body that is
	// no upload at all.
	ts.callAs("bob", "POST", url, "garbage", "Content-Type", "text/plain").wantError(t, http.StatusNotFound, "not_found")
	ts.unchanged(t, "refused uploads", before)
	for who, status := range map[string]int{"alice": 200, "sam": 200, "aud": 200, "bob": 404, "carol": 404, "mia": 404, "root": 404} {
		ts.callAs(who, "GET", url, "").want(t, status)
		ts.callAs(who, "GET", url+"/"+a.ID, "").want(t, status)
	}

	r = ts.moveRecord("alice", r, "submit", "")
	ts.upload("alice", r.ID, pdf).wantError(t, http.StatusConflict, "conflict")
	r = ts.moveRecord("sam", r, "approve", `{"comment":"ok"}`)
	ts.upload("ann", r.ID, pdf).wantError(t, http.StatusConflict, "conflict")
	r = ts.moveRecord("ann", r, "archive", `{"paper_location":{"cabinet":"C1","shelf":"S2","box":"B3"}}`)
	res := ts.upload("alice", r.ID, pdf).wantError(t, http.StatusConflict, "conflict")
	checkError(t, res, "conflict", "by an archivist", nil)
	ts.upload("mia", r.ID, pdf).wantError(t, http.StatusForbidden, "forbidden")
	ts.upload("sam", r.ID, pdf).wantError(t, http.StatusForbidden, "forbidden")
	scan := ts.uploaded("ann", r.ID, file("纸质原件扫描.pdf", pdfFile()))[0]
	if scan.UploadedBy != "ann" {
		t.Errorf("uploaded by %s", scan.UploadedBy)
	}
	for _, who := range []string{"mia", "sid", "max", "ann", "alice"} {
		ts.callAs(who, "GET", url+"/"+scan.ID, "").want(t, http.StatusOK)
	}
	// No route removes a file.
	ts.call("DELETE", url+"/"+a.ID, "").want(t, http.StatusMethodNotAllowed)
}

// TestAttachmentKeyDestroyed: once the record's data key is destroyed,
// its files cannot be downloaded (410) or named, and it takes no more.
func TestAttachmentKeyDestroyed(t *testing.T) {
	ts := newTestServer(t)
	r := ts.draft()
	a := ts.uploaded("alice", r.ID, file("a.pdf", pdfFile()))[0]
	if ok, err := ts.Archive.DestroyRecordKey(visitarchive.WithActor(t.Context(), "root"), r.ID); err != nil || !ok {
		t.Fatalf("destroy: %v %v", ok, err)
	}
	ts.call("GET", attachmentsURL(r.ID)+"/"+a.ID, "").wantError(t, http.StatusGone, "gone")
	var list attachmentList
	ts.call("GET", attachmentsURL(r.ID), "").want(t, http.StatusOK).decode(t, &list)
	if got := list.Attachments[0]; got.Name != "" || got.SHA256 != "" || len(got.Hidden) == 0 {
		t.Errorf("after the destruction: %+v", got)
	}
	ts.upload("alice", r.ID, file("b.pdf", pdfFile())).wantError(t, http.StatusConflict, "conflict")
}

// TestAttachmentsNotInClear uploads a text with a planted phone number and
// phrase through the API and searches every file under the data directory
// for them.
func TestAttachmentsNotInClear(t *testing.T) {
	ts := newTestServer(t)
	r := ts.draft()
	const phone, phrase = "13987654321", "董事长私人备忘"
	text := strings.Repeat("电话 "+phone+"，"+phrase+"。\n", 20_000)
	ts.uploaded("alice", r.ID, file(phrase+".txt", []byte(text)))
	files := 0
	filepath.WalkDir(ts.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range []string{phone, phrase} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in clear", path, s)
			}
		}
		return nil
	})
	if files < 10 {
		t.Errorf("only %d files searched", files)
	}
}

func TestContentDisposition(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"report.pdf", `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`},
		{"名片.jpg", `attachment; filename="attachment.jpg"; filename*=UTF-8''%E5%90%8D%E7%89%87.jpg`},
		{"报价.文档", `attachment; filename="attachment"; filename*=UTF-8''%E6%8A%A5%E4%BB%B7.%E6%96%87%E6%A1%A3`},
		{`a "quoted"; name\x.txt`, `attachment; filename="a _quoted_; name_x.txt"; filename*=UTF-8''a%20%22quoted%22%3B%20name%5Cx.txt`},
		{"100%.txt", `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`},
		{"a\r\nSet-Cookie: x=y.txt", `attachment; filename="a_Set-Cookie: x=y.txt"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3Dy.txt`},
	} {
		got := contentDisposition(tt.name)
		if got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("%q: a line break in the header", tt.name)
		}
	}
}

func TestParseRange(t *testing.T) {
	const size = 100
	for _, tt := range []struct {
		header          string
		offset, length  int64
		partial, satisf bool
	}{
		{"bytes=0-0", 0, 1, true, true},
		{"bytes=0-99", 0, 100, true, true},
		{"bytes=0-1000", 0, 100, true, true},
		{"bytes=99-", 99, 1, true, true},
		{"bytes=-1", 99, 1, true, true},
		{"bytes=-100", 0, 100, true, true},
		{"bytes=-500", 0, 100, true, true},
		{"bytes=100-", 0, 0, false, false},
		{"bytes=100-200", 0, 0, false, false},
		{"bytes=-0", 0, 0, false, false},
		{"bytes=5-4", 0, 100, false, true},
		{"bytes=0-1,3-4", 0, 100, false, true},
		{"bytes=a-b", 0, 100, false, true},
		{"bytes=-", 0, 100, false, true},
		{"lines=0-1", 0, 100, false, true},
		{"bytes=+1-2", 0, 100, false, true},
		{"bytes= 1-2", 1, 2, true, true},
	} {
		o, l, p, ok := parseRange(tt.header, size)
		if o != tt.offset || l != tt.length || p != tt.partial || ok != tt.satisf {
			t.Errorf("%s: %d %d %v %v, want %d %d %v %v", tt.header, o, l, p, ok, tt.offset, tt.length, tt.partial, tt.satisf)
		}
	}
}

// TestUploadKeepsTheConnection: after an upload taken, even one with an
// epilogue after its closing boundary, the next request on the same
// connection is read as a request; after one refused, the connection
// closes rather than read the rest of the body as one.
func TestUploadKeepsTheConnection(t *testing.T) {
	ts := newTestServer(t)
	r := ts.draft()
	base := ts.listen()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	send := func(method, path, ct, body string) *http.Response {
		t.Helper()
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\nAccept-Language: en\r\n"+
			"Content-Type: %s\r\nContent-Length: %d\r\n\r\n%s", method, path, ts.tokens["alice"], ct, len(body), body)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(res.Body)
		res.Body.Close()
		return res
	}
	b, ct := multipartBody(t, file("a.pdf", pdfFile()))
	smuggled := "GET /api/v1/no-such-route HTTP/1.1\r\nHost: test\r\n\r\n" // 404, if it were read
	if res := send("POST", attachmentsURL(r.ID), ct, b+strings.Repeat("an epilogue ", 2000)+"\r\n"+smuggled); res.StatusCode != http.StatusCreated || res.Close {
		t.Fatalf("upload with an epilogue: %d, close %v", res.StatusCode, res.Close)
	}
	if res := send("GET", attachmentsURL(r.ID), "text/plain", ""); res.StatusCode != http.StatusOK {
		t.Fatalf("the next request: %d", res.StatusCode)
	}
	exe, ct := multipartBody(t, file("a.exe", exeFile()))
	if res := send("POST", attachmentsURL(r.ID), ct, exe); res.StatusCode != http.StatusUnsupportedMediaType || !res.Close {
		t.Errorf("a refused upload: %d, close %v", res.StatusCode, res.Close)
	}
	if _, err := http.ReadResponse(br, nil); err == nil {
		t.Errorf("an answer after the connection closed")
	}
}
