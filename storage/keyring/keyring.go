package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/visitarchive/visitarchive"
)

var _ visitarchive.Keyring = (*Keyring)(nil)

// Keyring is a loaded key file: the master keys, ready to wrap and unwrap
// data keys, and the blind key. It holds no path; Rotate and Retire return
// a new Keyring rather than change one in use.
type Keyring struct {
	current string
	ids     []string               // in file order, oldest first
	aeads   map[string]cipher.AEAD // by master key id
	blind   []byte
}

// Init creates a key file at path with one new master key, current, and a
// new blind key, and returns its Keyring. It never replaces a file: when
// path exists it returns a Conflict error and leaves the file alone.
func Init(path string, now time.Time) (*Keyring, error) {
	const op = "keyring.init"
	kf := &keyFile{
		Format:   formatV1,
		BlindKey: randomBytes(keyLen),
	}
	kf.addMasterKey(now)
	if err := writeFile(op, path, kf, true); err != nil {
		return nil, err
	}
	return fromFile(op, kf)
}

// Load reads the key file at path. A missing file is NotFound; a file that
// group or others may read, or that is malformed, is Invalid.
func Load(path string) (*Keyring, error) {
	const op = "keyring.load"
	kf, err := readFile(op, path)
	if err != nil {
		return nil, err
	}
	return fromFile(op, kf)
}

// Rotate adds a new master key to the key file at path and makes it
// current; the old ones stay, so that data keys wrapped under them can
// still be unwrapped until they are re-wrapped. It returns the new Keyring.
func Rotate(path string, now time.Time) (*Keyring, error) {
	return update("keyring.rotate", path, func(kf *keyFile) error {
		kf.addMasterKey(now)
		return nil
	})
}

// Retire removes master key id from the key file at path and returns the
// new Keyring. Only call it once no wrapped data key names id: those that
// do become unreadable. The current key cannot be retired (Conflict); an id
// not in the file is NotFound.
func Retire(path, id string) (*Keyring, error) {
	const op = "keyring.retire"
	return update(op, path, func(kf *keyFile) error {
		if id == kf.Current {
			return visitarchive.E(op, visitarchive.Conflict, nil,
				"master key %q is current; rotate, re-wrap the data keys, then retire it", id)
		}
		i := slices.IndexFunc(kf.MasterKeys, func(mk fileKey) bool { return mk.ID == id })
		if i < 0 {
			return visitarchive.E(op, visitarchive.NotFound, nil, "no master key %q in key file %s", id, path)
		}
		kf.MasterKeys = slices.Delete(kf.MasterKeys, i, i+1)
		return nil
	})
}

// update applies change to the key file at path under its lock and writes
// the result.
func update(op, path string, change func(*keyFile) error) (*Keyring, error) {
	// A first read fails on a wrong path before a lock file is created
	// beside it.
	if _, err := readFile(op, path); err != nil {
		return nil, err
	}
	unlock, err := lockFile(op, path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	kf, err := readFile(op, path) // again: another process may have changed it
	if err != nil {
		return nil, err
	}
	if err := change(kf); err != nil {
		return nil, err
	}
	if err := writeFile(op, path, kf, false); err != nil {
		return nil, err
	}
	return fromFile(op, kf)
}

// addMasterKey adds a new random master key created at now and makes it
// current.
func (kf *keyFile) addMasterKey(now time.Time) {
	id := newID(now)
	for kf.has(id) { // 32 random bits: a clash is rare, but would be fatal
		id = newID(now)
	}
	kf.MasterKeys = append(kf.MasterKeys, fileKey{
		ID:      id,
		Key:     randomBytes(keyLen),
		Created: now.UTC().Truncate(time.Second), // RFC 3339 without fractions
	})
	kf.Current = id
}

func (kf *keyFile) has(id string) bool {
	return slices.ContainsFunc(kf.MasterKeys, func(mk fileKey) bool { return mk.ID == id })
}

// newID names a master key by its creation date, for people, and random
// digits, for uniqueness.
func newID(now time.Time) string {
	return "mk-" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(randomBytes(4))
}

// randomBytes returns n bytes from crypto/rand, which never fails (it
// crashes the program instead, since Go 1.24).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// fromFile builds the Keyring of a validated key file.
func fromFile(op string, kf *keyFile) (*Keyring, error) {
	k := &Keyring{
		current: kf.Current,
		aeads:   make(map[string]cipher.AEAD, len(kf.MasterKeys)),
		blind:   slices.Clone(kf.BlindKey),
	}
	for _, mk := range kf.MasterKeys {
		aead, err := newAEAD(mk.Key)
		if err != nil {
			return nil, visitarchive.E(op, visitarchive.Internal, err, "cannot use master key %q", mk.ID)
		}
		k.ids = append(k.ids, mk.ID)
		k.aeads[mk.ID] = aead
	}
	return k, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Current returns the id of the master key that wraps new data keys.
func (k *Keyring) Current() string { return k.current }

// IDs returns the ids of the master keys, oldest first.
func (k *Keyring) IDs() []string { return slices.Clone(k.ids) }

// The methods below print a Keyring for people and logs. They show ids
// only, and have value receivers so that a Keyring copied by value is as
// safe to print as a pointer to one.

// String returns the current id and all ids.
func (k Keyring) String() string {
	return fmt.Sprintf("keyring{current=%s keys=[%s]}", k.current, strings.Join(k.ids, " "))
}

// GoString is String for %#v.
func (k Keyring) GoString() string {
	return fmt.Sprintf("keyring.Keyring{current: %q, keys: %q}", k.current, k.ids)
}

// Format prints String (GoString for %#v) whatever the verb, so that no
// verb, %x included, falls through to printing the fields.
func (k Keyring) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, k.GoString())
		return
	}
	fmt.Fprint(f, k.String())
}

// LogValue logs the current id and all ids.
func (k Keyring) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("current", k.current),
		slog.Any("keys", slices.Clone(k.ids)),
	)
}
