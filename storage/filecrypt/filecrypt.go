package filecrypt

import (
	"errors"
	"io"

	"github.com/minio/sio"

	"github.com/visitarchive/visitarchive"
)

// The DARE 2.0 package: at most 64 KiB of plain bytes between a 16-byte
// header and a 16-byte tag.
const (
	payloadSize = 64 << 10
	packageSize = payloadSize + 32
)

// Sealer is the FileSealer of DARE 2.0; its zero value is ready to use.
type Sealer struct{}

var _ visitarchive.FileSealer = Sealer{}

func config(key []byte) sio.Config {
	return sio.Config{MinVersion: sio.Version20, MaxVersion: sio.Version20, Key: key}
}

// EncryptReader implements visitarchive.FileSealer.
func (Sealer) EncryptReader(key []byte, r io.Reader) (io.Reader, error) {
	return sio.EncryptReader(r, config(key))
}

// SealedOffset implements visitarchive.FileSealer.
func (Sealer) SealedOffset(offset int64) int64 { return offset / payloadSize * packageSize }

// DecryptReader implements visitarchive.FileSealer. It reads and drops
// the plain bytes of the first package that come before offset.
func (Sealer) DecryptReader(key []byte, r io.Reader, offset int64) (io.Reader, error) {
	if offset < 0 {
		return nil, visitarchive.E("filecrypt", visitarchive.Internal, nil, "negative offset %d", offset)
	}
	cfg := config(key)
	cfg.SequenceNumber = uint32(offset / payloadSize)
	d, err := sio.DecryptReader(r, cfg)
	if err != nil {
		return nil, err
	}
	out := &checked{r: d}
	if skip := offset % payloadSize; skip > 0 {
		if _, err := io.CopyN(io.Discard, out, skip); err != nil {
			if err == io.EOF {
				err = visitarchive.E("filecrypt", visitarchive.Integrity, nil, "the sealed file ends before offset %d", offset)
			}
			return nil, err
		}
	}
	return out, nil
}

// checked turns the errors of DARE, which say the sealed bytes are not
// authentic, into Integrity errors.
type checked struct{ r io.Reader }

func (c *checked) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	var se sio.Error
	if errors.As(err, &se) {
		err = visitarchive.E("filecrypt", visitarchive.Integrity, err,
			"the sealed file does not decrypt: altered, cut short, or sealed under another key")
	}
	return n, err
}
