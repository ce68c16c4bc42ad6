package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Pager is the paging of a long list: where it is and the links to the
// pages around, each keeping the page's other query parameters.
type Pager struct {
	Page, Pages int
	Prev, Next  string // "" at the ends
	Links       []PageLink
}

// PageLink is a link to one page; Page 0 is a gap (…).
type PageLink struct {
	Page    int
	URL     string
	Current bool
}

// newPager pages total items, size a page, now at page.
func newPager(c *fiber.Ctx, page, size, total int) Pager {
	pages := max(1, (total+size-1)/size)
	p := Pager{Page: page, Pages: pages}
	link := func(n int) string { return pageURL(c, n) }
	if page > 1 {
		p.Prev = link(min(page-1, pages))
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < page-2 || n > page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Links = append(p.Links, PageLink{})
		}
		p.Links = append(p.Links, PageLink{Page: n, URL: link(n), Current: n == page})
		last = n
	}
	return p
}

// pageURL is this page's URL at page n, its other parameters kept.
func pageURL(c *fiber.Ctx, n int) string { return withParam(c, "page", strconv.Itoa(n)) }

// withParam is this page's URL with name set to value (left out when
// value is ""), its other non-empty parameters kept; but for a change of
// the page itself, the list starts again at its first page.
func withParam(c *fiber.Ctx, name, value string) string {
	q := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if key := string(k); key != name && key != "page" && len(v) > 0 {
			q.Add(key, string(v))
		}
	})
	if value != "" {
		q.Set(name, value)
	}
	return c.Path() + "?" + q.Encode()
}

// pageOf is page n (from 1) of list, size a page: empty past its end
// (however far: a page number from a URL may be anything).
func pageOf[T any](list []T, n, size int) []T {
	if n < 1 || n-1 > len(list)/size {
		return nil
	}
	lo := min((n-1)*size, len(list))
	return list[lo:min(lo+size, len(list))]
}
