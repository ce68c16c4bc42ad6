package server

import (
	"context"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// readyTimeout bounds a readiness check: a load balancer wants a quick no
// rather than a hung probe.
const readyTimeout = 5 * time.Second

type statusBody struct {
	Status string `json:"status"`
	// Detail says what works in part, such as "OCR is off: tesseract
	// not found" (Config.ReadyDetail).
	Detail string `json:"detail,omitempty"`
}

// healthz says that the process is alive and serving; it checks nothing
// else, so that a slow store does not get the process restarted.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(statusBody{Status: "ok"})
}

// readyz says whether the Archive can serve: its store and index answer.
// When not, it is 503 with the reason. Ready, it says in detail what
// works only in part (Config.ReadyDetail).
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	err := s.archive.Ready(ctx)
	if err == nil {
		return c.JSON(statusBody{Status: "ready", Detail: s.readyDetailNow()})
	}
	s.logger(c).Warn("not ready", "err", err)
	_, _, e := describe(err)
	return writeError(c, http.StatusServiceUnavailable, visitarchive.Unavailable.String(),
		visitarchive.E("ready", visitarchive.Unavailable, err, "not ready: %s", i18n.MessageOf(e)))
}
