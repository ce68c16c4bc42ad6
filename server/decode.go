package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// jsonBody is a request body that passed the syntax checks: exactly one
// JSON object, its members kept raw for merging and for decoding.
type jsonBody struct {
	tree    map[string]any             // parsed with UseNumber, for shape checks
	members map[string]json.RawMessage // the same members, raw
}

// has reports whether the body sets member name to something other than
// null.
func (b *jsonBody) has(name string) bool {
	v, ok := b.tree[name]
	return ok && v != nil
}

// Media types of JSON request bodies.
const (
	mimeJSON       = fiber.MIMEApplicationJSON
	mimeMergePatch = "application/merge-patch+json" // RFC 7396, for PATCH
)

// readJSON checks the content type (one of types, application/json when
// none are given) and the syntax of the request body and returns its
// members. Every failure is BadRequest, or Unsupported for the wrong
// content type; the position of a syntax error is in the message. A
// string that escapes half a surrogate pair is Invalid, naming its field
// (visitarchive.CheckJSONText).
func readJSON(c *fiber.Ctx, op string, types ...string) (*jsonBody, error) {
	if len(types) == 0 {
		types = []string{mimeJSON}
	}
	if err := checkContentType(c.Get(fiber.HeaderContentType), op, types); err != nil {
		return nil, err
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest(op, "the request body is empty; send a JSON object")
	}
	// Before decoding, which would turn what is not text into U+FFFD.
	if err := visitarchive.CheckJSONText(op, "body", body); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, syntaxError(op, body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := position(body, dec.InputOffset())
		return nil, badRequest(op, "unexpected data after the JSON object at line %d, column %d", line, col)
	}
	tree, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest(op, "the request body must be a JSON object")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, syntaxError(op, body, err)
	}
	return &jsonBody{tree: tree, members: members}, nil
}

// checkContentType accepts the media types with an optional charset,
// which must then be UTF-8 (RFC 8259 allows no other).
func checkContentType(ct, op string, types []string) error {
	if ct == "" {
		return visitarchive.E(op, visitarchive.Unsupported, nil,
			"send the body as JSON with Content-Type: %s", types[0])
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(types, mt) {
		return visitarchive.E(op, visitarchive.Unsupported, nil,
			"the body must be %s, not %q", strings.Join(types, " or "), ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return visitarchive.E(op, visitarchive.Unsupported, nil,
			"JSON must be encoded in UTF-8, not %q", cs)
	}
	return nil
}

// syntaxError describes a JSON syntax error with its line and column.
func syntaxError(op string, body []byte, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the offending byte as read.
		line, col := position(body, se.Offset-1)
		return badRequest(op, "malformed JSON at line %d, column %d: %s", line, col, se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(body, int64(len(body)))
		return badRequest(op, "malformed JSON: the body ends at line %d, column %d before the JSON is complete", line, col)
	}
	return badRequest(op, "malformed JSON: %s", err.Error())
}

// position turns a byte offset into a 1-based line and column (in
// characters, so that Chinese text counts as people see it).
func position(body []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(body)))
	before := body[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, len([]rune(string(before))) + 1
}

// decodeBody reads the request body into a T after checking it field by
// field: unknown fields are BadRequest, values of the wrong type Invalid.
func decodeBody[T any](c *fiber.Ctx, op string) (*T, *jsonBody, error) {
	b, err := readJSON(c, op)
	if err != nil {
		return nil, nil, err
	}
	t, err := decodeMembers[T](op, b.tree, b.members)
	return t, b, err
}

// decodeMembers checks tree against T and decodes members into a new T.
func decodeMembers[T any](op string, tree map[string]any, members map[string]json.RawMessage) (*T, error) {
	if err := checkShape[T](op, tree); err != nil {
		return nil, err
	}
	return decodeRaw[T](op, members)
}

// decodeRaw decodes members, which have passed checkShape, into a new T.
func decodeRaw[T any](op string, members map[string]json.RawMessage) (*T, error) {
	raw, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	t := new(T)
	if err := dec.Decode(t); err != nil {
		// checkShape should have caught it; say what we know.
		return nil, badRequest(op, "the body does not match the schema: %s", err.Error())
	}
	return t, nil
}
