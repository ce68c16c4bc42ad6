// Package server is the HTTP edge of visitarchive: the REST API under
// /api/v1, its OpenAPI document, the operational endpoints /healthz,
// /readyz and /metrics, and the pages (package web, mounted at /), on
// Fiber v2.
//
// Handlers parse, call the *visitarchive.Archive with c.UserContext() (which
// carries the deadline, the request id and the caller's Principal) and
// render; every error goes through the one ErrorHandler in errors.go,
// which says its message in the language of the request (lang.go: the
// va_lang cookie, Accept-Language, else Chinese) from the format and
// arguments that the root's errors keep, by i18n's catalogue;
// TestMessageCatalogue holds the catalogue to every message of the code.
// The Archive asks the policy before it does anything; the server
// authenticates (auth.go: session cookie with CSRF token, or API token),
// and decides nothing about permissions itself.
//
// A write is checked in this order: authentication (the middleware),
// authorization (objectAPI.authorize asks Archive.MayWrite: 404 when the
// caller may not read the object, 403 when they may not make the write,
// 409 when its state refuses it), then the request — query, content
// type, body, version, values — so that a caller who may not write is
// refused alike whatever they send.
//
// Input rules that clients rely on:
//   - JSON bodies need Content-Type application/json (415 otherwise), at
//     most Config.BodyLimit bytes (413), one well-formed object (400, with
//     the position of a syntax error) and no unknown fields (400, naming
//     them). Values of the wrong type or that break a rule are 422 with
//     per-field messages.
//   - Server-managed fields (created_at, created_by, updated_at,
//     updated_by; a record's status, workflow fields and annotations; a
//     plan's status, revision, decisions, pending change and
//     after_the_fact; a user's must_change_password) are the server's:
//     ignored on create, and in an update accepted only as they are, so
//     that a GET → edit → PUT round trip works. Another value is 422
//     naming each such field and the move that changes it
//     (checkServerFields). The openapi.json marks them readOnly.
//   - An update that changes nothing answers the current version and
//     writes nothing (the Archive's Update methods decide).
//   - Updates name the version they change with If-Match or a version
//     field; a stale version is 409. So do workflow moves (POST
//     …/submit, …/approve and the like, in workflow.go), whose body may
//     then be left out.
//   - Unknown or repeated query parameters are 400.
//   - Uploads of attachments (POST …/records/{id}/attachments,
//     attachments.go, and the record page's upload form at
//     /records/{id}/attachments, pagefiles.go) and of scans (POST
//     …/scans, scans.go) are multipart/form-data read as a stream, held
//     to their own limits (Config.Attachments), never to BodyLimit; every
//     other body is read whole and held to BodyLimit first (bodies.go).
//     Fiber streams every body or none, so the server streams them all and
//     readBody reads the others.
package server

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/audit"
	"github.com/visitarchive/visitarchive/server/web"
)

// Defaults for the zero values of Config.
const (
	DefaultBodyLimit      = 4 << 20 // JSON bodies
	DefaultRequestTimeout = 30 * time.Second
)

// Config is what a Server is built from; cmd parses flags into it.
type Config struct {
	Archive *visitarchive.Archive
	Logger  *slog.Logger // nil discards

	// BodyLimit caps request bodies in bytes (0: DefaultBodyLimit). It
	// applies to every request but the uploads of attachments, which
	// stream their bodies and keep to Attachments.
	BodyLimit int

	// Attachments bounds uploads and downloads of attachments.
	Attachments AttachmentLimits

	// RequestTimeout is the deadline put on each request's context
	// (0: DefaultRequestTimeout).
	RequestTimeout time.Duration

	// Registry receives the HTTP metrics and is what /metrics serves; nil
	// means a registry of the server's own with the Go and process
	// collectors.
	Registry *prometheus.Registry

	// Collectors are other components' metrics (the scheduled jobs'), to
	// be registered into the Registry and served on /metrics too.
	Collectors []prometheus.Collector

	// Audit are the sources of the four-property audit (Archive aside,
	// which is the server's): the store, the index, the index directory
	// and the key file. Nil: GET /audit/report is Unavailable.
	Audit *audit.Sources

	// ReadyDetail is what /readyz says works only in part, such as "OCR
	// is off: tesseract not found …" (extract.Tools.Detail); "" for
	// nothing.
	ReadyDetail string

	// Backups tells the status of the backups (backup.Backuper), which
	// /readyz and GET /api/v1/audit/backups show; nil when the server
	// makes none.
	Backups visitarchive.BackupReporter
}

