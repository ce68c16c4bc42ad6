package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// search answers GET /search with the SearchResult of the index: total,
// one page of hits and the facets of all matches.
func (s *Server) search(c *fiber.Ctx) error {
	const op = "search"
	p, err := queryParams(c, op, searchParams...)
	if err != nil {
		return err
	}
	q, err := s.searchQuery(op, p)
	if err != nil {
		return err
	}
	res, err := s.archive.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	if res.Hits == nil {
		res.Hits = []visitarchive.SearchHit{}
	}
	if res.Facets == nil {
		res.Facets = map[string][]visitarchive.FacetCount{}
	}
	return c.JSON(res)
}

// pageSearchQuery reads the parameters of the search page as those of
// GET /search (web.Config.SearchQuery): the same checks, the same errors.
func (s *Server) pageSearchQuery(m map[string]string) (visitarchive.SearchQuery, error) {
	p := params(m)
	if err := p.checkText("search"); err != nil {
		return visitarchive.SearchQuery{}, err
	}
	return s.searchQuery("search", p)
}
