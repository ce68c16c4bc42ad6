package web

import (
	"testing"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// A file on the record page says how far the reading of its text has
// come, and is shown in the page only when a browser shows its type; a
// file whose record's data key was destroyed has no link.
func TestFileView(t *testing.T) {
	w := &Web{files: nopFiles{}}
	zh := &Request{Lang: i18n.Chinese}
	f := w.fileView(zh, visitarchive.Attachment{ID: "F1", Record: "R1", Name: "扫描.pdf", MediaType: visitarchive.MediaPDF,
		Size: 3 << 20, Text: visitarchive.AttachmentText{State: visitarchive.TextRunning, Pages: 12, PagesDone: 5}})
	if f.Type != "PDF 文档" || f.SizeText != "3 MiB" || f.Text != "正在识别文字" || f.Progress != "已读 5 页，共 12 页" ||
		f.Inline != "pdf" || f.URL != "/records/R1/attachments/F1" || f.View != f.URL+"/view" {
		t.Errorf("a PDF being read: %+v", f)
	}
	f = w.fileView(&Request{Lang: i18n.English}, visitarchive.Attachment{ID: "F2", Record: "R1", Name: "a.tif",
		MediaType: visitarchive.MediaTIFF, Size: 1536,
		Text: visitarchive.AttachmentText{State: visitarchive.TextUnavailable, Reason: "OCR is not installed"}})
	if f.Type != "TIFF image" || f.SizeText != "1.5 KiB" || f.Text != "Text cannot be read here" || f.Reason != "OCR is not installed" ||
		f.Inline != "" || f.Progress != "" {
		t.Errorf("a TIFF whose text cannot be read: %+v", f)
	}
	f = w.fileView(zh, visitarchive.Attachment{ID: "F3", Record: "R1", MediaType: visitarchive.MediaText + "; charset=utf-8",
		Size: 10, Hidden: []string{"name: data key destroyed"}})
	if f.Type != "纯文本" || f.SizeText != "10 字节" || f.URL != "" || f.Inline != "" || f.Text != "" {
		t.Errorf("a file whose key was destroyed: %+v", f)
	}
}

// nopFiles is a FileServer for the views' tests, which serve nothing.
type nopFiles struct{ FileServer }
