package web

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// Page is what the layout renders around a page's own content, Data.
type Page struct {
	Lang  i18n.Lang
	Title string
	User  *visitarchive.User // nil when signed out
	CSRF  string             // for the forms' hidden _csrf field
	Nav   []NavLink
	// Unread is the number of unread notifications in the user's inbox.
	Unread int
	// Switch is the link of the language switch: the other language,
	// coming back to this page.
	Switch     string
	SwitchLang i18n.Lang
	Flash      string // a one-time notice, translated
	Data       any
}

// views holds, for each language, the template of each page: the layout
// and partials of templates/ with one file of templates/pages/. The
// translation functions are bound to the language, so that a template
// says {{t "Search"}} wherever it is.
type views map[i18n.Lang]map[string]*template.Template

func parseViews(loc *time.Location, static map[string]staticFile) views {
	pages, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil || len(pages) == 0 {
		panic("web: no page templates")
	}
	out := views{}
	for _, l := range i18n.Langs {
		base := template.Must(template.New("").Funcs(funcs(l, loc, static)).ParseFS(files, "templates/*.html"))
		out[l] = map[string]*template.Template{}
		for _, p := range pages {
			name := strings.TrimSuffix(path.Base(p), ".html")
			out[l][name] = template.Must(template.Must(base.Clone()).ParseFS(files, p))
		}
	}
	return out
}

// funcs are the functions templates call, bound to language l and the
// company's time zone loc:
//
//	t "English text"          the text in l
//	tf "%d of %d" a b          the format in l, filled in
//	label "topic"              a field's label (the policy's term)
//	value "status" "approved"  a value of a field with fixed values
//	date, datetime             a time in the company's zone
//	num                        a number with l's digit grouping
//	marked                     a highlighted fragment of a search hit
//	static "app.css"           the URL of a static file
func funcs(l i18n.Lang, loc *time.Location, static map[string]staticFile) template.FuncMap {
	p := message.NewPrinter(language.Make(string(l)))
	return template.FuncMap{
		"t":        func(key string) string { return i18n.Text(l, key) },
		"tf":       func(format string, args ...any) string { return i18n.Sprintf(l, format, args...) },
		"label":    func(field string) string { return Label(l, field) },
		"value":    func(field string, v any) string { return Value(l, field, toString(v)) },
		"date":     func(t time.Time) string { return formatTime(l, loc, t, false) },
		"datetime": func(t time.Time) string { return formatTime(l, loc, t, true) },
		"num":      func(n any) string { return p.Sprintf("%d", n) },
		"marked":   marked,
		"static": func(name string) string {
			f, ok := static[name]
			if !ok {
				panic("web: no static file " + name) // a template names a file that is not there
			}
			return f.url(name)
		},
	}
}

// The layouts of dates and times in each language.
var timeLayouts = map[i18n.Lang][2]string{
	i18n.Chinese: {"2006年1月2日", "2006年1月2日 15:04"},
	i18n.English: {"2 Jan 2006", "2 Jan 2006, 15:04"},
}

// formatTime writes t in the company's zone, as a date or a date and time;
// the zero time is "".
func formatTime(l i18n.Lang, loc *time.Location, t time.Time, withTime bool) string {
	if t.IsZero() {
		return ""
	}
	i := 0
	if withTime {
		i = 1
	}
	return t.In(loc).Format(timeLayouts[l][i])
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case interface{ String() string }:
		return v.String()
	}
	return fmt.Sprint(v)
}

// marked renders a fragment of a search hit. The index sends escaped
// text with <mark> around matches; marked trusts none of it: it keeps the
// marks and escapes everything else again, so that whatever a fragment
// holds, the page shows text with marks and never markup.
func marked(fragment string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(fragment, "<mark>") {
		text, mark := "", part
		if i > 0 {
			var ok bool
			if mark, text, ok = strings.Cut(part, "</mark>"); !ok {
				mark, text = part, ""
			}
			b.WriteString("<mark>" + escapeOnce(mark) + "</mark>")
		} else {
			text = part
		}
		b.WriteString(escapeOnce(text))
	}
	return template.HTML(b.String())
}

// escapeOnce escapes text that the index escaped already: unescaped
// first, so that &amp; stays &amp; and a stray < becomes &lt;.
func escapeOnce(s string) string {
	return template.HTMLEscapeString(html.UnescapeString(strings.ReplaceAll(s, "</mark>", "")))
}

// render answers with page name of the request's language, with title
// (an English key) and data.
func (w *Web) render(c *fiber.Ctx, r *Request, name, title string, data any) error {
	p := &Page{Lang: r.Lang, Title: r.T(title), User: r.User, CSRF: r.CSRF, Data: data,
		Flash: w.takeFlash(c, r)}
	p.SwitchLang = i18n.English
	if r.Lang == i18n.English {
		p.SwitchLang = i18n.Chinese
	}
	p.Switch = "/lang?to=" + string(p.SwitchLang) + "&next=" + url.QueryEscape(localPath(c.OriginalURL()))
	if r.User != nil && !r.principal.MustChangePassword {
		p.Nav = w.nav(c, r)
		p.Unread, _ = w.archive.Inbox().Unread(c.UserContext()) // a count in a header is not worth failing a page
	}
	t, ok := w.views[r.Lang][name]
	if !ok {
		panic("web: no page template " + name) // a handler names a page that is not there
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return visitarchive.E("web.render", visitarchive.Internal, err, "internal error")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}
