package extract

import (
	"fmt"
	"math"
	"strings"

	"github.com/ledongthuc/pdf"
)

// maxPageText bounds the text of one page, from any step. A dense page
// holds about 10 KB; more than a hundred times that is a file built to
// fill memory, and the rest of the page is dropped.
const maxPageText = 1 << 20

// maxText bounds the text of one file, so that the text of a file built
// to be all text (500 pages of 1 MiB) does not fill the server's memory
// and index. 32 MiB is the text of several thousand dense pages.
const maxText = 32 << 20

// textLeftOut is the Reason's note for text left out for maxText.
func textLeftOut() string {
	return fmt.Sprintf("only the first %s of text were kept", mebibytes(maxText))
}

// decoder turns a font's character codes into text.
type decoder interface{ Decode(raw string) string }

// fontDecoder returns the decoder of a font: its ToUnicode map when it
// has one, otherwise the encoding ledongthuc/pdf finds for it.
func fontDecoder(font pdf.Font) decoder {
	if m := readToUnicode(font.V); m != nil {
		return m
	}
	return font.Encoder()
}

// pageFull stops a page's interpretation once its text reached maxPageText.
type pageFull struct{}

// pageWriter collects the text of a page in reading order as the content
// stream shows it: a line break where the text line moves up or down, a
// space where a new text object continues the same line or a TJ array
// moves right by more than a quarter of the font size.
type pageWriter struct {
	page     pdf.Page
	decoders map[string]decoder // by font resource name
	dec      decoder            // the current font's
	b        strings.Builder
	lineY    float64 // the text line's vertical position, in text space
	shownY   float64 // lineY when text was last shown
	shown    bool    // text was shown on the page
	newText  bool    // a text object began since text was last shown
}

// show writes decoded text at the current line.
func (w *pageWriter) show(s string) {
	if s == "" {
		return
	}
	switch {
	case !w.shown:
	case math.Abs(w.lineY-w.shownY) > 0.01:
		w.b.WriteByte('\n')
	case w.newText:
		w.space()
	}
	w.shown, w.newText, w.shownY = true, false, w.lineY
	for _, r := range s { // invalid UTF-8: one U+FFFD a byte, which Judge counts
		w.b.WriteRune(r)
	}
	if w.b.Len() > maxPageText {
		panic(pageFull{})
	}
}

// showString shows a string operand in the current font.
func (w *pageWriter) showString(v pdf.Value) {
	if w.dec != nil && v.Kind() == pdf.String {
		w.show(w.dec.Decode(v.RawString()))
	}
}

func (w *pageWriter) space() {
	if s := w.b.String(); s != "" && !strings.HasSuffix(s, " ") && !strings.HasSuffix(s, "\n") {
		w.b.WriteByte(' ')
	}
}

// newLine moves to the next line, as T*, ' and " do.
func (w *pageWriter) newLine() { w.lineY-- }

// setFont makes the font of the page named name current.
func (w *pageWriter) setFont(name string) {
	d, ok := w.decoders[name]
	if !ok {
		d = fontDecoder(w.page.Font(name))
		w.decoders[name] = d
	}
	w.dec = d
}

// do carries out one operator of the content stream, with its operands.
func (w *pageWriter) do(op string, args []pdf.Value) {
	arg := func(i int) pdf.Value {
		if i < len(args) {
			return args[i]
		}
		return pdf.Value{}
	}
	switch op {
	case "BT":
		w.newText = true
	case "Tm":
		w.lineY = arg(5).Float64()
	case "Td", "TD":
		w.lineY += arg(1).Float64()
	case "T*":
		w.newLine()
	case "Tf":
		w.setFont(arg(0).Name())
	case "Tj":
		w.showString(arg(0))
	case "'":
		w.newLine()
		w.showString(arg(0))
	case "\"":
		w.newLine()
		w.showString(arg(2))
	case "TJ":
		a := arg(0)
		for i := range a.Len() {
			if v := a.Index(i); v.Kind() == pdf.String {
				w.showString(v)
			} else if v.Float64() <= -250 && w.shown {
				w.space()
			}
		}
	}
}

// pageText returns the text of one page of a PDF's text layer, decoding
// each font through its ToUnicode map when it has one. Text in form
// XObjects is not read: a page whose text is all there comes out Empty,
// and pdftotext reads it.
func pageText(p pdf.Page) (text string, err error) {
	w := &pageWriter{page: p, decoders: make(map[string]decoder)}
	defer func() {
		switch r := recover(); r.(type) {
		case nil:
		case pageFull:
			text = strings.ToValidUTF8(w.b.String()[:maxPageText], "")
		default:
			text, err = "", fmt.Errorf("%v", r)
		}
	}()
	contents := p.V.Key("Contents")
	if p.V.IsNull() || contents.Kind() == pdf.Null {
		return "", nil
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		w.do(op, args)
	})
	return w.b.String(), nil
}
