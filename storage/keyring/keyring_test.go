package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// newKeyFile initializes a key file in a temporary directory.
func newKeyFile(t *testing.T) (string, *Keyring) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.json")
	kr, err := Init(path, t0)
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	return path, kr
}

// wantKind fails unless err is a visitarchive error of kind k whose message
// contains each of subs.
func wantKind(t *testing.T, err error, k visitarchive.Kind, subs ...string) {
	t.Helper()
	if got := visitarchive.ErrorKind(err); err == nil || got != k {
		t.Fatalf("error = %v (kind %v), want kind %v", err, got, k)
	}
	msg := visitarchive.ErrorMessage(err)
	for _, s := range subs {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not contain %q", msg, s)
		}
	}
}

// secrets returns every key in the file at path, in the encodings a leak
// would most likely take.
func secrets(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		t.Fatal(err)
	}
	keys := [][]byte{kf.BlindKey}
	for _, mk := range kf.MasterKeys {
		keys = append(keys, mk.Key)
	}
	var out []string
	for _, k := range keys {
		out = append(out, base64.StdEncoding.EncodeToString(k), hex.EncodeToString(k), string(k))
	}
	return out
}

func TestInitLoad(t *testing.T) {
	path, kr := newKeyFile(t)
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Current() != kr.Current() || !slices.Equal(got.IDs(), kr.IDs()) {
		t.Errorf("Load = %v, want %v", got, kr)
	}
	if !strings.HasPrefix(kr.Current(), "mk-20260301-") {
		t.Errorf("Current = %q, want mk-20260301-...", kr.Current())
	}
	if a, b := got.Blind("email", "a@b.c"), kr.Blind("email", "a@b.c"); a != b {
		t.Errorf("Blind after Load = %s, want %s", a, b)
	}
	key, w, err := kr.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	if back, err := got.Unwrap(w); err != nil || !bytes.Equal(back, key) {
		t.Errorf("Unwrap with loaded keyring = %x, %v; want the key", back, err)
	}
}

func TestInitFile(t *testing.T) {
	path, kr := newKeyFile(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["format"] != formatV1 || raw["current"] != kr.Current() {
		t.Errorf("file format, current = %v, %v; want %s, %s", raw["format"], raw["current"], formatV1, kr.Current())
	}
	mk := raw["master_keys"].([]any)[0].(map[string]any)
	if mk["created"] != "2026-03-01T09:00:00Z" {
		t.Errorf("created = %v, want 2026-03-01T09:00:00Z", mk["created"])
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}
}

func TestInitRefusesExisting(t *testing.T) {
	path, _ := newKeyFile(t)
	before, _ := os.ReadFile(path)
	_, err := Init(path, t0)
	wantKind(t, err, visitarchive.Conflict, path, "already exists")
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("Init changed an existing key file")
	}

	other := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(other, []byte("precious"), 0o600)
	_, err = Init(other, t0)
	wantKind(t, err, visitarchive.Conflict)
	if got, _ := os.ReadFile(other); string(got) != "precious" {
		t.Errorf("Init overwrote a file: it now holds %q", got)
	}
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	_, err := Load(path)
	wantKind(t, err, visitarchive.NotFound, "visitarchive keys init --key-file "+path)
}

func TestLoadRefusesReadableByOthers(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666} {
		path, _ := newKeyFile(t)
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		wantKind(t, err, visitarchive.Invalid, "chmod 600 "+path)
	}
}

func TestLoadRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	_, err := Load(dir)
	wantKind(t, err, visitarchive.Invalid, "not a regular file")
}

func TestFileMode(t *testing.T) {
	path, _ := newKeyFile(t)
	checkPerm(t, path, 0o600)
	if _, err := Rotate(path, t0); err != nil {
		t.Fatal(err)
	}
	checkPerm(t, path, 0o600)
	checkPerm(t, path+".lock", 0o600)
}

func checkPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", filepath.Base(path), got, want)
	}
}

// validFile is a well-formed key file as a map, for the tests to break.
func validFile() map[string]any {
	key := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	return map[string]any{
		"format":  formatV1,
		"current": "mk-b",
		"master_keys": []any{
			map[string]any{"id": "mk-a", "key": key(1), "created": "2026-01-01T00:00:00Z"},
			map[string]any{"id": "mk-b", "key": key(2), "created": "2026-02-01T00:00:00Z"},
		},
		"blind_key": key(3),
	}
}

func masterKey(f map[string]any, i int) map[string]any {
	return f["master_keys"].([]any)[i].(map[string]any)
}

