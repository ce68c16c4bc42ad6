package scan

import (
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"time"

	"github.com/visitarchive/visitarchive"
)

// CoverSheet is what the cover sheet of a record shows. Every field but
// RecordID may be empty; an empty one prints as a dash.
type CoverSheet struct {
	RecordID       visitarchive.RecordID
	Customer       string    // the customer's name
	VisitDate      time.Time // printed as 2006-01-02 in its own location: pass it in the company's zone
	RefCode        string    // 档号, once the record is archived
	DepartmentName string
	VisitorName    string
}

// CoverOptions say how WriteCover writes the page.
type CoverOptions struct {
	// Lang is "zh" (the default) or "en": the language of the title and
	// labels. The other language stands beside them, smaller, so that
	// any sheet can be read by anyone who files it.
	Lang string
	// QRURL is where the page loads the PNG of the QR code from (a page
	// of the server answering QRPNG(id, DefaultQRSize)). Empty: the PNG
	// is embedded in the page as a data: URI.
	QRURL string
	// StylesheetURL is where the page loads CoverCSS from. Empty: the
	// style is inlined in a <style> element.
	StylesheetURL string
}

//go:embed cover.html
var coverHTML string

//go:embed cover.css
var coverCSS string

var coverTemplate = template.Must(template.New("cover").Parse(coverHTML))

// CoverCSS returns the style sheet of the cover sheet, for a server to
// answer at CoverOptions.StylesheetURL (Content-Type text/css).
func CoverCSS() string { return coverCSS }

// coverText is the text of the page in one language.
type coverText struct {
	title, note                                      string
	refCode, customer, date, id, department, visitor string
}

var coverTexts = map[string]coverText{
	"zh": {
		title: "客户拜访档案 封面", note: "扫描时请将本页放在该记录的纸质表单之前，每份记录一页封面。",
		refCode: "档号", customer: "客户", date: "拜访日期", id: "记录编号", department: "部门", visitor: "拜访人",
	},
	"en": {
		title: "Customer visit record · cover sheet", note: "When scanning, put this sheet in front of the record's paper form: one cover sheet per record.",
		refCode: "Reference code", customer: "Customer", date: "Visit date", id: "Record ID", department: "Department", visitor: "Visitor",
	},
}

// coverPage is what cover.html reads.
type coverPage struct {
	Lang, OtherLang string
	Title, Subtitle string
	Note, OtherNote string
	Rows            []coverRow
	ID              string
	QRSrc           any // a URL the template escapes, or the template.URL of a data: URI
	QRAlt           string
	QRSize          int
	StylesheetURL   string
	CSS             template.CSS
}

type coverRow struct {
	Label, Other, Value string
	Code                bool // a code to be typed: set in a monospaced font
}

// WriteCover writes the cover sheet of s as a complete HTML page: one A4
// page to print and put in front of the record's paper form before
// scanning, with the record's id, customer, visit date, reference code,
// department and visitor as text, and the QR code of Payload(s.RecordID)
// 80 mm wide. The page stands alone, without the site's menu: it is a
// sheet to print. With QRURL and StylesheetURL set it holds no inline
// style or script and loads only those two URLs, so a Content-Security-Policy
// of "style-src 'self'; img-src 'self'" allows it; without them
// it is one self-contained file (for a folder of sheets to print). An
// invalid RecordID is Invalid.
func WriteCover(w io.Writer, s CoverSheet, opt CoverOptions) error {
	page, err := newCoverPage(s, opt)
	if err != nil {
		return err
	}
	return coverTemplate.Execute(w, page)
}

func newCoverPage(s CoverSheet, opt CoverOptions) (*coverPage, error) {
	lang, other := "zh", "en"
	if opt.Lang == "en" {
		lang, other = "en", "zh"
	}
	t, o := coverTexts[lang], coverTexts[other]
	p := &coverPage{
		Lang: htmlLang(lang), OtherLang: htmlLang(other),
		Title: t.title, Subtitle: o.title, Note: t.note, OtherNote: o.note,
		ID: string(s.RecordID), QRSize: DefaultQRSize, StylesheetURL: opt.StylesheetURL,
		QRAlt: t.id + " " + string(s.RecordID),
	}
	date := ""
	if !s.VisitDate.IsZero() {
		date = s.VisitDate.Format(time.DateOnly)
	}
	p.Rows = []coverRow{
		{t.refCode, o.refCode, dash(s.RefCode), true},
		{t.customer, o.customer, dash(s.Customer), false},
		{t.date, o.date, dash(date), false},
		{t.department, o.department, dash(s.DepartmentName), false},
		{t.visitor, o.visitor, dash(s.VisitorName), false},
		{t.id, o.id, string(s.RecordID), true},
	}
	if !visitarchive.ValidID(string(s.RecordID)) {
		return nil, visitarchive.E("scan.cover", visitarchive.Invalid, nil, "%q is not a record id", string(s.RecordID))
	}
	p.QRSrc = opt.QRURL
	if opt.QRURL == "" {
		png, err := QRPNG(s.RecordID, DefaultQRSize)
		if err != nil {
			return nil, err
		}
		p.QRSrc = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	if opt.StylesheetURL == "" {
		p.CSS = template.CSS(coverCSS)
	}
	return p, nil
}

func htmlLang(lang string) string {
	if lang == "zh" {
		return "zh-CN"
	}
	return lang
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
