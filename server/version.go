package server

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// etag is the entity tag of a version: the version number, quoted.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// parseIfMatch reads the version an If-Match header names. It accepts 3,
// "3" and W/"3" (a weak tag names the same version here); it rejects * and
// lists, which would let an update go through without naming what it
// changes. ok is false when the header is absent.
func parseIfMatch(h, op string) (v int, ok bool, err error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false, nil
	}
	s := strings.TrimPrefix(h, "W/")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err = strconv.Atoi(s)
	if err != nil || v < 1 || strings.HasPrefix(s, "+") {
		return 0, false, badRequest(op, `If-Match must name one version, such as "3"; got %q`, h)
	}
	return v, true, nil
}

// updateVersion returns the version an update names: from If-Match, from
// the body's version field, or from both when they agree.
func updateVersion(c *fiber.Ctx, op string, body *jsonBody) (int, error) {
	hv, inHeader, err := parseIfMatch(c.Get(fiber.HeaderIfMatch), op)
	if err != nil {
		return 0, err
	}
	bv, inBody, err := bodyVersion(op, body)
	if err != nil {
		return 0, err
	}
	switch {
	case inHeader && inBody && hv != bv:
		return 0, badRequest(op, "If-Match names version %d but the version field says %d", hv, bv)
	case inHeader:
		return hv, nil
	case inBody:
		return bv, nil
	}
	return 0, invalid(op, "request", visitarchive.FieldError{
		Field: "version", Message: "is required: send If-Match or a version field",
	})
}

// bodyVersion reads the body's version field, which checkShape has already
// found to be an integer if present.
func bodyVersion(op string, body *jsonBody) (int, bool, error) {
	if !body.has("version") {
		return 0, false, nil
	}
	var v int
	if err := json.Unmarshal(body.members["version"], &v); err != nil || v < 1 {
		return 0, false, invalid(op, "request body", visitarchive.FieldError{
			Field: "version", Message: "must be a version number from 1 up",
		})
	}
	return v, true, nil
}

// checkBodyID rejects a body whose id names another object than the path.
// field is the JSON name of the id ("id" when empty).
func checkBodyID(op string, body *jsonBody, field, pathID string) error {
	if field == "" {
		field = "id"
	}
	if !body.has(field) {
		return nil
	}
	var id string
	if err := json.Unmarshal(body.members[field], &id); err != nil || (id != "" && id != pathID) {
		return badRequest(op, "the %s in the body is not the one in the path (%s)", field, pathID)
	}
	return nil
}

// checkCurrent answers Conflict when the version an update names is not
// the current one, before any work is done. The Archive checks again
// atomically: two updates of one version cannot both pass.
func checkCurrent(op string, what visitarchive.Word, named, current int) error {
	if named == current {
		return nil
	}
	if named < current {
		return visitarchive.E(op, visitarchive.Conflict, nil,
			"version %d of the %s is stale: it is at version %d now; read it again and retry", named, what, current)
	}
	return visitarchive.E(op, visitarchive.Conflict, nil,
		"the %s has no version %d: it is at version %d", what, named, current)
}
