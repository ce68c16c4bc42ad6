package extract

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// page is one page of a PDF on its way through the steps.
type page struct {
	text   string
	method Method // "" while the page has no text worth keeping
}

// pdfRun is the state of one PDF's extraction.
type pdfRun struct {
	x        *Extractor
	lim      Limits
	file     *os.File
	size     int64
	progress func(done, total int)
	pages    []page
	kept     int      // bytes of text in pages
	notes    []string // for Reason
}

// extractPDF sends each page through the text layer, then pdftotext,
// then OCR, until it has text that Judge finds Good.
func (x *Extractor) extractPDF(ctx context.Context, content io.Reader, progress func(int, int)) (Result, error) {
	lim := x.limits()
	f, err := spool(x.TempDir, content, lim.MaxBytes)
	if err != nil {
		return Result{}, err
	}
	if f == nil {
		return x.tooLarge(), nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("extract: %w", err)
	}
	r := &pdfRun{x: x, lim: lim, file: f, size: st.Size(), progress: progress}

	layerErr := r.textLayer(ctx)
	if err := internal(ctx, layerErr); err != nil {
		return Result{}, err
	}
	// No pages is what ledongthuc/pdf finds when it cannot follow the
	// trailer to the page tree (pdfunite writes a /Root beyond /Size,
	// which poppler forgives): pdftotext counts the pages then.
	counted := layerErr == nil && len(r.pages) > 0
	if !counted || r.missing() > 0 {
		if err := r.pdftotext(ctx, counted); err != nil {
			if err := internal(ctx, err); err != nil {
				return Result{}, err
			}
			if layerErr != nil {
				return notExtracted(r.why(layerErr), r.why(err)), nil
			}
			// The text layer gave some pages; poppler cannot read the
			// file, so pdftoppm could not render the others either.
			r.notes = append(r.notes, r.why(err))
			return r.result(), nil
		}
		if layerErr != nil {
			r.notes = append(r.notes, r.why(layerErr))
		}
	}
	if err := r.ocr(ctx); err != nil {
		return Result{}, err
	}
	return r.result(), nil
}

// internal returns the error of ctx when it ended, and err when it is
// not a failure of the file but of this machine; nil otherwise.
func internal(ctx context.Context, err error) error {
	var f *failure
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil && !errors.As(err, &f):
		return err
	}
	return nil
}

// why is the reason of a step's error.
func (r *pdfRun) why(err error) string {
	var f *failure
	if errors.As(err, &f) {
		return f.reason(r.lim)
	}
	return err.Error()
}

// missing counts the pages without text.
func (r *pdfRun) missing() int {
	n := 0
	for _, p := range r.pages {
		if p.method == "" {
			n++
		}
	}
	return n
}

func (r *pdfRun) report() {
	r.progress(len(r.pages)-r.missing(), len(r.pages))
}

// keep takes text for page i (0-based) when Judge finds it Good, growing
// the pages as needed.
func (r *pdfRun) keep(i int, text string, m Method) {
	for len(r.pages) <= i {
		r.pages = append(r.pages, page{})
	}
	if r.pages[i].method != "" || Judge(text) != Good {
		return
	}
	if r.kept+len(text) > maxText {
		r.overText()
		return
	}
	r.pages[i] = page{text: text, method: m}
	r.kept += len(text)
}

// overText notes, once, that text was left out for maxText.
func (r *pdfRun) overText() {
	if note := textLeftOut(); !slices.Contains(r.notes, note) {
		r.notes = append(r.notes, note)
	}
}

// textLayer runs the child on the spooled PDF and keeps the pages it
// reads. It returns the child's failure, if any; the pages read before
// it failed are kept.
func (r *pdfRun) textLayer(ctx context.Context) error {
	x := r.x
	argv := append([]string{x.Exe}, x.Args...)
	argv = append(argv, "-memory", strconv.FormatUint(r.lim.MemoryBytes, 10), "-pages", strconv.Itoa(r.lim.MaxPages), "pdf")
	var childErr string
	ended, claimed := false, 0
	read := func(out io.Reader) error {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 6*maxPageText+1024) // JSON escapes a byte in at most 6
		for sc.Scan() {
			var m childMsg
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				return fmt.Errorf("unreadable output: %w", err)
			}
			switch m.Kind {
			case "start":
				r.pages = make([]page, min(m.Pages, r.lim.MaxPages))
				claimed = m.Claimed
				r.report()
			case "page":
				if m.Page >= 1 && m.Page <= r.lim.MaxPages {
					r.keep(m.Page-1, m.Text, TextLayer)
					r.report()
				}
			case "end":
				if m.Pages < len(r.pages) {
					r.pages = r.pages[:m.Pages]
				}
				if claimed > m.Pages && m.Pages == r.lim.MaxPages {
					r.notes = append(r.notes, fmt.Sprintf("only the first %d of %d pages were read", m.Pages, claimed))
				}
				ended = true
			case "error":
				childErr = m.Error
			}
		}
		return sc.Err()
	}
	err := x.run(ctx, proc{what: "the PDF's text layer", argv: argv, file: r.file, read: read})
	switch {
	case err != nil:
		return err
	case childErr != "":
		return &failure{what: "the PDF's text layer", detail: childErr}
	case !ended:
		return &failure{what: "the PDF's text layer", detail: "the reader stopped without finishing"}
	}
	return nil
}

