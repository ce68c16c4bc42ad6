package keyring

import (
	"bytes"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

func TestWrapUnwrap(t *testing.T) {
	_, kr := newKeyFile(t)
	key, w, err := kr.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != 32 || w.MasterKeyID != kr.Current() || len(w.Nonce) != 12 {
		t.Fatalf("NewDataKey = %d-byte key, id %q, %d-byte nonce; want 32, %q, 12",
			len(key), w.MasterKeyID, len(w.Nonce), kr.Current())
	}
	if bytes.Contains(w.Ciphertext, key) {
		t.Error("the wrapped key contains the key")
	}
	got, err := kr.Unwrap(w)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("Unwrap = %x, %v; want %x", got, err, key)
	}

	w2, err := kr.Wrap(key)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(w2.Nonce, w.Nonce) || bytes.Equal(w2.Ciphertext, w.Ciphertext) {
		t.Error("two wraps of one key share nonce or ciphertext")
	}
	if got, err := kr.Unwrap(w2); err != nil || !bytes.Equal(got, key) {
		t.Errorf("Unwrap(Wrap(key)) = %x, %v; want %x", got, err, key)
	}
	if k2, _, _ := kr.NewDataKey(); bytes.Equal(k2, key) {
		t.Error("NewDataKey returned the same key twice")
	}
}

func TestWrapRefusesWrongLength(t *testing.T) {
	_, kr := newKeyFile(t)
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := kr.Wrap(make([]byte, n))
		wantKind(t, err, visitarchive.Invalid, "want 32")
	}
}

func TestUnwrapIntegrity(t *testing.T) {
	path, kr := newKeyFile(t)
	_, good, _ := kr.NewDataKey()
	rotated, err := Rotate(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	other := func(w *visitarchive.WrappedKey) {
		_, okr := newKeyFile(t)
		_, o, _ := okr.NewDataKey()
		*w = o
	}
	tests := []struct {
		name   string
		change func(w *visitarchive.WrappedKey)
	}{
		{"ciphertext bit", func(w *visitarchive.WrappedKey) { w.Ciphertext[0] ^= 1 }},
		{"tag bit", func(w *visitarchive.WrappedKey) { w.Ciphertext[len(w.Ciphertext)-1] ^= 0x80 }},
		{"ciphertext cut", func(w *visitarchive.WrappedKey) { w.Ciphertext = w.Ciphertext[:20] }},
		{"ciphertext empty", func(w *visitarchive.WrappedKey) { w.Ciphertext = nil }},
		{"nonce bit", func(w *visitarchive.WrappedKey) { w.Nonce[11] ^= 1 }},
		{"nonce short", func(w *visitarchive.WrappedKey) { w.Nonce = w.Nonce[:8] }},
		{"nonce empty", func(w *visitarchive.WrappedKey) { w.Nonce = nil }},
		{"unknown master key", func(w *visitarchive.WrappedKey) { w.MasterKeyID = "mk-unknown" }},
		{"no master key id", func(w *visitarchive.WrappedKey) { w.MasterKeyID = "" }},
		{"another master key's id", func(w *visitarchive.WrappedKey) { w.MasterKeyID = rotated.Current() }},
		{"another key file's current id", other},
	}
	secret := secrets(t, path)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := visitarchive.WrappedKey{
				MasterKeyID: good.MasterKeyID,
				Nonce:       bytes.Clone(good.Nonce),
				Ciphertext:  bytes.Clone(good.Ciphertext),
			}
			tt.change(&w)
			got, err := rotated.Unwrap(w)
			if got != nil {
				t.Errorf("Unwrap returned %d bytes with its error", len(got))
			}
			wantKind(t, err, visitarchive.Integrity, `"`+w.MasterKeyID+`"`)
			for _, s := range secret {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("error %q contains a key", err)
				}
			}
		})
	}
}
