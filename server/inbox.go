package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The inbox is the caller's own: the notifications of the workflow
// events that need their action.

func (s *Server) inbox(c *fiber.Ctx) error {
	const op = "inbox.list"
	p, err := queryParams(c, op, "unread", "page", "size")
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	unread := p.flag("unread", &fe)
	pg, size := p.pageInt("page", &fe), p.pageInt("size", &fe)
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	page, err := s.archive.Inbox().List(c.UserContext(), unread, pg, size) // checks their range
	if err != nil {
		return err
	}
	if page.Notifications == nil {
		page.Notifications = []*visitarchive.Notification{}
	}
	return c.JSON(page)
}

// markRead is the body of POST /inbox/read: the notifications to mark, or
// all of them when empty or absent.
type markRead struct {
	IDs []string `json:"ids"`
}

// markedCount answers how many notifications a request marked read; those
// read before do not count.
type markedCount struct {
	Marked int `json:"marked"`
}

func (s *Server) markRead(c *fiber.Ctx) error {
	const op = "inbox.read"
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	raw, err := readOptionalJSON(c, op)
	if err != nil {
		return err
	}
	req, err := decodeMembers[markRead](op, raw.tree, raw.members)
	if err != nil {
		return err
	}
	return s.mark(c, req.IDs)
}

func (s *Server) markOneRead(c *fiber.Ctx) error {
	const op = "inbox.read"
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return notFound(op, "notification %q not found in your inbox", id)
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	// No body is needed; one that is sent must still be well-formed.
	raw, err := readOptionalJSON(c, op)
	if err != nil {
		return err
	}
	if err := checkShape[struct{}](op, raw.tree); err != nil {
		return err
	}
	return s.mark(c, []string{id})
}

func (s *Server) mark(c *fiber.Ctx, ids []string) error {
	n, err := s.archive.Inbox().MarkRead(c.UserContext(), ids)
	if err != nil {
		return err
	}
	return c.JSON(markedCount{Marked: n})
}
