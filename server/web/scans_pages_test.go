package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive/server/web"
)

// Tests of the scan inbox's pages (scans.go): the upload form, read as a
// stream as the record page's is, and its report; the list by state; a
// scan's page, its file shown in the page; filing and discarding, and
// what the forms say when the Archive refuses; who may see and change
// what.

// uploadScans sends the inbox page's upload form as a browser does: the
// _csrf field first (left out when csrf is ""), then each file.
func (c *client) uploadScans(csrf string, files ...upFile) (*http.Response, string) {
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
	req, _ := http.NewRequest(http.MethodPost, c.s.URL+"/scans", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// scanLinks are the scans a page links to, in order.
var scanLink = regexp.MustCompile(`href="/scans/(S[0-9A-Za-z]+)"`)

func scanLinks(body string) []string {
	var out []string
	for _, m := range scanLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// scannedSite is an archived site where the archivist uploaded a photo
// and a PDF into the scan inbox through the page; it returns their ids.
func scannedSite(t *testing.T) (s *site, photo, pdf string) {
	t.Helper()
	s, _ = archivedSite(t)
	arc := s.signIn("arc", "zh-CN")
	res, body := arc.uploadScans(arc.cookie(web.CSRFCookie), upFile{"名片.png", pngOf(t, 40, 30)}, upFile{"拜访表.pdf", pdfOf("Visit form")})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the upload: %d\n%s", res.StatusCode, body)
	}
	_, report, _ := strings.Cut(body, `id="report"`)
	report, _, _ = strings.Cut(report, "</section>")
	for _, want := range []string{"上传文件的处理结果", "名片.png", "拜访表.pdf", "已放入扫描件收件箱"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report of the upload lacks %q:\n%s", want, report)
		}
	}
	ids := scanLinks(report)
	if len(ids) != 2 {
		t.Fatalf("the report links to the scans %v, want 2", ids)
	}
	return s, ids[0], ids[1]
}

// An archivist uploads scans and reads the report; the inbox lists them,
// a scan's page shows the file; the upload without the form's token, or
// of a file the inbox does not take, is refused beside the form.
func TestScanUploadAndList(t *testing.T) {
	s, photo, pdf := scannedSite(t)
	arc := s.signIn("arc", "zh-CN")
	_, body := arc.get("/scans")
	if !strings.Contains(menuOf(body), `href="/scans"`) {
		t.Errorf("the archivist's menu lacks the scan inbox")
	}
	for _, want := range []string{"扫描件收件箱", "名片.png", "拜访表.pdf", "2 份扫描件", "单独上传", "上传", "arc", `action="/scans" enctype="multipart/form-data"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the inbox lacks %q", want)
		}
	}
	res, body := arc.get("/scans/" + photo)
	if !strings.Contains(body, `<img src="/scans/`+photo+`/view"`) || !strings.Contains(body, `action="/scans/`+photo+`/file"`) ||
		!strings.Contains(body, `action="/scans/`+photo+`/discard"`) {
		t.Errorf("the page of the photo:\n%s", body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "frame-src") {
		t.Errorf("the photo's page allows frames: %q", csp)
	}
	res, body = arc.get("/scans/" + pdf)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src 'self'") ||
		!strings.Contains(body, `<iframe src="/scans/`+pdf+`/view"`) {
		t.Errorf("the PDF's page: %q\n%s", csp, body)
	}
	res, body = arc.get("/scans/" + pdf + "/view")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the PDF shown: %d %v", res.StatusCode, res.Header)
	}
	res, _ = arc.get("/scans/" + photo + "/content")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the photo's download: %d %v", res.StatusCode, res.Header)
	}

	res, body = arc.uploadScans("", upFile{"x.png", pngOf(t, 4, 4)})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("an upload without the token: %d", res.StatusCode)
	}
	res, body = arc.uploadScans(arc.cookie(web.CSRFCookie), upFile{"notes.txt", []byte("plain text, not a scan")})
	if res.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(body, `id="file-error"><p class="field-error"`) {
		t.Errorf("a text file: %d\n%s", res.StatusCode, body)
	}
	if _, body = arc.get("/scans"); !strings.Contains(body, "2 份扫描件") {
		t.Errorf("a refused upload kept something")
	}
}

// Filing a scan: an empty or unknown record, or one the archivist may
// not file to (a draft, which she cannot see),
// comes back beside the form with what was typed; a filed scan leaves
// the inbox, and filing it elsewhere is refused.
func TestScanFile(t *testing.T) {
	s, photo, _ := scannedSite(t)
	arc := s.signIn("arc", "zh-CN")
	path := "/scans/" + photo
	res, body := arc.post(path+"/file", url.Values{"record": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请输入记录编号。") {
		t.Errorf("no record: %d\n%s", res.StatusCode, body)
	}
	res, body = arc.post(path+"/file", url.Values{"record": {"R0NOSUCHRECORD"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="R0NOSUCHRECORD"`) ||
		!strings.Contains(body, `id="record-error"><p class="field-error"`) {
		t.Errorf("an unknown record: %d\n%s", res.StatusCode, body)
	}
	draft := string(s.Records["draft"])
	res, body = arc.post(path+"/file", url.Values{"record": {draft}})
	if res.StatusCode < 400 || !strings.Contains(body, `value="`+draft+`"`) ||
		!strings.Contains(body, `class="form-error"`) && !strings.Contains(body, `id="record-error"><p class="field-error"`) {
		t.Errorf("a draft that takes no scans from the archivist: %d\n%s", res.StatusCode, body)
	}
	approved := string(s.Records["approved"])
	res, body = arc.post(path+"/file", url.Values{"record": {approved}})
	seeOther(t, "filing", res, body, path)
	_, body = arc.get(path)
	for _, want := range []string{"扫描件已归入记录。", "已归入记录", `href="/records/` + approved + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filed scan's page lacks %q", want)
		}
	}
	if strings.Contains(body, `action="`+path+`/file"`) {
		t.Errorf("a filed scan still has the form to file it")
	}
	res, body = arc.post(path+"/file", url.Values{"record": {draft}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, approved) {
		t.Errorf("filing it again elsewhere: %d\n%s", res.StatusCode, body)
	}
	if _, body = arc.get("/records/" + approved); !strings.Contains(body, "名片.png") {
		t.Errorf("the record lacks the filed scan")
	}
	if _, body = arc.get("/scans?state=filed"); !strings.Contains(body, "名片.png") {
		t.Errorf("the filed scans lack it")
	}
	if _, body = arc.get("/scans"); strings.Contains(body, "名片.png") {
		t.Errorf("the inbox still lists the filed scan")
	}
}

// Discarding a scan needs a reason, said beside its field; a discarded
// scan is listed under its state, with the reason.
func TestScanDiscard(t *testing.T) {
	s, _, pdf := scannedSite(t)
	arc := s.signIn("arc", "zh-CN")
	path := "/scans/" + pdf
	res, body := arc.post(path+"/discard", url.Values{"reason": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reason-error"><p class="field-error"`) {
		t.Errorf("no reason: %d\n%s", res.StatusCode, body)
	}
	res, body = arc.post(path+"/discard", url.Values{"reason": {"重复扫描"}})
	seeOther(t, "discarding", res, body, path)
	_, body = arc.get(path)
	for _, want := range []string{"扫描件已作废。", "已作废", "重复扫描"} {
		if !strings.Contains(body, want) {
			t.Errorf("the discarded scan's page lacks %q", want)
		}
	}
	if _, body = arc.get("/scans?state=discarded"); !strings.Contains(body, "拜访表.pdf") || !strings.Contains(body, "重复扫描") {
		t.Errorf("the discarded scans lack it:\n%s", body)
	}
}

// An auditor reads the inbox and the scans and changes nothing; a
// salesperson sees none of it.
func TestScanPagesByRole(t *testing.T) {
	s, photo, _ := scannedSite(t)
	path := "/scans/" + photo
	aud := s.signIn("aud", "zh-CN")
	res, body := aud.get("/scans")
	if res.StatusCode != http.StatusOK || !strings.Contains(menuOf(body), `href="/scans"`) || !strings.Contains(body, "名片.png") ||
		strings.Contains(body, `action="/scans"`) {
		t.Errorf("the auditor's inbox: %d\n%s", res.StatusCode, body)
	}
	res, body = aud.get(path)
	if res.StatusCode != http.StatusOK || strings.Contains(body, "/file\"") || strings.Contains(body, "/discard\"") {
		t.Errorf("the auditor's scan page: %d\n%s", res.StatusCode, body)
	}
	if res, _ = aud.post(path+"/discard", url.Values{"reason": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the auditor discards: %d", res.StatusCode)
	}
	if res, _ = aud.uploadScans(aud.cookie(web.CSRFCookie), upFile{"x.png", pngOf(t, 4, 4)}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the auditor uploads: %d", res.StatusCode)
	}

	alice := s.signIn("alice", "zh-CN")
	_, body = alice.get("/inbox")
	if strings.Contains(menuOf(body), `href="/scans"`) {
		t.Errorf("the salesperson's menu offers the scan inbox")
	}
	for _, p := range []string{"/scans", path, path + "/view"} {
		if res, _ := alice.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("the salesperson: %s answers %d, want 403", p, res.StatusCode)
		}
	}
	if res, _ := alice.post(path+"/file", url.Values{"record": {string(s.Records["draft"])}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the salesperson files: %d", res.StatusCode)
	}
	if res, _ := alice.uploadScans(alice.cookie(web.CSRFCookie), upFile{"x.png", pngOf(t, 4, 4)}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the salesperson uploads: %d", res.StatusCode)
	}
}
