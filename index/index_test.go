package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

func TestNewIndexIsEmpty(t *testing.T) {
	ix := openTest(t, filepath.Join(t.TempDir(), "index"))
	checkState(t, ix, 0, 0)
}

func checkState(t *testing.T, ix *Index, seq, count uint64) {
	t.Helper()
	gotSeq, err := ix.LastSeq(t.Context())
	if err != nil || gotSeq != seq {
		t.Errorf("LastSeq = %d, %v; want %d", gotSeq, err, seq)
	}
	gotCount, err := ix.Count(t.Context())
	if err != nil || gotCount != count {
		t.Errorf("Count = %d, %v; want %d", gotCount, err, count)
	}
}

// A group of a few new documents goes to one shard, the shards taking
// turns; a new record of a bulk Apply goes to its hashed shard; a record
// once placed stays in its shard, however it is applied again, and is in
// exactly one.
func TestApplyGroupsGoToOneShardAndRecordsStay(t *testing.T) {
	ctx := t.Context()
	ix := openTest(t, t.TempDir())
	docs := loadCorpus(t)
	perShard := func() []uint64 {
		t.Helper()
		var n []uint64
		for _, s := range ix.shards {
			c, err := s.DocCount()
			if err != nil {
				t.Fatal(err)
			}
			n = append(n, c)
		}
		return n
	}
	shardsOf := func(id string) []int {
		t.Helper()
		var in []int
		for i, s := range ix.shards {
			doc, err := s.Document(id)
			if err != nil {
				t.Fatal(err)
			}
			if doc != nil {
				in = append(in, i)
			}
		}
		return in
	}
	if err := ix.Apply(ctx, 1, docs[:8], nil); err != nil {
		t.Fatal(err)
	}
	first := perShard()
	if !slices.Contains(first, 8) || !slices.Contains(first, 0) {
		t.Fatalf("a group of 8: %v documents by shard, want all 8 in one", first)
	}
	if err := ix.Apply(ctx, 2, docs[8:16], nil); err != nil {
		t.Fatal(err)
	}
	if got := perShard(); !slices.Equal(got, []uint64{8, 8}) {
		t.Fatalf("two groups of 8: %v documents by shard, want 8 in each", got)
	}
	r01Shard := shardsOf("R01")

	// R01 again, alone, three times over: it stays where it is.
	r01 := *docs[0].Record
	r01.Summary = "Quokkaflux between shards."
	for seq := uint64(3); seq <= 5; seq++ {
		if err := ix.Apply(ctx, seq, []visitarchive.IndexDoc{{Record: &r01}}, nil); err != nil {
			t.Fatal(err)
		}
		checkState(t, ix, seq, 16)
		if got := shardsOf("R01"); !slices.Equal(got, r01Shard) {
			t.Errorf("after Apply %d: R01 in shards %v, want %v", seq, got, r01Shard)
		}
		if got := hitIDs(find(t, ix, visitarchive.SearchQuery{Text: "quokkaflux"})); !slices.Equal(got, ids("R01")) {
			t.Errorf("after Apply %d: quokkaflux finds %v, want [R01]", seq, got)
		}
	}

	// A bulk Apply (more than groupDocs): the records placed before stay,
	// the new ones go to their hashed shard.
	placed := map[string][]int{}
	var bulk []visitarchive.IndexDoc
	for i := range groupDocs + 1 {
		r := *docs[i%len(docs)].Record
		if i >= len(docs) {
			r.ID = visitarchive.RecordID(fmt.Sprintf("B%02d", i))
		}
		if i < 16 {
			placed[string(r.ID)] = shardsOf(string(r.ID))
		}
		bulk = append(bulk, visitarchive.IndexDoc{Record: &r, Customer: docs[i%len(docs)].Customer})
	}
	if err := ix.Apply(ctx, 6, bulk, nil); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 6, uint64(len(bulk)))
	for _, d := range bulk {
		id := string(d.Record.ID)
		want, ok := placed[id]
		if !ok {
			want = []int{shardOf(id)}
		}
		if got := shardsOf(id); !slices.Equal(got, want) {
			t.Errorf("after a bulk Apply, %s in shards %v, want %v", id, got, want)
		}
	}

	// A deletion finds the record in whichever shard holds it.
	if err := ix.Apply(ctx, 7, []visitarchive.IndexDoc{{Record: &r01}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(ctx, 8, nil, []visitarchive.RecordID{"R01", "R02"}); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 8, uint64(len(bulk)-2))
	if got := find(t, ix, visitarchive.SearchQuery{Text: "quokkaflux"}); got.Total != 0 {
		t.Errorf("quokkaflux after deleting R01: %v", hitIDs(got))
	}
}

