package server

import (
	"bytes"
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/visitarchive/visitarchive"
)

// The destructions and their registers (销毁清册), read by auditors,
// archivists and managers: the list, and one register as JSON, as a
// printable page (format=html) or as an Excel sheet (format=xlsx).

// destructionList is the answer of GET /destructions.
type destructionList struct {
	Destructions []visitarchive.DestructionSummary `json:"destructions"`
}

func (s *Server) listDestructions(c *fiber.Ctx) error {
	const op = "destruction.list"
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	list, err := s.archive.Destructions(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(destructionList{Destructions: list})
}

func (s *Server) getRegister(c *fiber.Ctx) error {
	const op = "destruction.register"
	p, err := queryParams(c, op, "format")
	if err != nil {
		return err
	}
	reg, err := s.archive.Register(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	loc := s.archive.Location()
	switch p["format"] {
	case "", "json":
		return c.JSON(reg)
	case "html":
		var b bytes.Buffer
		if err := registerPage.Execute(&b, registerView(reg, loc)); err != nil {
			return err
		}
		c.Type("html", "utf-8")
		return c.Send(b.Bytes())
	case "xlsx":
		b, err := registerSheet(reg, loc)
		if err != nil {
			return visitarchive.E(op, visitarchive.Internal, err, "cannot write the register sheet")
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="register-`+reg.ID+`.xlsx"`)
		return c.Send(b)
	}
	return invalid(op, "query", visitarchive.FieldError{Field: "format", Message: "must be json, html or xlsx"})
}

// registerColumns are the columns of a register, in the order of the
// archival standard's destruction register.
var registerColumns = []string{"序号", "档号", "题名", "年度", "应保管期限", "归档日期", "件数", "鉴定意见", "备注"}

// registerRow is one line of a register as text.
func registerRow(e visitarchive.RegisterEntry, loc *time.Location) []string {
	archived := ""
	if !e.ArchivedAt.IsZero() {
		archived = e.ArchivedAt.In(loc).Format("2006-01-02")
	}
	return []string{strconv.Itoa(e.Seq), e.ReferenceCode, e.Title(), strconv.Itoa(e.Year), periodLabel(e.Retention),
		archived, strconv.Itoa(e.Objects), e.Reason, e.Note}
}

// periodLabel is the Chinese of a retention period.
func periodLabel(r visitarchive.Retention) string {
	switch r {
	case visitarchive.RetainD10:
		return "10年"
	case visitarchive.RetainD30:
		return "30年"
	case visitarchive.RetainPermanent:
		return "永久"
	}
	return string(r)
}

// registerHead is what a register says above its lines, label and value.
func registerHead(reg *visitarchive.DestructionRegister, loc *time.Location) [][2]string {
	return [][2]string{
		{"销毁编号", reg.ID},
		{"鉴定清单", reg.List},
		{"销毁理由", reg.Reason},
		{"批准人", string(reg.Approver)},
		{"监销人", witnesses(reg.Witnesses)},
		{"执行人", string(reg.By)},
		{"销毁时间", reg.Ended.In(loc).Format("2006-01-02 15:04:05")},
	}
}

func witnesses(ws []visitarchive.UserName) string {
	out := ""
	for i, w := range ws {
		if i > 0 {
			out += "、"
		}
		out += string(w)
	}
	return out
}

type registerPageData struct {
	ID      string
	Head    [][2]string
	Columns []string
	Rows    [][]string
}

func registerView(reg *visitarchive.DestructionRegister, loc *time.Location) registerPageData {
	v := registerPageData{ID: reg.ID, Head: registerHead(reg, loc), Columns: registerColumns}
	for _, e := range reg.Entries {
		v.Rows = append(v.Rows, registerRow(e, loc))
	}
	return v
}

// registerPage is the printable register: A4 landscape, one table.
var registerPage = template.Must(template.New("register").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>档案销毁清册 {{.ID}}</title>
<style>
@page { size: A4 landscape; margin: 15mm }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 11pt }
h1 { text-align: center; font-size: 18pt; letter-spacing: .3em }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2pt 12pt }
dt { font-weight: bold }
table { width: 100%; border-collapse: collapse }
th, td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top }
.sign { margin-top: 24pt; display: flex; justify-content: space-between }
</style></head><body>
<h1>档案销毁清册</h1>
<dl>{{range .Head}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl>
<table><thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>
<div class="sign"><span>批准人（签字）：</span><span>监销人（签字）：</span><span>监销人（签字）：</span></div>
</body></html>
`))

// registerSheet is the register as an Excel workbook of one sheet.
func registerSheet(reg *visitarchive.DestructionRegister, loc *time.Location) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "销毁清册"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	row := 1
	set := func(vals []string) error {
		for i, v := range vals {
			cell, err := excelize.CoordinatesToCellName(i+1, row)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
		row++
		return nil
	}
	if err := set([]string{"档案销毁清册"}); err != nil {
		return nil, err
	}
	for _, h := range registerHead(reg, loc) {
		if err := set(h[:]); err != nil {
			return nil, err
		}
	}
	row++
	if err := set(registerColumns); err != nil {
		return nil, err
	}
	for _, e := range reg.Entries {
		if err := set(registerRow(e, loc)); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(sheet, "C", "C", 40); err != nil {
		return nil, err
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
