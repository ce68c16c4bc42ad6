package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The inbox: the user's notifications, newest first, a page at a time;
// all or only the unread; marking one or all read.

// inboxView is the content of the inbox page.
type inboxView struct {
	Items      []inboxItem
	Total      int
	Unread     int
	UnreadOnly bool
	Pager      Pager
}

type inboxItem struct {
	*visitarchive.Notification
	Link string // the page of what it is about, "" when there is none yet
}

// inboxPageSize is how many notifications a page shows.
const inboxPageSize = 20

func (w *Web) inbox(c *fiber.Ctx, r *Request) error {
	unreadOnly := c.Query("unread") == "true"
	page := pageNumber(c)
	in, err := w.archive.Inbox().List(c.UserContext(), unreadOnly, page, inboxPageSize)
	if err != nil {
		return err
	}
	v := inboxView{Total: in.Total, Unread: in.Unread, UnreadOnly: unreadOnly,
		Pager: newPager(c, page, inboxPageSize, in.Total)}
	for _, n := range in.Notifications {
		v.Items = append(v.Items, inboxItem{Notification: n, Link: objectLink(n.Kind, n.Object)})
	}
	return w.render(c, r, "inbox", msg("Inbox"), v)
}

// objectLinks are the pages of the kinds of object, by kind; a page
// family that shows a kind adds it here, and the inbox and search link
// to it.
var objectLinks = map[visitarchive.ResourceKind]string{
	visitarchive.KindRecord: "/records/",
	visitarchive.KindPlan:   "/plans/",
}

// objectLink is the page of object id of kind, or "".
func objectLink(kind visitarchive.ResourceKind, id string) string {
	if p, ok := objectLinks[kind]; ok && id != "" {
		return p + id
	}
	return ""
}

func (w *Web) markAllRead(c *fiber.Ctx, r *Request) error {
	if _, err := w.archive.Inbox().MarkRead(c.UserContext(), nil); err != nil {
		return err
	}
	return redirect(c, "/inbox")
}

func (w *Web) markRead(c *fiber.Ctx, r *Request) error {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return fiber.ErrNotFound
	}
	if _, err := w.archive.Inbox().MarkRead(c.UserContext(), []string{id}); err != nil {
		return err
	}
	return redirect(c, localPath(c.FormValue("next", "/inbox")))
}