// The sequence is written with the documents and survives a reopen; an
// Apply of nothing but a sequence moves it too.
func TestApplyRecordsLastSeq(t *testing.T) {
	dir := t.TempDir()
	docs := loadCorpus(t)
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(t.Context(), 7, docs[:10], nil); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 7, 10)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix = openTest(t, dir)
	checkState(t, ix, 7, 10)
	if err := ix.Apply(t.Context(), 8, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 8, 10)
	// A replay from earlier is recorded as given (see Apply).
	if err := ix.Apply(t.Context(), 3, docs[:1], nil); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 3, 10)
}

// A batch with a bad document applies nothing, not even its sequence.
func TestApplyInvalidAppliesNothing(t *testing.T) {
	ix := openTest(t, t.TempDir())
	docs := loadCorpus(t)
	for _, bad := range []visitarchive.IndexDoc{{}, {Record: &visitarchive.Record{}}} {
		err := ix.Apply(t.Context(), 5, []visitarchive.IndexDoc{docs[0], bad}, nil)
		if !visitarchive.IsKind(err, visitarchive.Invalid) {
			t.Errorf("Apply with %+v = %v, want Invalid", bad, err)
		}
	}
	checkState(t, ix, 0, 0)
}

func TestApplyDeletesAndReplaces(t *testing.T) {
	ix := corpusIndex(t)
	if err := ix.Apply(t.Context(), 2, nil, []visitarchive.RecordID{"R07", "NOPE"}); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 2, 47)
	if got := hitIDs(find(t, ix, visitarchive.SearchQuery{Text: "battery"})); !slices.Equal(got, ids("R32")) {
		t.Errorf("battery after deleting R07: %v, want [R32]", got)
	}

	// A new version replaces the old one: its old words are gone.
	r32 := *loadCorpus(t)[31].Record
	r32.Topic, r32.Summary = "Tender lost", "Price too high."
	if err := ix.Apply(t.Context(), 3, []visitarchive.IndexDoc{{Record: &r32}}, nil); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 3, 47)
	if got := find(t, ix, visitarchive.SearchQuery{Text: "battery"}); got.Total != 0 {
		t.Errorf("battery after replacing R32: %v", hitIDs(got))
	}
	if got := hitIDs(find(t, ix, visitarchive.SearchQuery{Text: "tender"})); !slices.Equal(got, ids("R32")) {
		t.Errorf("tender: %v, want [R32]", got)
	}
	// Its customer was not given this time: the customer's fields are gone.
	if got := hitIDs(find(t, ix, visitarchive.SearchQuery{Country: "SE"})); !slices.Equal(got, ids("R31 R33 R34 R35 R36")) {
		t.Errorf("country SE: %v, want R31 R33–R36", got)
	}

	// In both lists, the deletion wins.
	r01 := loadCorpus(t)[0]
	if err := ix.Apply(t.Context(), 4, []visitarchive.IndexDoc{r01}, []visitarchive.RecordID{"R01"}); err != nil {
		t.Fatal(err)
	}
	checkState(t, ix, 4, 46)
}

