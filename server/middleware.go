package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Header names the API reads or writes.
const (
	headerRequestID = "X-Request-Id"
)

// Keys of c.Locals and of the request context.
type ctxKey int

const (
	requestIDKey ctxKey = iota
	loggerKey
)

// requestIDPattern is what an incoming X-Request-Id must look like to be
// reused: it ends up in logs, so it is kept short and free of anything that
// could forge a log line.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// observe is the outermost middleware: it gives the request an id and a
// logger, answers the error of the chain (so that the status is final when
// it is logged and counted), then writes the access log line and the
// metrics.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	s.ensureRequestID(c)
	// Answers echo input (ids, field names): never let a browser sniff
	// them into HTML.
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec()
	err := c.Next()
	route := routePattern(c, err)
	if err != nil {
		if err := s.app.ErrorHandler(c, err); err != nil {
			return err
		}
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	s.metrics.observe(c.Method(), route, status, elapsed)
	// Only the path: query strings and bodies may hold personal data.
	s.logger(c).Info("request", "method", c.Method(), "path", c.Path(),
		"status", status, "duration", elapsed, "user", visitarchive.ActorFrom(c.UserContext()))
	return nil
}

// ensureRequestID reuses a sane incoming X-Request-Id or makes one, echoes
// it, and puts it and a logger that carries it into the locals and the
// request context.
func (s *Server) ensureRequestID(c *fiber.Ctx) {
	id := c.Get(headerRequestID)
	if !requestIDPattern.MatchString(id) {
		id = visitarchive.NewID("", time.Now())
	}
	c.Set(headerRequestID, id)
	log := s.log.With("request_id", id)
	c.Locals(requestIDKey, id)
	c.Locals(loggerKey, log)
	ctx := context.WithValue(c.UserContext(), requestIDKey, id)
	c.SetUserContext(context.WithValue(ctx, loggerKey, log))
}

// requestID returns the id that observe gave the request, or "".
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// logger returns the request's logger, which carries its id.
func (s *Server) logger(c *fiber.Ctx) *slog.Logger {
	if l, ok := c.Locals(loggerKey).(*slog.Logger); ok {
		return l
	}
	return s.log
}

// routePattern labels metrics by the route pattern, not the path, so that
// ids do not explode the number of series. When no route matched, Fiber's
// router returned a *fiber.Error (404 or 405; handlers return
// *visitarchive.Error) and c.Route() is only the last middleware.
func routePattern(c *fiber.Ctx, err error) string {
	var fe *fiber.Error
	if errors.As(err, &fe) && (fe.Code == fiber.StatusNotFound || fe.Code == fiber.StatusMethodNotAllowed) {
		return "unmatched"
	}
	return c.Route().Path
}

// recoverPanics turns a panic in a handler into an Internal error, which
// the error handler logs once with the stack and answers with 500.
func recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = visitarchive.E("http", visitarchive.Internal,
				fmt.Errorf("panic: %v\n%s", r, debug.Stack()), "internal error")
		}
	}()
	return c.Next()
}

// withDeadline bounds the work of a request: handlers pass c.UserContext()
// to the Archive, so a stuck store or index call gives up in time. (Fiber's
// timeout middleware races; a context deadline does not.)
func (s *Server) withDeadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.timeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}
