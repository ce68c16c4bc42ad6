package server

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// objectAPI serves create, get, replace (PUT) and merge (PATCH) for one
// kind of versioned object, so that customers, records and the kinds later
// issues add answer alike. The funcs adapt it to the Archive.
type objectAPI[T any] struct {
	archive *visitarchive.Archive
	what    string // "customer": in messages, operation names and as the kind of resource
	prefix  string // where the collection lives, such as /api/v1/customers
	get     func(ctx context.Context, id string) (*T, error)
	create  func(ctx context.Context, t T) (*T, error)
	update  func(ctx context.Context, t T) (*T, error)
	ident   func(t *T) (id string, version int)
	// idField is the JSON name of the id ("id" when empty).
	idField string
	// validID says whether an id in a path may name an object (nil:
	// visitarchive.ValidID).
	validID func(string) bool
	// assignsID says that the server gives each new object its id: one
	// sent on create is Invalid. Otherwise an id taken would answer 409
	// to a caller who may not read the object that holds it, for whom a
	// GET of it is 404.
	assignsID bool

	// serverFields are the fields of T that the server sets, besides
	// auditFields, each with what changes them (a message in which %s,
	// if any, stands for the object's path): see checkServerFields.
	serverFields map[string]string

	// manage sets what the server owns on t before a write: the id and
	// version, and every other server-managed field copied from cur (nil
	// on create, where the Archive fills them in). This is how fields a
	// client sends there are ignored.
	manage func(t, cur *T, id string, version int)
}

func (o *objectAPI[T]) handleCreate(c *fiber.Ctx) error {
	op := o.what + ".create"
	if err := o.authorize(c, "", "create"); err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	t, _, err := decodeBody[T](c, op)
	if err != nil {
		return err
	}
	id, _ := o.ident(t)
	if o.assignsID && id != "" {
		return invalid(op, "request body", visitarchive.FieldErrorf("id",
			"is assigned by the server: leave it out, and read the new %s's id in the answer or its Location header", visitarchive.Word(o.what)))
	}
	o.manage(t, nil, id, 0)
	created, err := o.create(c.UserContext(), *t)
	if err != nil {
		return err
	}
	id, _ = o.ident(created)
	c.Location(o.prefix + "/" + id)
	return o.render(c, http.StatusCreated, created)
}

func (o *objectAPI[T]) handleGet(c *fiber.Ctx) error {
	op := o.what + ".get"
	id, err := o.pathID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	t, err := o.get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return o.render(c, http.StatusOK, t)
}

// handlePut replaces the whole editable content with the body.
func (o *objectAPI[T]) handlePut(c *fiber.Ctx) error {
	u, err := o.beginUpdate(c, o.what+".update", mimeJSON)
	if err != nil {
		return err
	}
	t, err := decodeMembers[T](u.op, u.body.tree, u.body.members)
	if err != nil {
		return err
	}
	return o.finishUpdate(c, u, t)
}

// handlePatch merges the body's top-level fields onto the current version
// (JSON merge patch, RFC 7396, one level deep: null clears a field, a list
// is replaced whole).
func (o *objectAPI[T]) handlePatch(c *fiber.Ctx) error {
	u, err := o.beginUpdate(c, o.what+".patch", mimeJSON, mimeMergePatch)
	if err != nil {
		return err
	}
	t, err := mergePatch(u.op, u.cur, u.body)
	if err != nil {
		return err
	}
	return o.finishUpdate(c, u, t)
}

// pendingUpdate is what PUT and PATCH have learnt before they build the
// new version.
type pendingUpdate[T any] struct {
	op      string
	id      string
	version int
	body    *jsonBody
	cur     *T
}