// logBuffer collects JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the decoded log lines with the given message.
func (b *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var m map[string]any
		if l == "" {
			continue
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func openVersion(t *testing.T, dir string, log *slog.Logger, version int) *Index {
	t.Helper()
	ix, err := open(dir, log, version, RuntimeConfig)
	if err != nil {
		t.Fatalf("open version %d: %v", version, err)
	}
	return ix
}

// An index written under another schema version is rebuilt empty, with
// one warning naming both versions; the same version is left alone.
func TestSchemaChangeRebuilds(t *testing.T) {
	dir := t.TempDir()
	var logs logBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))

	ix := openVersion(t, dir, log, SchemaVersion)
	if err := ix.Apply(t.Context(), 9, loadCorpus(t), nil); err != nil {
		t.Fatal(err)
	}
	_ = ix.Close()

	next := SchemaVersion + 1
	ix = openVersion(t, dir, log, next)
	checkState(t, ix, 0, 0)
	if err := ix.Apply(t.Context(), 10, loadCorpus(t)[:2], nil); err != nil {
		t.Fatal(err)
	}
	_ = ix.Close()
	got := logs.lines(t, "index schema changed; rebuilding")
	if len(got) != 1 || got[0]["level"] != "WARN" || got[0]["old"] != itoa(SchemaVersion) ||
		got[0]["new"] != itoa(next) || got[0]["dir"] != dir {
		t.Errorf("log lines = %v; want one warning with old %d, new %d, dir", got, SchemaVersion, next)
	}

	ix = openVersion(t, dir, log, next)
	checkState(t, ix, 10, 2)
	_ = ix.Close()
	if got := logs.lines(t, "index schema changed; rebuilding"); len(got) != 1 {
		t.Errorf("reopening the same version logged %d rebuilds", len(got)-1)
	}

	// Going back (a downgrade) is a change too.
	ix = openVersion(t, dir, log, SchemaVersion)
	defer ix.Close()
	checkState(t, ix, 0, 0)
}

// An index of an earlier release lacks fields that queries now rely on:
// version 1 has no created_by or blind (scoped searches would find none
// of its records by owner), version 2 no workflow fields (an overdue or
// late search would find nothing, and PlansWithRecords would not see
// plan_id values written since). Open must rebuild it.
func TestOlderIndexRebuilt(t *testing.T) {
	for version := 1; version < SchemaVersion; version++ {
		t.Run("v"+itoa(version), func(t *testing.T) {
			dir := t.TempDir()
			ix := openVersion(t, dir, nil, version)
			if err := ix.Apply(t.Context(), 5, loadCorpus(t), nil); err != nil {
				t.Fatal(err)
			}
			_ = ix.Close()
			checkState(t, openTest(t, dir), 0, 0)
		})
	}
}

