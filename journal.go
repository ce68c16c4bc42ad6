package visitarchive

import (
	"context"
	"iter"
	"time"
)

// Change is one object write recorded in the journal.
type Change struct {
	Actor  UserName `json:"actor"`
	Action string   `json:"action"` // such as "record.create", "customer.update"
	Key    string   `json:"key"`    // the object written
	SHA256 string   `json:"sha256"` // of the object's content; "" for an event that wrote nothing

	// Access events (a read, an export) name what was seen, from where.
	Fields []string `json:"fields,omitempty"` // the fields read, for a read
	Addr   string   `json:"addr,omitempty"`   // the client address
	Detail string   `json:"detail,omitempty"` // such as an export's scope

	// Removed says the object at Key was deleted on purpose (a destroyed
	// data key): verify expects it to be gone.
	Removed bool `json:"removed,omitempty"`
}

// Wrote reports whether c recorded a new object, rather than an access
// event or a removal.
func (c Change) Wrote() bool { return c.SHA256 != "" && !c.Removed }

// Entry is one link of the hash-chained journal. Changes that arrive while
// an append is in flight are group-committed into one entry, and a bulk
// import writes one entry per batch.
type Entry struct {
	Seq     uint64    `json:"seq"`  // 1, 2, 3, … without gaps
	Time    time.Time `json:"time"` // when the entry was written
	Changes []Change  `json:"changes"`
	Prev    string    `json:"prev"` // Hash of entry Seq-1; "" for the first
	Hash    string    `json:"hash"` // SHA-256 of this entry without Hash
}

// Journal is the append-only, totally ordered log of every change: the
// audit trail, the feed the index follows, and the basis of backups.
type Journal interface {
	// Append records changes in one or more entries and returns once they
	// are durable, with the sequence number of the entry that holds the
	// last of them. Concurrent Appends are group-committed.
	Append(ctx context.Context, changes ...Change) (uint64, error)

	// Since yields the entries with Seq > after in order, up to the head
	// as it was when Since was called.
	Since(ctx context.Context, after uint64) iter.Seq2[Entry, error]

	// Head returns the sequence number of the last entry (0 when empty).
	Head(ctx context.Context) (uint64, error)
}
