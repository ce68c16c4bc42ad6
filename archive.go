package visitarchive

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// Config holds what an Archive is built from; cmd wires concrete types.
type Config struct {
	Store   Store
	Journal Journal
	Index   Index
	Logger  *slog.Logger
	Now     func() time.Time // nil means time.Now
}

// Archive is the service that ties store, journal and index: every write
// puts a new immutable object, journals it, and indexes it before it
// returns.
type Archive struct{}

// New returns an Archive; call Open before use.
func New(cfg Config) *Archive { panic("todo") }

// Open loads what the Archive caches and brings the index up to the
// journal head (rebuilding it from the store when it is empty).
func (a *Archive) Open(ctx context.Context) error { panic("todo") }

// Ready reports whether the store and the index answer.
func (a *Archive) Ready(ctx context.Context) error { panic("todo") }

// CreateCustomer validates c and stores it as version 1. c.ID may be chosen
// by the client; it is generated when empty. An existing ID is Conflict.
func (a *Archive) CreateCustomer(ctx context.Context, c Customer) (*Customer, error) { panic("todo") }

// GetCustomer returns the latest version of customer id, or NotFound.
func (a *Archive) GetCustomer(ctx context.Context, id CustomerID) (*Customer, error) { panic("todo") }

// ListCustomers returns one page of customers ordered by ID, and the total.
func (a *Archive) ListCustomers(ctx context.Context, page, size int) ([]*Customer, int, error) {
	panic("todo")
}

// UpdateCustomer replaces customer c.ID with c. c.Version must be the
// version being changed: a stale version is Conflict. Returns the new
// version.
func (a *Archive) UpdateCustomer(ctx context.Context, c Customer) (*Customer, error) { panic("todo") }

// CreateRecord validates r and stores it as version 1 of a new draft.
func (a *Archive) CreateRecord(ctx context.Context, r Record) (*Record, error) { panic("todo") }

// GetRecord returns the latest version of record id, or NotFound.
func (a *Archive) GetRecord(ctx context.Context, id RecordID) (*Record, error) { panic("todo") }

// UpdateRecord replaces record r.ID with r. r.Version must be the version
// being changed: a stale version is Conflict.
func (a *Archive) UpdateRecord(ctx context.Context, r Record) (*Record, error) { panic("todo") }

// VersionInfo is one version in an object's history.
type VersionInfo struct {
	Version int       `json:"version"`
	Actor   UserName  `json:"actor"`
	Time    time.Time `json:"time"`
	SHA256  string    `json:"sha256"`
}

// RecordHistory lists every version of record id, oldest first.
func (a *Archive) RecordHistory(ctx context.Context, id RecordID) ([]VersionInfo, error) {
	panic("todo")
}

// RecordPage is one page of records and the total that matched.
type RecordPage struct {
	Total   uint64    `json:"total"`
	Records []*Record `json:"records"`
}

// ListRecords returns the records that match q's filters, read from the
// store, newest visit first unless q.Sort says otherwise.
func (a *Archive) ListRecords(ctx context.Context, q SearchQuery) (*RecordPage, error) {
	panic("todo")
}

// Search runs q against the index.
func (a *Archive) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	panic("todo")
}

// ImportProgress reports how far an import has come.
type ImportProgress struct {
	Lines, Imported, Rejected int
}

// ImportReport lists what an import did; Rejected is by line number.
type ImportReport struct {
	Customers, Records int
	Rejected           []ImportRejection
}

// ImportRejection is one line that was not imported, and why.
type ImportRejection struct {
	Line  int
	Error error
}

// Import reads JSON lines, each {"customer": {...}} or {"record": {...}},
// and stores the valid ones in batches, one journal entry per batch. A
// rejected line leaves nothing behind.
func (a *Archive) Import(ctx context.Context, r io.Reader, progress func(ImportProgress)) (*ImportReport, error) {
	panic("todo")
}

// Reindex rebuilds the index from the store alone. progress is called with
// the records done and the total.
func (a *Archive) Reindex(ctx context.Context, progress func(done, total int)) error {
	panic("todo")
}
