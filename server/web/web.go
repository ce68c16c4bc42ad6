package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"mime"
	"path"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Cookie names. The session and its CSRF token are the API's too
// (server/auth.go uses these names): one sign-in serves both.
const (
	SessionCookie = "va_session" // the session token, HttpOnly
	CSRFCookie    = "va_csrf"    // the session's CSRF token, for the pages' script and API clients
	LangCookie    = "va_lang"    // the language chosen with the switch: zh or en
	signinCookie  = "va_signin"  // the CSRF token of the sign-in form, before there is a session
	flashCookie   = "va_flash"   // the key of a one-time notice (flashes), shown by the next page
)

// Config is what the pages are built from; the server fills it in.
type Config struct {
	Archive *visitarchive.Archive
	Logger  *slog.Logger // nil discards

	// SearchQuery reads the parameters of a search (q, from, to, the
	// filters, sort, page; empty ones left out) into a query exactly as
	// GET /api/v1/search does, with its per-field errors (Invalid), so
	// that a page and the API read a search alike.
	SearchQuery func(params map[string]string) (visitarchive.SearchQuery, error)

	// Files takes the record pages' uploads and serves their downloads
	// with the API's own code (files.go); nil offers neither.
	Files FileServer
}

// Web serves the pages.
type Web struct {
	archive     *visitarchive.Archive
	log         *slog.Logger
	searchQuery func(map[string]string) (visitarchive.SearchQuery, error)
	views       views
	static      map[string]staticFile
	verify      *verifier // the auditors' verifications (verify.go)
	files       FileServer
}

//go:embed templates static
var files embed.FS

// New builds the pages; it parses every template, so a broken one fails
// at start (and in every test), never in front of a user.
func New(cfg Config) *Web {
	w := &Web{archive: cfg.Archive, log: cfg.Logger, searchQuery: cfg.SearchQuery, verify: newVerifier(),
		files: cfg.Files}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.static = loadStatic()
	w.static[coverCSSName] = coverStylesheet() // cover.go
	w.views = parseViews(w.archive.Location(), w.static)
	return w
}

// staticFile is one file of static/, with the version its URL carries.
type staticFile struct {
	body    []byte
	ctype   string
	version string // the start of its SHA-256: a changed file gets a new URL
}

func loadStatic() map[string]staticFile {
	out := map[string]staticFile{}
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		panic("web: " + err.Error()) // embedded: a bug
	}
	for _, e := range entries {
		b, err := fs.ReadFile(files, "static/"+e.Name())
		if err != nil {
			panic("web: " + err.Error())
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = staticFile{body: b, ctype: mime.TypeByExtension(path.Ext(e.Name())),
			version: hex.EncodeToString(sum[:6])}
	}
	return out
}

// staticURL is the URL of a static file, with its version: the file may
// then be cached for long.
func (st staticFile) url(name string) string { return "/static/" + name + "?v=" + st.version }

// serveStatic answers GET /static/:name from the embedded files.
func (w *Web) serveStatic(c *fiber.Ctx) error {
	f, ok := w.static[c.Params("name")]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.ctype)
	c.Set(fiber.HeaderCacheControl, "public, max-age="+staticMaxAge)
	return c.Send(f.body)
}

// staticMaxAge is how long a browser keeps a static file: its URL
// changes with its content.
var staticMaxAge = itoa(int((30 * 24 * time.Hour).Seconds()))
