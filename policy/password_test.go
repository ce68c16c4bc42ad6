package policy

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

// cheap is a hasher fast enough for tests.
func cheap(t *testing.T) Argon2id {
	t.Helper()
	a, err := NewArgon2id(64, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestArgon2idRoundTrip(t *testing.T) {
	a := cheap(t)
	for _, pw := range []string{"correct horse battery", "客户拜访档案库的密码", ""} {
		h, err := a.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := a.Verify(h, pw); !ok || err != nil {
			t.Errorf("Verify(Hash(%q)) = %v, %v; want true, nil", pw, ok, err)
		}
		if ok, err := a.Verify(h, pw+"x"); ok || err != nil {
			t.Errorf("Verify with a wrong password = %v, %v; want false, nil", ok, err)
		}
	}
}

func TestArgon2idFormat(t *testing.T) {
	h, err := DefaultArgon2id().Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=2,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Errorf("Hash = %q, want the PHC format %s", h, phc)
	}
}

// TestArgon2idReference verifies a hash of the reference implementation
// (the phc-winner-argon2 CLI: "password", salt "somesalt", t=2, m=64, p=2,
// as in x/crypto's tests), so hashes move between tools.
func TestArgon2idReference(t *testing.T) {
	key, _ := hex.DecodeString("350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362")
	b64 := base64.RawStdEncoding
	h := "$argon2id$v=19$m=64,t=2,p=2$" + b64.EncodeToString([]byte("somesalt")) + "$" + b64.EncodeToString(key)
	if ok, err := DefaultArgon2id().Verify(h, "password"); !ok || err != nil {
		t.Errorf("Verify(%s) = %v, %v; want true, nil", h, ok, err)
	}
}

func TestArgon2idSalted(t *testing.T) {
	a := cheap(t)
	h1, _ := a.Hash("same password")
	h2, _ := a.Hash("same password")
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal: %s", h1)
	}
}

func TestArgon2idTampered(t *testing.T) {
	a := cheap(t)
	h, _ := a.Hash("correct horse battery")
	f := strings.Split(h, "$")
	flip := func(s string) string { // change the first character
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	join := func(i int, v string) string {
		g := append([]string(nil), f...)
		g[i] = v
		return strings.Join(g, "$")
	}
	// A changed salt, hash or cost is a wrong hash: false.
	for _, bad := range []string{join(4, flip(f[4])), join(5, flip(f[5])), join(3, "m=64,t=2,p=1")} {
		if ok, err := a.Verify(bad, "correct horse battery"); ok || err != nil {
			t.Errorf("Verify(%s) = %v, %v; want false, nil", bad, ok, err)
		}
	}
	// A broken structure is an error.
	for _, bad := range []string{
		"", "plain", h + "$", strings.TrimPrefix(h, "$"),
		strings.Replace(h, "argon2id", "argon2i", 1),
		strings.Replace(h, "v=19", "v=16", 1),
		strings.Replace(h, "v=19", "v=19x", 1),
		join(3, "m=64, t=1, p=1"), join(3, "m=64,t=1,p=1,x=2"), join(3, "t=1,m=64,p=1"),
		join(4, "!!!!"), join(5, f[5]+"="), join(4, "c2FsdA"), join(5, "c2hvcnQ"),
	} {
		if ok, err := a.Verify(bad, "correct horse battery"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

// TestArgon2idAbsurdParameters: a stored hash cannot make Verify spend
// gigabytes or hours.
func TestArgon2idAbsurdParameters(t *testing.T) {
	a := cheap(t)
	h, _ := a.Hash("pw")
	f := strings.Split(h, "$")
	for _, params := range []string{
		"m=4194304,t=1,p=1", "m=64,t=1000000,p=1", "m=64,t=1,p=255", "m=64,t=1,p=0",
		"m=64,t=0,p=1", "m=4,t=1,p=1", "m=18446744073709551615,t=1,p=1", "m=-1,t=1,p=1",
	} {
		f[3] = params
		if _, err := a.Verify(strings.Join(f, "$"), "pw"); err == nil {
			t.Errorf("Verify accepted %s", params)
		}
	}
	for _, p := range [][3]uint32{{1 << 30, 1, 1}, {64, 0, 1}, {64, 1, 0}, {7, 1, 1}, {64, 100, 1}} {
		if _, err := NewArgon2id(p[0], p[1], uint8(p[2])); err == nil {
			t.Errorf("NewArgon2id%v accepted", p)
		}
	}
}
