package keyring

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLiveFollowsRotation: a server's keyring unwraps data keys wrapped
// under a master key that another process added, and wraps new ones under
// it once it has looked at the file again.
func TestLiveFollowsRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	if _, err := Init(path, time.Now()); err != nil {
		t.Fatal(err)
	}
	live, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	live.now = func() time.Time { return clock }
	old := live.Current()

	// The file's modification time must differ for the change to show.
	time.Sleep(10 * time.Millisecond)
	rotated, err := Rotate(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, w, err := rotated.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.Unwrap(w); err != nil {
		t.Fatalf("unwrap under the new master key: %v", err)
	}
	if live.Current() != rotated.Current() {
		t.Errorf("current = %s after the forced reload, want %s", live.Current(), rotated.Current())
	}
	if live.Current() == old {
		t.Error("still wrapping under the old key")
	}
}

// TestLiveLooksAtTheFileInTime: without an unknown key, a rotation shows
// once checkEvery has passed, not before.
func TestLiveLooksAtTheFileInTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	Init(path, time.Now())
	live, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	live.now = func() time.Time { return clock }
	old := live.Current()
	time.Sleep(10 * time.Millisecond)
	rotated, _ := Rotate(path, time.Now())
	if live.Current() != old {
		t.Error("reloaded before checkEvery")
	}
	clock = clock.Add(checkEvery)
	if live.Current() != rotated.Current() {
		t.Errorf("current = %s after checkEvery, want %s", live.Current(), rotated.Current())
	}
}

// TestLiveKeepsGoodKeys: a key file that turns bad keeps the keys in use,
// and says why.
func TestLiveKeepsGoodKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	Init(path, time.Now())
	live, _ := Open(path)
	clock := time.Now()
	live.now = func() time.Time { return clock }
	k, w, err := live.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	writeRaw(t, path, "not json")
	clock = clock.Add(checkEvery)
	got, err := live.Unwrap(w)
	if err != nil || string(got) != string(k) {
		t.Fatalf("unwrap after the file went bad: %v", err)
	}
	if live.Err() == nil {
		t.Error("Err() is nil after a failed reload")
	}
	if s := fmt.Sprintf("%v %+v %#v", live, live, live); strings.Contains(s, "key\":") {
		t.Errorf("printing a Live keyring: %s", s)
	}
}

func writeRaw(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
