package scan

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

var sheet = CoverSheet{
	RecordID:       rec1,
	Customer:       "华东精密机械有限公司 <A&B>",
	VisitDate:      time.Date(2026, 3, 5, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
	RefCode:        "KF·2026-Y30-0042",
	DepartmentName: "华东销售部",
	VisitorName:    "王小明",
}

func TestWriteCover(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  CoverOptions
		has  []string
		not  []string
	}{
		{"served", CoverOptions{QRURL: "/records/" + string(rec1) + "/cover.png", StylesheetURL: "/static/cover.css"},
			[]string{`<html lang="zh-CN">`, `src="/records/` + string(rec1) + `/cover.png"`, `<link rel="stylesheet" href="/static/cover.css">`},
			[]string{"<style", "style=", "data:", "<script", "onload=", "onerror="}},
		{"standalone", CoverOptions{},
			[]string{`<html lang="zh-CN">`, `src="data:image/png;base64,`, "<style>", "@page { size: A4 portrait"},
			[]string{"<script", "<link"}},
		{"english", CoverOptions{Lang: "en", QRURL: "cover.png", StylesheetURL: "cover.css"},
			[]string{`<html lang="en">`, "<h1>Customer visit record · cover sheet</h1>", `<p class="sub" lang="zh-CN">客户拜访档案 封面</p>`},
			[]string{"<style"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteCover(&b, sheet, tc.opt); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			for _, s := range append(tc.has,
				"客户拜访档案 封面", "Customer visit record · cover sheet",
				"档号", "Reference code", "客户", "Customer", "拜访日期", "Visit date", "记录编号", "Record ID",
				"部门", "拜访人", string(rec1), "华东精密机械有限公司 &lt;A&amp;B&gt;", "2026-03-05", "KF·2026-Y30-0042", "华东销售部", "王小明",
			) {
				if !strings.Contains(page, s) {
					t.Errorf("the page lacks %q", s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(page, s) {
					t.Errorf("the page holds %q", s)
				}
			}
		})
	}
	var b strings.Builder
	if err := WriteCover(&b, CoverSheet{RecordID: rec2}, CoverOptions{QRURL: "q.png", StylesheetURL: "c.css"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), "<td>—</td>"); got != 4 {
		t.Errorf("%d empty fields shown as a dash, want 4", got)
	}
	if err := WriteCover(&b, CoverSheet{RecordID: "no/such"}, CoverOptions{}); !visitarchive.IsKind(err, visitarchive.Invalid) {
		t.Errorf("an invalid record id: %v, want Invalid", err)
	}
	if err := WriteCover(&b, sheet, CoverOptions{QRURL: "javascript:alert(1)", StylesheetURL: "c.css"}); err != nil || strings.Contains(b.String(), "javascript:") {
		t.Errorf("a javascript: URL reached the page (%v)", err)
	}
}

// printedForm is a page of a paper visit form, Chinese and English text
// in a ruled table, as the pages after a cover sheet are.
const printedForm = `<section style="break-before: page; font-size: 11pt">
<h2>客户拜访记录表 Customer visit form</h2>
<table style="width: 100%%; border-collapse: collapse" border="1">
<tr><th>客户名称</th><td>华东精密机械有限公司</td><th>拜访日期</th><td>2026-03-05</td></tr>
<tr><th>联系人</th><td>李建国 经理</td><th>电话</th><td>138 0013 8000</td></tr>
<tr><th>拜访目的</th><td colspan="3">☐ 新品介绍 ☑ 售后回访 ☐ 合同洽谈 ☑ 需求调研</td></tr>
<tr><th>内容摘要</th><td colspan="3">%s</td></tr>
<tr><th>客户意见</th><td colspan="3">设备运行稳定，希望缩短备件交货周期。The customer asked for a quote on spare parts.</td></tr>
<tr><th>拜访人签字</th><td>王小明</td><th>主管签字</th><td>张伟</td></tr>
</table></section>`

// TestCoverScans prints the cover sheet with Chromium, as a user prints
// it from the browser, with two pages of a form after it, and splits
// that; then scans the sheet: rendered at 150, 200 and 300 dpi, turned
// a little, faded, with noise and as a coarse JPEG, as a tired office
// scanner makes it. Each scan must give back the record.
func TestCoverScans(t *testing.T) {
	t.Parallel()
	needTools(t, poppler...)
	needTools(t, "pdftotext")
	var html bytes.Buffer
	if err := WriteCover(&html, sheet, CoverOptions{}); err != nil {
		t.Fatal(err)
	}
	summary := strings.Repeat("本次拜访主要了解客户生产线的运行情况，讨论了数控机床维护保养方案以及下一季度的采购计划。", 12)
	forms := fmt.Sprintf(printedForm, summary) + fmt.Sprintf(printedForm, summary[:300])
	printed := printPDF(t, bytes.Replace(html.Bytes(), []byte("</body>"), []byte(forms+"</body>"), 1))
	dir := t.TempDir()
	path := filepath.Join(dir, "printed.pdf")
	if err := os.WriteFile(path, printed, 0o600); err != nil {
		t.Fatal(err)
	}
	info, _ := exec.Command("pdfinfo", path).Output()
	if !strings.Contains(string(info), "Pages:           3\n") || !strings.Contains(string(info), "(A4)") {
		t.Errorf("the printed sheet and form are not three A4 pages:\n%s", info)
	}
	text, _ := exec.Command("pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", path, "-").Output()
	for _, s := range []string{"客户拜访档案", "华东精密机械有限公司", "2026-03-05", string(rec1)} {
		if !strings.Contains(string(text), s) {
			t.Errorf("the printed sheet lacks the text %q", s)
		}
	}
	b, err := SplitPDF(t.Context(), bytes.NewReader(printed), Options{TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Parts) != 1 || b.Parts[0].Record != rec1 || !slices.Equal(b.Parts[0].Pages, []int{2, 3}) || b.Parts[0].Inbox() {
		t.Errorf("the printed batch: %+v, want %s with pages 2 and 3", b.Parts, rec1)
	}
	b.Close()
	for _, dpi := range []int{150, 200, 300} {
		t.Run(fmt.Sprint(dpi, "dpi"), func(t *testing.T) {
			out, err := exec.Command("pdftoppm", "-gray", "-r", fmt.Sprint(dpi), "-f", "1", "-l", "1", path).Output()
			if err != nil {
				t.Fatal(err)
			}
			page, err := parsePGM(out)
			if err != nil {
				t.Fatal(err)
			}
			scan := jpegOf(t, wornScan(page, 1.5, uint64(dpi)), 40)
			start := time.Now()
			b, err := SplitPDF(t.Context(), bytes.NewReader(scannedPDF(t, pdfPage{scan, dpi})), Options{TempDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			t.Logf("decoded in %v", time.Since(start))
			if len(b.Parts) != 1 || b.Parts[0].Record != rec1 || b.Parts[0].Cover != 1 || len(b.Parts[0].Pages) != 0 {
				t.Fatalf("got %+v, want the cover sheet of %s", b.Parts, rec1)
			}
			if got, want := b.Parts[0].Reason.String(), "the cover sheet of record "+string(rec1)+" has no pages after it"; got != want {
				t.Errorf("reason %q, want %q", got, want)
			}
		})
	}
}

// wornScan returns page as a worn scanner sees it: turned by deg
// degrees, faded to gray on gray, and noisy.
func wornScan(page *image.Gray, deg float64, seed uint64) *image.Gray {
	w, h := page.Rect.Dx(), page.Rect.Dy()
	out := image.NewGray(page.Rect)
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	noise := seed | 1
	for y := range h {
		// The source of (x, y), stepped along the row.
		sx, sy := -cos*cx+sin*(float64(y)-cy)+cx, sin*cx+cos*(float64(y)-cy)+cy
		row := out.Pix[y*out.Stride : y*out.Stride+w]
		for x := range row {
			v := 255
			if ix, iy := int(sx), int(sy); ix >= 0 && iy >= 0 && ix < w && iy < h {
				v = int(page.Pix[iy*page.Stride+ix])
			}
			noise ^= noise << 13 // xorshift: cheap noise
			noise ^= noise >> 7
			noise ^= noise << 17
			v = 70 + v*150/255 + int(noise%61) - 30 // black is 70, white 220, ±30 of noise
			row[x] = uint8(min(max(v, 0), 255))
			sx, sy = sx+cos, sy-sin
		}
	}
	return out
}
