package audit

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// Formats are the formats a report renders to.
var Formats = []string{"json", "html", "xlsx"}

// ContentTypes are the media types of the formats.
var ContentTypes = map[string]string{
	"json": "application/json; charset=utf-8",
	"html": "text/html; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// Write renders rep in format ("json", "html" or "xlsx") to w, with the
// times of the HTML and the workbook in loc.
func Write(w io.Writer, rep *Report, format string, loc *time.Location) error {
	switch format {
	case "json":
		return WriteJSON(w, rep)
	case "html":
		return WriteHTML(w, rep, loc)
	case "xlsx":
		return WriteXLSX(w, rep, loc)
	}
	return fmt.Errorf("audit: unknown format %q; want json, html or xlsx", format)
}

// WriteJSON writes rep as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

// resultNames are the results in Chinese and English.
var resultNames = map[string]string{Pass: "通过 pass", Warn: "警告 warn", Fail: "不通过 fail"}

// view is a report as the page and the workbook show it.
type view struct {
	*Report
	Time, Period string
}

func newView(rep *Report, loc *time.Location) view {
	if loc == nil {
		loc = time.Local
	}
	v := view{Report: rep, Time: rep.Generated.In(loc).Format("2006-01-02 15:04:05"), Period: "全部 all"}
	if !rep.From.IsZero() || !rep.To.IsZero() {
		v.Period = day(rep.From, loc, "起始") + " — " + day(rep.To, loc, "至今")
	}
	return v
}

func day(t time.Time, loc *time.Location, none string) string {
	if t.IsZero() {
		return none
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

var funcs = template.FuncMap{
	"result":   func(r string) string { return resultNames[r] },
	"property": func(p string) string { return PropertyNames[p] + " " + p },
}

// WriteHTML writes rep as a printable page (A4, Chinese, no external
// files).
func WriteHTML(w io.Writer, rep *Report, loc *time.Location) error {
	return page.Execute(w, newView(rep, loc))
}

var page = template.Must(template.New("audit").Funcs(funcs).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>电子档案四性检测报告 Four-property audit</title>
<style>
@page { size: A4; margin: 15mm }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 10.5pt }
h1 { text-align: center; font-size: 18pt; letter-spacing: .2em }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2pt 12pt }
dt { font-weight: bold }
table { width: 100%; border-collapse: collapse; margin-bottom: 10pt }
th, td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top; text-align: left }
td.key { font-family: monospace; word-break: break-all }
.fail { font-weight: bold } .warn { font-style: italic }
section { break-inside: avoid-page }
.sign { margin-top: 24pt; display: flex; justify-content: space-between }
</style></head><body>
<h1>电子档案四性检测报告</h1>
<p style="text-align:center">依据 DA/T 70-2018《文书类电子档案检测一般要求》：真实性、完整性、可用性、安全性</p>
<dl>
<dt>检测时间 Generated</dt><dd>{{.Time}}</dd>
<dt>访问日志期间 Period</dt><dd>{{.Period}}</dd>
<dt>日志条目 Journal entries</dt><dd>{{.Entries}}</dd>
<dt>校验对象 Objects hashed</dt><dd>{{.Objects}}</dd>
<dt>记录 Records</dt><dd>{{.Records}}</dd>
<dt>结论 Result</dt><dd class="{{.Result}}">{{result .Result}}</dd>
</dl>
<table><thead><tr><th>性质 Property</th><th>检测项 Check</th><th>依据 Reference</th><th>检查数 Checked</th><th>问题 Findings</th><th>结果 Result</th></tr></thead>
<tbody>{{range .Checks}}<tr><td>{{property .Property}}</td><td>{{.Title}}</td><td>{{.Reference}}</td><td>{{.Checked}}</td><td>{{len .Findings}}</td><td class="{{.Result}}">{{result .Result}}</td></tr>
{{end}}</tbody></table>
{{range .Checks}}{{if .Findings}}<section><h2>{{.Title}} <small>({{.ID}})</small></h2>
<table><thead><tr><th>对象 Object</th><th>记录 Record</th><th>说明 Detail</th></tr></thead>
<tbody>{{range .Findings}}<tr><td class="key">{{.Object}}</td><td class="key">{{.Record}}</td><td>{{.Detail}}</td></tr>
{{end}}</tbody></table></section>
{{end}}{{end}}<div class="sign"><span>检测人（签字）：</span><span>审核人（签字）：</span><span>日期：</span></div>
</body></html>
`))

// The workbook's sheets and columns.
var (
	summarySheet   = "检测结果"
	findingsSheet  = "问题清单"
	summaryColumns = []string{"编号 ID", "性质 Property", "检测项 Check", "依据 Reference", "检查数 Checked", "问题数 Findings", "结果 Result"}
	findingColumns = []string{"编号 ID", "对象 Object", "记录 Record", "说明 Detail"}
)

// WriteXLSX writes rep as a workbook: a sheet of the checks, a sheet of
// every finding.
func WriteXLSX(w io.Writer, rep *Report, loc *time.Location) error {
	v := newView(rep, loc)
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", summarySheet); err != nil {
		return err
	}
	if _, err := f.NewSheet(findingsSheet); err != nil {
		return err
	}
	sum := sheetWriter{f: f, sheet: summarySheet}
	sum.row("电子档案四性检测报告 (DA/T 70-2018)")
	sum.row("检测时间 Generated", v.Time)
	sum.row("访问日志期间 Period", v.Period)
	sum.row("结论 Result", resultNames[rep.Result])
	sum.row()
	sum.row(summaryColumns...)
	fs := sheetWriter{f: f, sheet: findingsSheet}
	fs.row(findingColumns...)
	for _, c := range rep.Checks {
		sum.row(c.ID, PropertyNames[c.Property]+" "+c.Property, c.Title, c.Reference, fmt.Sprint(c.Checked), fmt.Sprint(len(c.Findings)), resultNames[c.Result])
		for _, fd := range c.Findings {
			fs.row(c.ID, fd.Object, fd.Record, fd.Detail)
		}
	}
	if err := firstOf(sum.err, fs.err, f.SetColWidth(summarySheet, "C", "D", 48), f.SetColWidth(findingsSheet, "B", "B", 60),
		f.SetColWidth(findingsSheet, "D", "D", 80)); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

// sheetWriter writes rows of strings down a sheet, keeping the first
// error.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	n     int
	err   error
}

func (s *sheetWriter) row(vals ...string) {
	s.n++
	for i, v := range vals {
		cell, err := excelize.CoordinatesToCellName(i+1, s.n)
		if err == nil {
			err = s.f.SetCellStr(s.sheet, cell, v)
		}
		if s.err == nil {
			s.err = err
		}
	}
}

func firstOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
