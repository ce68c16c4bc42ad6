package filecrypt

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"

	"github.com/minio/sio"

	"github.com/visitarchive/visitarchive"
)

func key(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func seal(t *testing.T, k, plain []byte) []byte {
	t.Helper()
	r, err := Sealer{}.EncryptReader(k, bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// open decrypts sealed from offset, reading it from SealedOffset as the
// archive does.
func open(k, sealed []byte, offset int64) ([]byte, error) {
	s := Sealer{}
	r, err := s.DecryptReader(k, bytes.NewReader(sealed[s.SealedOffset(offset):]), offset)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestRoundTripAndRanges(t *testing.T) {
	k := key(t)
	for _, size := range []int{1, 100, payloadSize - 1, payloadSize, payloadSize + 1, 3*payloadSize + 17} {
		plain := make([]byte, size)
		rand.Read(plain)
		sealed := seal(t, k, plain)
		want, err := sio.EncryptedSize(uint64(size))
		if err != nil || uint64(len(sealed)) != want {
			t.Errorf("size %d: sealed %d bytes, want %d", size, len(sealed), want)
		}
		if bytes.Contains(sealed, plain[:min(size, 16)]) && size >= 16 {
			t.Errorf("size %d: the plain bytes are in the sealed ones", size)
		}
		for _, off := range []int{0, 1, size / 2, payloadSize - 1, payloadSize, payloadSize + 5, size - 1} {
			if off < 0 || off >= size {
				continue
			}
			got, err := open(k, sealed, int64(off))
			if err != nil || !bytes.Equal(got, plain[off:]) {
				t.Errorf("size %d from %d: %d bytes, err %v; want %d bytes", size, off, len(got), err, size-off)
			}
		}
	}
}

func TestNotAuthentic(t *testing.T) {
	k := key(t)
	plain := make([]byte, 2*payloadSize+10)
	sealed := seal(t, k, plain)
	flipped := bytes.Clone(sealed)
	flipped[packageSize+40] ^= 1
	for name, c := range map[string]struct {
		key, sealed []byte
		offset      int64
	}{
		"another key":           {key(t), sealed, 0},
		"a flipped bit":         {k, flipped, 0},
		"a flipped bit, ranged": {k, flipped, payloadSize + 3},
		"cut short":             {k, sealed[:len(sealed)-20], 0},
		"last package gone":     {k, sealed[:2*packageSize], 0},
		"a package dropped":     {k, append(bytes.Clone(sealed[:packageSize]), sealed[2*packageSize:]...), 0},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := open(c.key, c.sealed, c.offset)
			if !visitarchive.IsKind(err, visitarchive.Integrity) {
				t.Errorf("err = %v, want Integrity", err)
			}
		})
	}
}