// pdftotext reads the whole PDF with pdftotext and keeps its text for the
// pages still without text. Pages that poppler finds beyond the text
// layer's are added; when the text layer did not finish (counted is
// false), poppler's count of pages is the count.
func (r *pdfRun) pdftotext(ctx context.Context, counted bool) error {
	tools := r.x.getTools()
	if tools.PDFToText == "" {
		return &failure{what: "pdftotext", detail: "not found"}
	}
	out := &capped{max: maxText}
	argv := []string{tools.PDFToText, "-enc", "UTF-8", "-f", "1", "-l", strconv.Itoa(r.lim.MaxPages), "-", "-"}
	err := r.x.run(ctx, proc{what: "pdftotext", argv: argv, input: r.input(), stdout: out})
	if err != nil {
		return err
	}
	if out.over {
		r.overText()
	}
	texts := strings.Split(string(out.b), "\f")
	texts = texts[:len(texts)-1] // pdftotext ends every page with a form feed
	if !counted && len(texts) < len(r.pages) {
		r.pages = r.pages[:len(texts)]
	}
	for i, t := range texts {
		if len(t) > maxPageText {
			t = strings.ToValidUTF8(t[:maxPageText], "")
		}
		r.keep(i, t, PDFToText)
	}
	r.report()
	return nil
}

// input is a fresh reader of the whole spooled PDF.
func (r *pdfRun) input() io.Reader { return io.NewSectionReader(r.file, 0, r.size) }

// ocr renders each page still without text and reads it with tesseract.
// A page that fails is noted and the others go on; it returns only the
// error of ctx or of this machine.
func (r *pdfRun) ocr(ctx context.Context) error {
	var todo []int
	for i, p := range r.pages {
		if p.method == "" {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if !r.x.getTools().PDFOCR() {
		r.notes = append(r.notes, fmt.Sprintf("%s for %s", ReasonNoOCR, pageList(todo)))
		return nil
	}
	var failed []string
	for _, i := range todo {
		text, err := r.x.ocrPage(ctx, r.input, i+1)
		if err := internal(ctx, err); err != nil {
			return err
		}
		if err != nil {
			failed = append(failed, r.why(err))
			continue
		}
		if r.kept+len(text) > maxText {
			r.overText()
			text = ""
		}
		r.pages[i] = page{text: text, method: OCR}
		r.kept += len(text)
		r.report()
	}
	r.notes = append(r.notes, failed...)
	return nil
}

// pageList names 0-based pages for a person: "page 3", "pages 1, 2, 5".
func pageList(pages []int) string {
	s := make([]string, len(pages))
	for i, p := range pages {
		s[i] = strconv.Itoa(p + 1)
	}
	if len(pages) == 1 {
		return "page " + s[0]
	}
	return "pages " + strings.Join(s, ", ")
}

// result turns the pages into a Result: Done when any page has text or
// went through every step, Unavailable when no page has text because OCR
// is missing, Failed when no page has text because every step failed.
func (r *pdfRun) result() Result {
	res := Result{Pages: make([]string, len(r.pages)), State: Done}
	order := map[Method]int{TextLayer: 1, PDFToText: 2, OCR: 3}
	for i, p := range r.pages {
		res.Pages[i] = clean(p.text)
		if order[p.method] > order[res.Method] {
			res.Method = p.method
		}
	}
	res.Reason = strings.Join(r.notes, "; ")
	if res.Method == "" {
		switch {
		case len(r.pages) > 0 && !r.x.getTools().PDFOCR():
			res.State, res.Reason = Unavailable, ReasonNoOCR
		case len(r.notes) > 0:
			res = notExtracted(r.notes...)
		}
	}
	return res
}

// clean is what every page's text goes through before it is returned.
func clean(text string) string {
	return strings.TrimSpace(CleanHan(scrub(unradical(text))))
}

// unradical maps the radicals that stand for ideographs (see radicals).
func unradical(text string) string {
	if !strings.ContainsFunc(text, func(r rune) bool { return r >= 0x2E80 && r <= 0x2FDF }) {
		return text
	}
	return strings.Map(func(r rune) rune {
		if u, ok := radicals[r]; ok {
			return u
		}
		return r
	}, text)
}