func TestLoadMalformed(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	tests := []struct {
		name string
		edit func(f map[string]any)
		raw  string // the file, instead of the edited valid one
		want string
	}{
		{name: "valid", edit: func(map[string]any) {}},
		{name: "not JSON", raw: "mk-a secret", want: "not valid key-file JSON"},
		{name: "empty", raw: "", want: "not valid key-file JSON"},
		{name: "trailing data", raw: `{"format":"x"} {}`, want: "data after its JSON object"},
		{name: "wrong format", edit: func(f map[string]any) { f["format"] = "visitarchive-keyring/2" }, want: `format is "visitarchive-keyring/2"`},
		{name: "no format", edit: func(f map[string]any) { delete(f, "format") }, want: `format is ""`},
		{name: "unknown field", edit: func(f map[string]any) { f["blindkey"] = "x" }, want: "not valid key-file JSON"},
		{name: "bad base64", edit: func(f map[string]any) { f["blind_key"] = "%%%" }, want: "not valid key-file JSON"},
		{name: "no master keys", edit: func(f map[string]any) { f["master_keys"] = []any{} }, want: "master_keys is empty"},
		{name: "short master key", edit: func(f map[string]any) { masterKey(f, 0)["key"] = short }, want: `master key "mk-a" is 16 bytes, want 32`},
		{name: "missing master key", edit: func(f map[string]any) { delete(masterKey(f, 1), "key") }, want: `master key "mk-b" is 0 bytes, want 32`},
		{name: "empty id", edit: func(f map[string]any) { masterKey(f, 0)["id"] = "" }, want: "master key 0 has no id"},
		{name: "duplicate id", edit: func(f map[string]any) { masterKey(f, 0)["id"] = "mk-b" }, want: `master key id "mk-b" appears more than once`},
		{name: "current not listed", edit: func(f map[string]any) { f["current"] = "mk-z" }, want: `current master key "mk-z" is not in master_keys`},
		{name: "short blind key", edit: func(f map[string]any) { f["blind_key"] = short }, want: "blind_key is 16 bytes, want 32"},
		{name: "no blind key", edit: func(f map[string]any) { delete(f, "blind_key") }, want: "blind_key is 0 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.edit != nil {
				f := validFile()
				tt.edit(f)
				data, _ = json.Marshal(f)
			}
			path := filepath.Join(t.TempDir(), "keys.json")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			kr, err := Load(path)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if kr.Current() != "mk-b" || !slices.Equal(kr.IDs(), []string{"mk-a", "mk-b"}) {
					t.Errorf("Load = %v, want current mk-b, keys mk-a mk-b", kr)
				}
				return
			}
			wantKind(t, err, visitarchive.Invalid, path, tt.want)
		})
	}
}

func TestRotate(t *testing.T) {
	path, kr := newKeyFile(t)
	oldKey, oldW, _ := kr.NewDataKey()
	blind := kr.Blind("phone", "+86 138-0013-8000")

	rotated, err := Rotate(path, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatalf("Load after Rotate: %v", err)
	}
	for name, k := range map[string]*Keyring{"returned": rotated, "loaded": loaded} {
		if k.Current() == kr.Current() || !strings.HasPrefix(k.Current(), "mk-20260302-") {
			t.Errorf("%s: Current = %q after Rotate, want a new mk-20260302-... id", name, k.Current())
		}
		if want := []string{kr.Current(), k.Current()}; !slices.Equal(k.IDs(), want) {
			t.Errorf("%s: IDs = %q, want %q", name, k.IDs(), want)
		}
		if got, err := k.Unwrap(oldW); err != nil || !bytes.Equal(got, oldKey) {
			t.Errorf("%s: Unwrap of a key wrapped before Rotate = %x, %v; want the key", name, got, err)
		}
		if got := k.Blind("phone", "+8613800138000"); got != blind {
			t.Errorf("%s: Blind changed with Rotate: %s, want %s", name, got, blind)
		}
	}

	// Re-wrapping, as a rotation job does: the same key, under the new id.
	reW, err := rotated.Wrap(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if reW.MasterKeyID != rotated.Current() {
		t.Errorf("re-Wrap after Rotate uses %q, want %q", reW.MasterKeyID, rotated.Current())
	}
	if got, err := loaded.Unwrap(reW); err != nil || !bytes.Equal(got, oldKey) {
		t.Errorf("Unwrap of re-wrapped key = %x, %v; want the key", got, err)
	}
	// The keyring from before the rotation does not know the new key.
	_, err = kr.Unwrap(reW)
	wantKind(t, err, visitarchive.Integrity, reW.MasterKeyID)
}

func TestRotateMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	_, err := Rotate(path, t0)
	wantKind(t, err, visitarchive.NotFound, "visitarchive keys init")
	if _, err := os.Stat(path + ".lock"); err == nil {
		t.Error("Rotate of a missing key file left a lock file")
	}
}

func TestRotateConcurrent(t *testing.T) {
	path, _ := newKeyFile(t)
	const n = 8
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := Rotate(path, t0); err != nil {
				t.Errorf("Rotate: %v", err)
			}
		})
	}
	wg.Wait()
	kr, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(kr.IDs()); got != n+1 {
		t.Errorf("after %d concurrent Rotates the file holds %d master keys, want %d", n, got, n+1)
	}
}

func TestRetire(t *testing.T) {
	path, kr := newKeyFile(t)
	_, oldW, _ := kr.NewDataKey()
	rotated, err := Rotate(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Retire(path, rotated.Current())
	wantKind(t, err, visitarchive.Conflict, "is current")
	_, err = Retire(path, "mk-nope")
	wantKind(t, err, visitarchive.NotFound, `"mk-nope"`)

	retired, err := Retire(path, kr.Current())
	if err != nil {
		t.Fatalf("Retire: %v", err)
	}
	if want := []string{rotated.Current()}; !slices.Equal(retired.IDs(), want) {
		t.Errorf("IDs after Retire = %q, want %q", retired.IDs(), want)
	}
	_, err = retired.Unwrap(oldW)
	wantKind(t, err, visitarchive.Integrity, kr.Current())
	checkPerm(t, path, 0o600)
}
