package testenv

import (
	"os"
	"testing"
)

// FlipByte changes one bit of a byte near the end of the file at path,
// behind the store's back, as a failing disk or a tamperer would.
func FlipByte(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-4] ^= 1
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
