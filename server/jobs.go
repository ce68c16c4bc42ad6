package server

import (
	"github.com/gofiber/fiber/v2"
)

// The background jobs: today the extraction of an attachment's text,
// which every upload queues (visitarchive.Job). A job is read by whoever
// may read its record; to anyone else it does not exist (404).

// getJob answers GET /jobs/:id with the job's state and page progress.
func (s *Server) getJob(c *fiber.Ctx) error {
	const op = "job.get"
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	j, err := s.archive.Job(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(j)
}
