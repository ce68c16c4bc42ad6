package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/server"
	"github.com/visitarchive/visitarchive/server/web"
)

// Tests of the pages of a record's files, its cover sheet and the paper
// originals (files.go, cover.go, paper.go): uploads through the record
// page's form, read as a stream under the API's limits; downloads and
// files shown in the page; the cover sheet and its QR code; the paper
// original's place, moves and loans.

// upFile is a file a test uploads.
type upFile struct {
	name string
	body []byte
}

// upload sends the record page's upload form of record id as a browser
// does: the _csrf field first (left out when csrf is ""), then each file
// in a field named file.
func (c *client) upload(id va.RecordID, csrf string, files ...upFile) (*http.Response, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if csrf != "" {
		mw.WriteField("_csrf", csrf)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+f.name+`"`)
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			c.t.Fatal(err)
		}
		w.Write(f.body)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.s.URL+"/records/"+string(id)+"/attachments", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// pngOf is a PNG image of w×h pixels of noise, which does not compress.
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(rnd.IntN(256)), uint8(rnd.IntN(256)), uint8(rnd.IntN(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfOf is a one-page PDF that shows text, with a correct table of
// cross-references, so that a browser's viewer opens it.
func pdfOf(text string) []byte {
	stream := "BT /F1 24 Tf 72 700 Td (" + text + ") Tj ET"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// fileLinks are the downloads a record page links to, by file name.
var fileLink = regexp.MustCompile(`<a href="(/records/[^"/]+/attachments/[^"/]+)" download>[^<]*<span class="sr-only"> ([^<]+)</span>`)

func fileLinks(body string) map[string]string {
	out := map[string]string{}
	for _, m := range fileLink.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// An employee attaches files to her draft on its page: they are listed,
// the image and the PDF shown in the page, each downloaded as it was
// sent; who may not attach has no form and is refused.
func TestRecordFiles(t *testing.T) {
	s := newSite(t)
	id := s.Records["draft"]
	path := "/records/" + string(id)
	alice := s.signIn("alice", "zh-CN")
	res, body := alice.get(path)
	if !strings.Contains(body, `action="`+path+`/attachments" enctype="multipart/form-data"`) || !strings.Contains(body, "暂无附件。") {
		t.Fatalf("the draft's page has no upload form:\n%s", body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "frame-src") {
		t.Errorf("a page without a PDF allows frames: %q", csp)
	}
	photo, form := pngOf(t, 40, 30), pdfOf("Visit form")
	res, body = alice.upload(id, alice.cookie(web.CSRFCookie), upFile{"名片 王经理.png", photo}, upFile{"拜访表.pdf", form})
	seeOther(t, "an upload", res, body, path+"#files")
	res, body = alice.get(path)
	for _, want := range []string{"附件已上传。", "名片 王经理.png", "拜访表.pdf", "PNG 图片", "PDF 文档", "上传人", "alice"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page after the upload lacks %q", want)
		}
	}
	links := fileLinks(body)
	if len(links) != 2 {
		t.Fatalf("download links: %v\n%s", links, body)
	}
	if !strings.Contains(body, `<img src="`+links["名片 王经理.png"]+`/view" alt="名片 王经理.png"`) ||
		!strings.Contains(body, `<iframe src="`+links["拜访表.pdf"]+`/view" title="拜访表.pdf"`) {
		t.Errorf("the image and the PDF are not shown in the page:\n%s", body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the page with a PDF: CSP %q", csp)
	}

	res, got := alice.get(links["名片 王经理.png"])
	if res.StatusCode != http.StatusOK || got != string(photo) || res.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "filename*=UTF-8''%E5%90%8D%E7%89%87") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("the download: %d %v", res.StatusCode, res.Header)
	}
	res, got = alice.get(links["名片 王经理.png"] + "/view")
	if res.StatusCode != http.StatusOK || got != string(photo) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline;") {
		t.Errorf("the image to show: %d %v", res.StatusCode, res.Header)
	}
	res, got = alice.get(links["拜访表.pdf"] + "/view")
	if res.StatusCode != http.StatusOK || got != string(form) || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline;") || res.Header.Get("X-Frame-Options") != "SAMEORIGIN" ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("the PDF to show: %d %v", res.StatusCode, res.Header)
	}
	// The form streams, as the API's upload does: a file over the limit
	// of the bodies read whole (server.DefaultBodyLimit) is taken.
	notes := bytes.Repeat([]byte("拜访笔记 visit notes\n"), server.DefaultBodyLimit/20)
	if res, body := alice.upload(id, alice.cookie(web.CSRFCookie), upFile{"笔记.txt", notes}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("an upload of %d bytes: %d\n%s", len(notes), res.StatusCode, body)
	}
	if _, body := alice.get(path); !strings.Contains(body, "笔记.txt") || !strings.Contains(body, "纯文本") {
		t.Error("the large text file is not listed")
	}

	// The supervisor reads the draft but may not attach to it; marketing
	// may not read it at all.
	sam := s.signIn("sam", "zh-CN")
	if _, body := sam.get(path); strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, "拜访表.pdf") {
		t.Errorf("the supervisor's view of the draft's files:\n%s", body)
	}
	if res, _ := sam.upload(id, sam.cookie(web.CSRFCookie), upFile{"x.png", photo}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the supervisor's upload: %d, want 403", res.StatusCode)
	}
	mia := s.signIn("mia", "zh-CN")
	if res, _ := mia.upload(id, mia.cookie(web.CSRFCookie), upFile{"x.png", photo}); res.StatusCode != http.StatusNotFound {
		t.Errorf("marketing's upload to a draft: %d, want 404", res.StatusCode)
	}
	if res, _ := mia.get(links["拜访表.pdf"]); res.StatusCode != http.StatusNotFound {
		t.Errorf("marketing's download from a draft: %d, want 404", res.StatusCode)
	}
	// Without the session's token nothing is taken.
	if res, _ := alice.upload(id, "", upFile{"x.png", photo}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an upload without the CSRF token: %d, want 403", res.StatusCode)
	}
	if res, _ := alice.upload(id, "forged", upFile{"x.png", photo}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an upload with a forged CSRF token: %d, want 403", res.StatusCode)
	}
	if atts, err := s.Archive.Attachments(s.as("alice"), id); err != nil || len(atts) != 3 {
		t.Errorf("after the refusals the draft has %d files (%v), want 3", len(atts), err)
	}
	// Signed out, the form goes to the sign-in page.
	anon := s.newClient("zh-CN")
	if res, _ := anon.upload(id, "x", upFile{"x.png", photo}); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("an upload signed out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// A refused upload is the record page again, with the reason beside the
// form in the user's language and the status of the API's refusal; no
// file of it is kept.
func TestUploadRefusals(t *testing.T) {
	s := newSiteWith(t, server.Config{Attachments: server.AttachmentLimits{MaxFile: 4 << 10, MaxRequest: 64 << 10}})
	id := s.Records["draft"]
	for _, tt := range []struct {
		lang   string
		files  []upFile
		status int
		want   string
	}{
		{"zh-CN", []upFile{{"大图.png", pngOf(t, 45, 45)}}, http.StatusRequestEntityTooLarge, "&#34;大图.png&#34; 超过了单个文件 4 KiB 的大小限制"},
		{"en", []upFile{{"big.png", pngOf(t, 45, 45)}}, http.StatusRequestEntityTooLarge, "&#34;big.png&#34; is larger than the limit of 4 KiB a file"},
		{"zh-CN", []upFile{{"all.png", pngOf(t, 10, 10)}, {"many.bin", bytes.Repeat([]byte("x"), 70<<10)}}, http.StatusRequestEntityTooLarge, "上传超过了单个请求 64 KiB 的大小限制"},
		{"zh-CN", []upFile{{"程序.png", append([]byte("MZ\x90\x00\x03"), make([]byte, 200)...)}}, http.StatusUnsupportedMediaType, "档案库不接受"},
		{"en", []upFile{{"empty.pdf", nil}}, http.StatusBadRequest, "file &#34;empty.pdf&#34; is empty"},
	} {
		c := s.signIn("alice", tt.lang)
		res, body := c.upload(id, c.cookie(web.CSRFCookie), tt.files...)
		if res.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.files[0].name, res.StatusCode, tt.status)
		}
		if msg := besideField(body, "file"); !strings.Contains(msg, tt.want) {
			t.Errorf("%s: beside the form %q, want %q\n%s", tt.files[0].name, msg, tt.want, body)
		}
		if !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "<h2 id=\"form-title\"") {
			t.Errorf("%s: the answer is not the record page with the form marked", tt.files[0].name)
		}
	}
	if atts, err := s.Archive.Attachments(s.as("alice"), id); err != nil || len(atts) != 0 {
		t.Errorf("refused uploads left %d files (%v)", len(atts), err)
	}
	// A form sent as anything but multipart is no upload.
	c := s.signIn("alice", "zh-CN")
	res, body := c.post("/records/"+string(id)+"/attachments", url.Values{"file": {"x"}})
	if res.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(besideField(body, "file"), "multipart/form-data") {
		t.Errorf("a urlencoded form: %d %q", res.StatusCode, besideField(body, "file"))
	}
}

