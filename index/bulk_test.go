package index

import "testing"

// An index built by a bulk process (OpenForBulk: Bleve's merge options)
// is the same index to a server (Open), and the other way round.
func TestOpenForBulkIsTheSameIndex(t *testing.T) {
	ctx, dir := t.Context(), t.TempDir()
	docs := loadCorpus(t)
	bulk, err := OpenForBulk(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bulk.Apply(ctx, 7, docs[:len(docs)/2], nil); err != nil {
		t.Fatal(err)
	}
	if err := bulk.Close(); err != nil {
		t.Fatal(err)
	}
	served, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := served.LastSeq(ctx); err != nil || seq != 7 {
		t.Errorf("LastSeq after a bulk process = %d, %v; want 7", seq, err)
	}
	if err := served.Apply(ctx, 8, docs[len(docs)/2:], nil); err != nil {
		t.Fatal(err)
	}
	if err := served.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenForBulk(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n, err := again.Count(ctx); err != nil || n != uint64(len(docs)) {
		t.Errorf("Count = %d, %v; want %d", n, err, len(docs))
	}
}
