package server

import (
	"log/slog"
	"testing"

	"github.com/visitarchive/visitarchive/index"
)

// openTestIndex opens a Bleve index in dir that is closed when the test
// ends.
func openTestIndex(t *testing.T, dir string, log *slog.Logger) *index.Index {
	t.Helper()
	idx, err := index.Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}