// The cover sheet of a record is a page of its own, whose style and QR
// code come from this server, linked from the record's page.
func TestCoverSheet(t *testing.T) {
	s := newSite(t)
	id := s.Records["approved"]
	path := "/records/" + string(id)
	alice := s.signIn("alice", "zh-CN")
	if _, body := alice.get(path); !strings.Contains(body, `href="`+path+`/cover">打印封面</a>`) {
		t.Errorf("the record page does not link its cover sheet")
	}
	res, body := alice.get(path + "/cover")
	for _, want := range []string{"客户拜访档案 封面", customerName, string(id), `src="` + path + `/cover/qr.png"`, `href="/static/cover.css?v=`} {
		if !strings.Contains(body, want) {
			t.Errorf("the cover sheet lacks %q", want)
		}
	}
	if strings.Contains(body, "<style") || strings.Contains(body, "data:") || strings.Contains(body, "<script") {
		t.Errorf("the cover sheet has inline style, data or script:\n%s", body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the cover sheet's CSP: %q", csp)
	}
	res, qr := alice.get(path + "/cover/qr.png")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the QR code: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if img, err := png.Decode(strings.NewReader(qr)); err != nil || img.Bounds().Dx() < 256 {
		t.Errorf("the QR code is no PNG of a useful size: %v", err)
	}
	_, css := alice.get(regexp.MustCompile(`href="(/static/cover\.css\?v=[^"]+)"`).FindStringSubmatch(body)[1])
	if !strings.Contains(css, "@page") {
		t.Errorf("the cover sheet's style sheet: %.200s", css)
	}
	if _, body := s.signIn("alice", "en").get(path + "/cover"); !strings.Contains(body, "Customer visit record · cover sheet") {
		t.Error("the cover sheet in English is not")
	}
	if res, _ := s.signIn("mia", "zh-CN").get("/records/" + string(s.Records["draft"]) + "/cover"); res.StatusCode != http.StatusNotFound {
		t.Errorf("the cover sheet of a record one may not read: %d", res.StatusCode)
	}
}

// archivedSite is a staff site whose approved record the archivist has
// archived, its paper original in cabinet A3, shelf 2, box 17.
func archivedSite(t *testing.T) (*site, va.RecordID) {
	t.Helper()
	s := staffSite(t)
	id := s.Records["approved"]
	arc := s.as("arc")
	rec, err := s.Archive.GetRecord(arc, id)
	if err == nil {
		_, err = s.Archive.ArchiveRecord(arc, id, va.ArchiveRequest{Version: rec.Version,
			PaperLocation: &va.PaperLocation{Cabinet: "A3", Shelf: "2", Box: "17"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s, id
}

// An archivist moves a paper original (a stale move shows where it is
// now and keeps what was typed), lends it and takes it back; an auditor
// reads all of it and changes nothing; others see none of it.
func TestPaperPages(t *testing.T) {
	s, id := archivedSite(t)
	path := "/paper/" + string(id)
	arc := s.signIn("arc", "zh-CN")
	if _, body := arc.get("/records/" + string(id)); !strings.Contains(body, `href="`+path+`"`) ||
		!strings.Contains(menuOf(body), `href="/paper"`) {
		t.Fatalf("the archivist's record page does not lead to the paper original")
	}
	_, body := arc.get(path)
	for _, want := range []string{"柜号 A3", "架号 2", "盒号 17", "在库", "归档时登记", `name="version" value="1"`, "从未借出。"} {
		if !strings.Contains(body, want) {
			t.Errorf("the paper original's page lacks %q", want)
		}
	}
	move := url.Values{"version": {"0"}, "location.cabinet": {"B1"}, "location.shelf": {"4"}, "location.box": {"9"}, "reason": {"旧柜已满"}}
	res, body := arc.post(path+"/move", move)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="B1"`) || !strings.Contains(body, "旧柜已满") ||
		!strings.Contains(body, `<dd>A3</dd>`) || !strings.Contains(body, `name="version" value="1"`) {
		t.Errorf("a stale move: %d\n%s", res.StatusCode, body)
	}
	move.Set("reason", "")
	move.Set("version", "1")
	if res, body := arc.post(path+"/move", move); res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "reason") == "" {
		t.Errorf("a move without a reason: %d %q", res.StatusCode, besideField(body, "reason"))
	}
	move.Set("reason", "旧柜已满")
	res, body = arc.post(path+"/move", move)
	seeOther(t, "a move", res, body, path)
	_, body = arc.get(path)
	for _, want := range []string{"纸质原件的新存放位置已登记。", "柜号 B1", "移库", "旧柜已满", `name="version" value="2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after the move the page lacks %q", want)
		}
	}
	due := time.Now().In(s.Archive.Location()).AddDate(0, 0, 14).Format(time.DateOnly)
	lend := url.Values{"borrower_user": {"nobody"}, "purpose": {"审计抽查"}, "due_at": {due}}
	if res, body := arc.post(path+"/lend", lend); res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "borrower_user") == "" ||
		!strings.Contains(body, "审计抽查") {
		t.Errorf("a loan to no user: %d %q", res.StatusCode, besideField(body, "borrower_user"))
	}
	lend.Set("borrower_user", "")
	lend.Set("borrower", "法务部 陈律师")
	for _, d := range []string{"下周五", ""} {
		lend.Set("due_at", d)
		if res, body := arc.post(path+"/lend", lend); res.StatusCode != http.StatusUnprocessableEntity || besideField(body, "due_at") == "" {
			t.Errorf("a loan due %q: %d %q", d, res.StatusCode, besideField(body, "due_at"))
		}
	}
	lend.Set("due_at", due)
	res, body = arc.post(path+"/lend", lend)
	seeOther(t, "a loan", res, body, path)
	_, body = arc.get(path)
	m := regexp.MustCompile(`action="` + regexp.QuoteMeta(path) + `/loans/([^/"]+)/return"`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "借出已登记。") || !strings.Contains(body, "法务部 陈律师") || strings.Contains(body, `action="`+path+`/lend"`) {
		t.Fatalf("the page of the original on loan:\n%s", body)
	}
	if _, body := arc.get("/paper/loans"); !strings.Contains(body, "法务部 陈律师") || !strings.Contains(body, "1 笔借阅") {
		t.Errorf("the loans out:\n%s", body)
	}
	res, body = arc.post(path+"/loans/"+m[1]+"/return", url.Values{"note": {"完好"}})
	seeOther(t, "a return", res, body, path)
	if _, body = arc.get(path); !strings.Contains(body, "归还已登记。") || !strings.Contains(body, "完好") || !strings.Contains(body, "在库") {
		t.Errorf("after the return:\n%s", body)
	}

	// An overdue loan is marked in the lists.
	now := time.Now()
	if _, err := s.Archive.Papers().Lend(s.as("arc"), id, va.LoanRequest{BorrowerUser: "sam", Purpose: "复核",
		LentAt: now.AddDate(0, 0, -30), DueAt: now.AddDate(0, 0, -20)}); err != nil {
		t.Fatal(err)
	}
	aud := s.signIn("aud", "zh-CN")
	_, body = aud.get("/paper/loans?overdue=true")
	if !strings.Contains(body, `<tr class="overdue">`) || !strings.Contains(body, "sam") || !strings.Contains(body, "逾期") {
		t.Errorf("the overdue loans:\n%s", body)
	}
	_, body = aud.get("/paper?cabinet=B1&box=9")
	if !strings.Contains(body, `href="`+path+`"`) || !strings.Contains(body, "1 份纸质原件") || !strings.Contains(body, "借出中") {
		t.Errorf("the auditor's listing of box 9:\n%s", body)
	}
	if _, body = aud.get("/paper?box=17"); !strings.Contains(body, "该位置没有纸质原件。") {
		t.Errorf("the listing of an empty box:\n%s", body)
	}
	_, body = aud.get(path)
	if strings.Contains(body, `method="post"`+` action="`+path) || !strings.Contains(body, "柜号 B1") {
		t.Errorf("the auditor's view of the paper original offers forms:\n%s", body)
	}
	if res, _ := aud.post(path+"/move", move); res.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor's move: %d, want 403", res.StatusCode)
	}
	alice := s.signIn("alice", "zh-CN")
	for _, p := range []string{"/paper", "/paper/loans"} {
		if res, _ := alice.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("an employee's %s: %d, want 403", p, res.StatusCode)
		}
	}
	if res, _ := alice.get(path); res.StatusCode != http.StatusForbidden {
		t.Errorf("an employee's view of her record's paper original: %d, want 403", res.StatusCode)
	}
	if _, body := alice.get("/records/" + string(id)); strings.Contains(body, `href="`+path+`"`) || strings.Contains(menuOf(body), `href="/paper"`) {
		t.Error("the employee is led to the paper originals")
	}
	// Paging: page 2 of one original is empty, and says so.
	if _, body := aud.get("/paper?page=2"); !strings.Contains(body, "该位置没有纸质原件。") {
		t.Errorf("page 2 of the listing:\n%s", body)
	}
}
