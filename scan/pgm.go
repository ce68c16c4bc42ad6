package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"strconv"
)

// parsePGM reads the binary gray image (PGM, "P5") that pdftoppm -gray
// writes: a header of magic number, width, height and largest value,
// separated by white space (comments start with '#'), one white-space
// byte, then a byte per pixel.
func parsePGM(data []byte) (*image.Gray, error) {
	var fields [4]string
	rest := data
	for i := range fields {
		tok, r, err := pgmToken(rest)
		if err != nil {
			return nil, err
		}
		fields[i], rest = tok, r
	}
	if fields[0] != "P5" {
		return nil, errors.New("pgm: not a binary PGM")
	}
	w, err1 := strconv.Atoi(fields[1])
	h, err2 := strconv.Atoi(fields[2])
	maxVal, err3 := strconv.Atoi(fields[3])
	if err := errors.Join(err1, err2, err3); err != nil || w <= 0 || h <= 0 || w > 1<<16 || h > 1<<16 || maxVal <= 0 || maxVal > 255 {
		return nil, fmt.Errorf("pgm: bad header %q", fields[1:])
	}
	rest = rest[1:] // the one white-space byte after the header
	if len(rest) < w*h {
		return nil, fmt.Errorf("pgm: %d bytes of pixels for %d×%d", len(rest), w, h)
	}
	img := &image.Gray{Pix: rest[: w*h : w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
	if maxVal != 255 {
		for i, v := range img.Pix {
			img.Pix[i] = uint8(int(v) * 255 / maxVal)
		}
	}
	return img, nil
}

// pgmToken returns the next token of a PGM header, and what follows it
// (starting with the white space that ends it).
func pgmToken(b []byte) (string, []byte, error) {
	for len(b) > 0 {
		switch {
		case b[0] == '#':
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				b = b[i+1:]
			} else {
				b = nil
			}
		case isSpace(b[0]):
			b = b[1:]
		default:
			i := 0
			for i < len(b) && !isSpace(b[i]) && i < 16 {
				i++
			}
			if i == len(b) || !isSpace(b[i]) {
				return "", nil, errors.New("pgm: truncated header")
			}
			return string(b[:i]), b[i:], nil
		}
	}
	return "", nil, errors.New("pgm: truncated header")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
