package policy

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/visitarchive/visitarchive"
)

// Argon2id hashes passwords with argon2id (RFC 9106) into the PHC string
// format, $argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<hash>, with
// unpadded standard base64. Verify reads the parameters from the hash, so
// hashes made with other parameters keep working after they change.
type Argon2id struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

var _ visitarchive.PasswordHasher = Argon2id{}

// Sizes of what Hash writes.
const (
	saltBytes = 16
	keyBytes  = 32
)

// Limits on the parameters Verify accepts from a stored hash: a hash
// written by an attacker could otherwise ask for gigabytes per attempt.
const (
	maxMemoryKiB = 256 * 1024 // 256 MiB, four times the default
	maxTime      = 16
	maxThreads   = 16
	minSaltBytes = 8
	maxSaltBytes = 64
	minKeyBytes  = 16
	maxKeyBytes  = 128
)

// DefaultArgon2id returns the parameters for production: 64 MiB, 2 passes,
// 2 threads. That is above OWASP's minimum (19 MiB, 2 passes) and close to
// RFC 9106's second recommendation (64 MiB, 3 passes, 4 lanes), with fewer
// passes and lanes because a sign-in server must also stand many sign-ins
// at once on few cores.
func DefaultArgon2id() Argon2id { return Argon2id{Memory: 64 * 1024, Time: 2, Threads: 2} }

// NewArgon2id returns a hasher with the given cost, such as a cheap one for
// tests. It refuses parameters that Verify would refuse to read back.
func NewArgon2id(memoryKiB, time uint32, threads uint8) (Argon2id, error) {
	a := Argon2id{Memory: memoryKiB, Time: time, Threads: threads}
	return a, a.check()
}

// check reports parameters that argon2 refuses or that cost too much.
func (a Argon2id) check() error {
	switch {
	case a.Threads < 1 || a.Threads > maxThreads:
		return fmt.Errorf("argon2id: %d threads; want 1 to %d", a.Threads, maxThreads)
	case a.Time < 1 || a.Time > maxTime:
		return fmt.Errorf("argon2id: %d passes; want 1 to %d", a.Time, maxTime)
	case a.Memory < 8*uint32(a.Threads) || a.Memory > maxMemoryKiB:
		return fmt.Errorf("argon2id: %d KiB of memory; want 8 per thread (%d) to %d",
			a.Memory, 8*uint32(a.Threads), maxMemoryKiB)
	}
	return nil
}

// Hash returns the PHC string of password with a new random salt, or an
// error for parameters NewArgon2id refuses (the zero Argon2id among them).
func (a Argon2id) Hash(password string) (string, error) {
	if err := a.check(); err != nil {
		return "", err
	}
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("argon2id: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, a.Time, a.Memory, a.Threads, keyBytes)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		a.Memory, a.Time, a.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches hash, whatever parameters hash
// was made with. A malformed hash, or one whose parameters are beyond the
// limits, is an error; a wrong password is (false, nil).
func (a Argon2id) Verify(hash, password string) (bool, error) {
	p, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), p.salt, p.Time, p.Memory, p.Threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// phc is a parsed hash.
type phc struct {
	Argon2id
	salt, key []byte
}

var errFormat = errors.New("argon2id: malformed hash; want $argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<hash>")

// parsePHC parses and checks a hash written by Hash.
func parsePHC(s string) (phc, error) {
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return phc{}, errFormat
	}
	var version int
	if _, err := fmt.Sscanf(f[2], "v=%d", &version); err != nil || f[2] != fmt.Sprintf("v=%d", version) {
		return phc{}, errFormat
	}
	if version != argon2.Version {
		return phc{}, fmt.Errorf("argon2id: version %d; want %d", version, argon2.Version)
	}
	var p phc
	if err := p.parseParams(f[3]); err != nil {
		return phc{}, err
	}
	if err := p.parseBytes(f[4], f[5]); err != nil {
		return phc{}, err
	}
	return p, nil
}

// parseParams reads "m=65536,t=2,p=2" exactly: no spaces, no extra keys.
func (p *phc) parseParams(s string) error {
	var m, t, threads uint64
	_, err := fmt.Sscanf(s, "m=%d,t=%d,p=%d", &m, &t, &threads)
	if err != nil || s != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, threads) {
		return errFormat
	}
	if m > maxMemoryKiB || t > maxTime || threads > maxThreads {
		return fmt.Errorf("argon2id: parameters m=%d,t=%d,p=%d are beyond the limits (m ≤ %d, t ≤ %d, p ≤ %d)",
			m, t, threads, maxMemoryKiB, maxTime, maxThreads)
	}
	p.Argon2id = Argon2id{Memory: uint32(m), Time: uint32(t), Threads: uint8(threads)}
	return p.check()
}

func (p *phc) parseBytes(salt, key string) error {
	var err1, err2 error
	p.salt, err1 = base64.RawStdEncoding.Strict().DecodeString(salt)
	p.key, err2 = base64.RawStdEncoding.Strict().DecodeString(key)
	switch {
	case err1 != nil || err2 != nil:
		return errFormat
	case len(p.salt) < minSaltBytes || len(p.salt) > maxSaltBytes:
		return fmt.Errorf("argon2id: salt of %d bytes; want %d to %d", len(p.salt), minSaltBytes, maxSaltBytes)
	case len(p.key) < minKeyBytes || len(p.key) > maxKeyBytes:
		return fmt.Errorf("argon2id: hash of %d bytes; want %d to %d", len(p.key), minKeyBytes, maxKeyBytes)
	}
	return nil
}