// beginUpdate checks everything about an update that does not depend on
// how the new content is built: the path id, that the caller may update
// the object, the body, the version named, and that it is the current
// one.
func (o *objectAPI[T]) beginUpdate(c *fiber.Ctx, op string, types ...string) (*pendingUpdate[T], error) {
	id, err := o.pathID(c, op)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(c, id, "update"); err != nil {
		return nil, err
	}
	if _, err := queryParams(c, op); err != nil {
		return nil, err
	}
	body, err := readJSON(c, op, types...)
	if err != nil {
		return nil, err
	}
	if err := checkShape[T](op, body.tree); err != nil {
		return nil, err
	}
	if err := checkBodyID(op, body, o.idField, id); err != nil {
		return nil, err
	}
	version, err := updateVersion(c, op, body)
	if err != nil {
		return nil, err
	}
	cur, err := o.get(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	_, curVersion := o.ident(cur)
	if err := checkCurrent(op, visitarchive.Word(o.what), version, curVersion); err != nil {
		return nil, err
	}
	return &pendingUpdate[T]{op: op, id: id, version: version, body: body, cur: cur}, nil
}

func (o *objectAPI[T]) finishUpdate(c *fiber.Ctx, u *pendingUpdate[T], t *T) error {
	if err := o.checkServerFields(u, t); err != nil {
		return err
	}
	o.manage(t, u.cur, u.id, u.version)
	updated, err := o.update(c.UserContext(), *t)
	if err != nil {
		return err
	}
	return o.render(c, http.StatusOK, updated)
}

// auditFields are the fields the server sets on every write of every
// kind.
var auditFields = map[string]string{
	"created_at": "is set by the server when the object is created",
	"created_by": "is set by the server when the object is created",
	"updated_at": "is set by the server on every write",
	"updated_by": "is set by the server on every write",
}

// checkServerFields refuses an update whose body sets a field that the
// server sets (serverFields, auditFields) to another value than the
// current version has: the server would drop it without a word. Each
// such field is named with what changes it. Sent back as a GET gave
// them, or left out, they are fine, so that a GET → edit → PUT round
// trip works; t is the new content the body makes (before manage).
func (o *objectAPI[T]) checkServerFields(u *pendingUpdate[T], t *T) error {
	sent, now := members(t), members(u.cur)
	var fields []visitarchive.FieldError
	var says visitarchive.Messages
	for _, name := range slices.Sorted(maps.Keys(u.body.members)) {
		how, ok := o.serverFields[name]
		if !ok {
			how, ok = auditFields[name]
		}
		if !ok || !u.body.has(name) || bytes.Equal(sent[name], now[name]) {
			continue
		}
		var path []any
		if strings.Contains(how, "%s") {
			path = append(path, o.prefix+"/"+u.id)
		}
		fields = append(fields, visitarchive.FieldErrorf(name, how, path...))
		says = append(says, visitarchive.Msgf("%s %s", name, visitarchive.Msgf(how, path...)))
	}
	if len(fields) == 0 {
		return nil
	}
	e := visitarchive.E(u.op, visitarchive.Invalid, nil, "an edit does not change what the server sets: %s", says)
	e.Fields = fields
	return e
}

// members returns the JSON members of v, raw.
func members(v any) map[string]json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("server: an API type does not encode: " + err.Error()) // a bug
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		panic("server: an API type is not a JSON object: " + err.Error())
	}
	return m
}

// authorize asks the Archive whether the caller may make the write move
// on object id ("" for a create), before the request is read any
// further: a caller who may not is refused alike whatever they send
// (visitarchive.Archive.MayWrite).
func (o *objectAPI[T]) authorize(c *fiber.Ctx, id, move string) error {
	return o.archive.MayWrite(c.UserContext(), visitarchive.ResourceKind(o.what), id, move)
}

// render answers with t and its version as the ETag.
func (o *objectAPI[T]) render(c *fiber.Ctx, status int, t *T) error {
	_, v := o.ident(t)
	c.Set(fiber.HeaderETag, etag(v))
	return c.Status(status).JSON(t)
}

// pathID returns the :id of the path. An id that could never have been
// issued is NotFound, like any other id that names nothing.
func (o *objectAPI[T]) pathID(c *fiber.Ctx, op string) (string, error) {
	id := c.Params("id")
	valid := o.validID
	if valid == nil {
		valid = visitarchive.ValidID
	}
	if !valid(id) {
		return "", notFound(op, "no such %s", visitarchive.Word(o.what))
	}
	return id, nil
}

// mergePatch applies the top-level members of patch to cur. The patch has
// passed checkShape, and cur came from the Archive, so the result decodes.
func mergePatch[T any](op string, cur *T, patch *jsonBody) (*T, error) {
	merged := members(cur)
	for name, v := range patch.members {
		if patch.tree[name] == nil {
			delete(merged, name)
			continue
		}
		merged[name] = v
	}
	return decodeRaw[T](op, merged)
}