// A second Open of an index that is open fails within bolt_timeout,
// saying the index is in use, instead of waiting for ever.
func TestOpenTwiceFailsFast(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	done := make(chan error, 1)
	go func() {
		ix, err := Open(dir, nil)
		if err == nil {
			_ = ix.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !visitarchive.IsKind(err, visitarchive.Unavailable) ||
			!strings.Contains(visitarchive.ErrorMessage(err), "in use") {
			t.Errorf("second Open = %v; want Unavailable, in use", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("second Open still waiting after 30s")
	}
}

func TestClosedIndexIsUnavailable(t *testing.T) {
	ix, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	ctx := t.Context()
	_, errSearch := ix.Search(ctx, visitarchive.SearchQuery{Text: "电池"})
	_, errSeq := ix.LastSeq(ctx)
	_, errCount := ix.Count(ctx)
	errApply := ix.Apply(ctx, 1, loadCorpus(t)[:1], nil)
	for name, err := range map[string]error{"Search": errSearch, "LastSeq": errSeq, "Count": errCount, "Apply": errApply} {
		if !visitarchive.IsKind(err, visitarchive.Unavailable) {
			t.Errorf("%s after Close = %v, want Unavailable", name, err)
		}
	}
}

// Open creates an index in an empty directory, but never overwrites a
// directory that holds something else.
func TestOpenDirectories(t *testing.T) {
	empty := t.TempDir()
	openTest(t, empty)
	if _, err := os.Stat(filepath.Join(empty, "index_meta.json")); err != nil {
		t.Errorf("empty directory: %v", err)
	}

	other := t.TempDir()
	notes := filepath.Join(other, "notes.txt")
	if err := os.WriteFile(notes, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(other, nil)
	if !visitarchive.IsKind(err, visitarchive.Unavailable) {
		t.Errorf("Open of a directory with other files = %v, want Unavailable", err)
	}
	if _, err := os.Stat(notes); err != nil {
		t.Errorf("Open touched the other files: %v", err)
	}
	if err := Remove(other); !visitarchive.IsKind(err, visitarchive.Invalid) {
		t.Errorf("Remove of a directory with other files = %v, want Invalid", err)
	}
}

// An index Bleve cannot read is rebuilt, with a warning.
func TestOpenDamagedRebuilds(t *testing.T) {
	damagedRebuilds(t, 0, "index unreadable; rebuilding")
}

// The records are spread over every shard (corpusIndex applies them in
// two groups), and searches see them all.
func TestShardsHoldTheRecordsBetweenThem(t *testing.T) {
	ix := corpusIndex(t)
	docs := loadCorpus(t)
	var sum uint64
	for i, s := range ix.shards {
		n, err := s.DocCount()
		if err != nil || n == 0 {
			t.Errorf("shard %d holds %d records (%v)", i, n, err)
		}
		sum += n
	}
	if total := find(t, ix, visitarchive.SearchQuery{}).Total; sum != uint64(len(docs)) || total != sum {
		t.Errorf("shards hold %d, search finds %d, want %d", sum, total, len(docs))
	}
}

// A shard Bleve cannot read makes the whole index rebuild, with a warning.
func TestOpenDamagedShardRebuilds(t *testing.T) {
	damagedRebuilds(t, 1, "index shard unreadable; rebuilding")
}

// damagedRebuilds damages the metadata of shard i of a full index and
// checks that Open rebuilds it empty, logging warning once.
func damagedRebuilds(t *testing.T, i int, warning string) {
	t.Helper()
	dir := t.TempDir()
	ix := openTest(t, dir)
	if err := ix.Apply(t.Context(), 4, loadCorpus(t), nil); err != nil {
		t.Fatal(err)
	}
	_ = ix.Close()
	if err := os.WriteFile(filepath.Join(shardDir(dir, i), "index_meta.json"), []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	ix, err := Open(dir, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	checkState(t, ix, 0, 0)
	if got := logs.lines(t, warning); len(got) != 1 {
		t.Errorf("logged %d warnings %q, want 1", len(got), warning)
	}
}

func TestRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(t.Context(), 3, loadCorpus(t), nil); err != nil {
		t.Fatal(err)
	}
	_ = ix.Close()
	if err := Remove(dir); err != nil {
		t.Fatal(err)
	}
	checkState(t, openTest(t, dir), 0, 0)
}

// Writers and readers at once: run with -race.
func TestConcurrentApplyAndSearch(t *testing.T) {
	ix := openTest(t, t.TempDir())
	docs := loadCorpus(t)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < len(docs); i += 2 {
				if err := ix.Apply(t.Context(), uint64(i+1), docs[i:i+1], nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 3 {
		wg.Go(func() {
			for range 20 {
				if _, err := ix.Search(t.Context(), visitarchive.SearchQuery{Text: "电池"}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	checkState(t, ix, mustSeq(t, ix), 48)
	res := find(t, ix, visitarchive.SearchQuery{Text: "电池", Size: 100})
	if want := 11; len(res.Hits) != want {
		t.Errorf("电池: %d hits, want %d", len(res.Hits), want)
	}
}

func mustSeq(t *testing.T, ix *Index) uint64 {
	t.Helper()
	s, err := ix.LastSeq(t.Context())
	if err != nil || s < 47 || s > 48 {
		t.Fatalf("LastSeq = %d, %v; want 47 or 48 (the last writer's)", s, err)
	}
	return s
}

func ExampleQuery() {
	q, _ := Query(visitarchive.SearchQuery{Text: "LX-3021B 数据中心 锂", Country: "CN"})
	b, _ := json.Marshal(q)
	fmt.Println(string(b))
	// Output:
	// {"must":{"conjuncts":[{"disjuncts":[{"term":"lx 3021b","field":"grams"},{"term":"lx 3021b","field":"files_grams"}],"min":0},{"disjuncts":[{"term":"数据中心","field":"grams"},{"term":"数据中心","field":"files_grams"}],"min":0},{"disjuncts":[{"regexp":".?锂.?","field":"text"},{"regexp":".?锂.?","field":"files"}],"min":0}]},"filter":{"conjuncts":[{"term":"CN","field":"country"}]}}
}
