package extract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// renderDPI is the resolution pages are rendered at for OCR: what
// Tesseract reads best, and what scanners deliver.
const renderDPI = 300

// maxImage bounds a rendered page. A page at 300 dpi is a few megabytes
// of PNG; a page built to be huge fails the memory limit first.
const maxImage = 256 << 20

// tesseractEnv keeps tesseract to one thread: several extractions run at
// once, and on two cores its OpenMP threads only wait for each other.
var tesseractEnv = []string{"OMP_THREAD_LIMIT=1"}

// ocrPage renders page n (1-based) of the PDF that input reads and
// returns its text read by tesseract.
func (x *Extractor) ocrPage(ctx context.Context, input func() io.Reader, n int) (string, error) {
	tools := x.getTools()
	num := strconv.Itoa(n)
	img := &capped{max: maxImage}
	argv := []string{tools.PDFToPPM, "-r", strconv.Itoa(renderDPI), "-png", "-f", num, "-l", num, "-singlefile", "-"}
	if err := x.run(ctx, proc{what: "rendering page " + num, argv: argv, input: input(), stdout: img}); err != nil {
		return "", err
	}
	switch {
	case img.over:
		return "", &failure{what: "rendering page " + num, detail: "the image is larger than " + mebibytes(maxImage)}
	case len(img.b) == 0:
		return "", &failure{what: "rendering page " + num, detail: "no image"}
	}
	pages, err := x.tesseract(ctx, "OCR of page "+num, bytes.NewReader(img.b), true)
	if err != nil {
		return "", err
	}
	return strings.Join(pages, "\n"), nil
}

// tesseract reads the image that input holds and returns the text of each
// of its pages (a TIFF may hold several).
func (x *Extractor) tesseract(ctx context.Context, what string, input io.Reader, rendered bool) ([]string, error) {
	argv := []string{x.getTools().Tesseract, "stdin", "stdout", "-l", ocrLanguages}
	if rendered {
		argv = append(argv, "--dpi", strconv.Itoa(renderDPI))
	}
	out := &capped{max: maxText}
	if err := x.run(ctx, proc{what: what, argv: argv, env: tesseractEnv, input: input, stdout: out}); err != nil {
		return nil, err
	}
	if out.over {
		return nil, &failure{what: what, detail: textLeftOut()}
	}
	pages := strings.Split(string(out.b), "\f")
	if len(pages) > 1 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1] // tesseract ends every page with a form feed
	}
	for i, p := range pages {
		if len(p) > maxPageText {
			pages[i] = strings.ToValidUTF8(p[:maxPageText], "")
		}
	}
	return pages, nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// isImage reports whether head, the first bytes of a file, begin a PNG,
// JPEG or TIFF image. Tesseract takes any other input for a list of
// image files to read, one path a line: a text file sent as an image
// would have it read images anywhere on this machine.
func isImage(head []byte) bool {
	for _, magic := range []string{"\x89PNG\r\n\x1a\n", "\xFF\xD8\xFF", "II*\x00", "MM\x00*"} {
		if bytes.HasPrefix(head, []byte(magic)) {
			return true
		}
	}
	return false
}

// extractImage reads a PNG, JPEG or TIFF image with tesseract, streaming
// it to tesseract's standard input.
func (x *Extractor) extractImage(ctx context.Context, content io.Reader, progress func(int, int)) (Result, error) {
	if !x.getTools().OCR() {
		return Result{State: Unavailable, Reason: ReasonNoOCR}, nil
	}
	lim := x.limits()
	progress(0, 1)
	in := &counter{r: io.LimitReader(content, lim.MaxBytes+1)}
	br := bufio.NewReader(in)
	if head, _ := br.Peek(8); !isImage(head) {
		return notExtracted("the file is not a PNG, JPEG or TIFF image"), nil
	}
	pages, err := x.tesseract(ctx, "OCR", br, false)
	switch {
	case ctx.Err() != nil:
		return Result{}, ctx.Err()
	case in.n > lim.MaxBytes:
		return x.tooLarge(), nil
	case err != nil:
		var f *failure
		if errors.As(err, &f) {
			return notExtracted(f.reason(lim)), nil
		}
		return Result{}, err
	}
	var notes []string
	if len(pages) > lim.MaxPages {
		notes = append(notes, fmt.Sprintf("only the first %d of %d pages were read", lim.MaxPages, len(pages)))
		pages = pages[:lim.MaxPages]
	}
	for i, p := range pages {
		pages[i] = clean(p)
	}
	progress(len(pages), len(pages))
	return Result{Pages: pages, Method: OCR, State: Done, Reason: strings.Join(notes, "; ")}, nil
}
