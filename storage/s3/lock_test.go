package s3_test

import (
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/s3"
	"github.com/visitarchive/visitarchive/storage/s3/s3test"
)

func put(t *testing.T, st visitarchive.Store, key string) {
	t.Helper()
	if _, err := st.Put(t.Context(), key, strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
}

// TestWORM: MinIO itself refuses to delete an object under retention (in
// either mode) or legal hold, and deletes it once the retention has
// passed or the hold is released; a retention is never shortened.
func TestWORM(t *testing.T) {
	for _, mode := range []string{"", "COMPLIANCE"} {
		t.Run("mode "+mode, func(t *testing.T) {
			t.Parallel()
			cfg := s3test.Config(t, true)
			cfg.RetentionMode = mode
			st, err := s3.Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			put(t, st, "a/1.json")
			until := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
			if err := st.SetRetention(ctx, "a/1.json", until); err != nil {
				t.Fatal(err)
			}
			if err := st.SetRetention(ctx, "a/1.json", until.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			l, err := st.Lock(ctx, "a/1.json")
			want := mode
			if want == "" {
				want = "GOVERNANCE"
			}
			if err != nil || l.Mode != want || !l.Until.Equal(until) || l.LegalHold {
				t.Errorf("lock = %+v, %v; want %s until %v", l, err, want, until)
			}
			wantKind(t, "delete under retention", st.Delete(ctx, "a/1.json"), visitarchive.Forbidden)
			time.Sleep(time.Until(until) + 500*time.Millisecond)
			if err := st.Delete(ctx, "a/1.json"); err != nil {
				t.Errorf("delete after the retention: %v", err)
			}
		})
	}
	st := s3test.Open(t, true)
	ctx := t.Context()
	put(t, st, "b/1.json")
	if err := st.SetLegalHold(ctx, "b/1.json", true); err != nil {
		t.Fatal(err)
	}
	if l, err := st.Lock(ctx, "b/1.json"); err != nil || !l.LegalHold {
		t.Errorf("lock = %+v, %v; want the legal hold", l, err)
	}
	wantKind(t, "delete under legal hold", st.Delete(ctx, "b/1.json"), visitarchive.Forbidden)
	if err := st.SetLegalHold(ctx, "b/1.json", false); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "b/1.json"); err != nil {
		t.Errorf("delete after the hold: %v", err)
	}
	plain := s3test.Open(t, false)
	put(t, plain, "c/1.json")
	wantKind(t, "retention without object lock", plain.SetRetention(ctx, "c/1.json", time.Now().Add(time.Hour)), visitarchive.Invalid)
	if l, err := plain.Lock(ctx, "c/1.json"); err != nil || l.Locked(time.Now()) {
		t.Errorf("lock without object lock = %+v, %v", l, err)
	}
}