// Server is the HTTP server of visitarchive.
type Server struct {
	app     *fiber.App
	archive *visitarchive.Archive
	log     *slog.Logger
	timeout time.Duration
	// bodyLimit is Config.BodyLimit; limits Config.Attachments.
	bodyLimit int
	limits    AttachmentLimits
	// audit are the sources of the audit report (Config.Audit), or nil.
	audit   *audit.Sources
	reg     *prometheus.Registry
	metrics *metrics
	web     *web.Web // the pages

	customers   *objectAPI[visitarchive.Customer]
	records     *objectAPI[visitarchive.Record]
	plans       *objectAPI[visitarchive.Plan]
	users       *objectAPI[visitarchive.User]
	departments *objectAPI[visitarchive.Department]

	// readyDetail is Config.ReadyDetail.
	readyDetail string
	// backups is Config.Backups.
	backups visitarchive.BackupReporter
}

// New builds a Server with its whole route table; it does not listen yet.
func New(cfg Config) *Server {
	s := &Server{
		archive: cfg.Archive,
		log:     cfg.Logger,
		timeout: cfg.RequestTimeout,
		reg:     cfg.Registry,
		limits:  cfg.Attachments,

		readyDetail: cfg.ReadyDetail,
		backups:     cfg.Backups,
	}
	if cfg.Audit != nil {
		src := *cfg.Audit
		src.Archive = cfg.Archive
		s.audit = &src
	}
	s.limits.defaults()
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	if s.reg == nil {
		s.reg = newRegistry()
	}
	s.metrics = newMetrics(s.reg)
	s.reg.MustRegister(cfg.Collectors...)
	s.customers, s.records, s.plans = s.customerAPI(), s.recordAPI(), s.planAPI()
	s.users, s.departments = s.userAPI(), s.departmentAPI()
	s.web = web.New(web.Config{Archive: cfg.Archive, Logger: s.log, SearchQuery: s.pageSearchQuery,
		Files: pageFiles{s}})
	s.bodyLimit = cfg.BodyLimit
	if s.bodyLimit <= 0 {
		s.bodyLimit = DefaultBodyLimit
	}
	s.app = fiber.New(fiber.Config{
		// Values from c.Params, c.Query and c.Body outlive handlers (they
		// go into the Archive), so Fiber must not reuse their buffers.
		Immutable: true,
		BodyLimit: s.bodyLimit,
		// Bodies stream, so that uploads never sit in memory; readBody
		// (bodies.go) reads the others and holds them to BodyLimit.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ErrorHandler:                 s.handleError,
		DisableStartupMessage:        true,
		StrictRouting:                false,
		CaseSensitive:                true,
		// Idle keep-alive connections must not hold Shutdown up for long.
		ReadTimeout:  time.Minute,
		WriteTimeout: time.Minute,
		IdleTimeout:  2 * time.Minute,
	})
	s.app.Server().HeaderReceived = s.headerReceived
	s.routes()
	return s
}

// App returns the Fiber app, for tests (app.Test) and for later issues
// that mount more routes before Listen.
func (s *Server) App() *fiber.App { return s.app }

// Listen serves HTTP on addr until Shutdown.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve serves HTTP on ln until Shutdown; tests use it with a listener on
// a free port.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("listening", "addr", ln.Addr().String())
	return s.app.Listener(ln)
}

// Shutdown stops accepting connections and waits for in-flight requests
// to finish, so that a write that has begun is completed and answered. When
// ctx ends first, the remaining connections are closed. Then it stops the
// pages' background work (a verification of the journal) and waits for it.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.app.ShutdownWithContext(ctx)
	s.web.Close() // the pages' background work
	return err
}
