package keyring

import (
	"github.com/visitarchive/visitarchive"
)

// additionalData binds a wrapped key to the id of its master key, so that
// a WrappedKey whose id was edited fails authentication instead of being
// opened under a key it does not name.
func additionalData(id string) []byte {
	return []byte("visitarchive datakey v1 " + id)
}

// NewDataKey returns a fresh random 32-byte data key and its form wrapped
// under the current master key.
func (k *Keyring) NewDataKey() ([]byte, visitarchive.WrappedKey, error) {
	key := randomBytes(keyLen)
	w, err := k.Wrap(key)
	if err != nil {
		return nil, visitarchive.WrappedKey{}, err
	}
	return key, w, nil
}

// Wrap encrypts the 32-byte data key under the current master key with
// AES-256-GCM and a random nonce; it also re-wraps a key after a rotation.
// Another length is Invalid: data keys are 32 bytes.
func (k *Keyring) Wrap(key []byte) (visitarchive.WrappedKey, error) {
	const op = "keyring.wrap"
	if len(key) != keyLen {
		return visitarchive.WrappedKey{}, visitarchive.E(op, visitarchive.Invalid, nil,
			"data key is %d bytes, want %d", len(key), keyLen)
	}
	aead := k.aeads[k.current]
	nonce := randomBytes(aead.NonceSize())
	return visitarchive.WrappedKey{
		MasterKeyID: k.current,
		Nonce:       nonce,
		Ciphertext:  aead.Seal(nil, nonce, key, additionalData(k.current)),
	}, nil
}

// Unwrap returns the data key in w. A master key id that is not in the key
// file, or bytes that fail authentication, are an Integrity error naming
// the id.
func (k *Keyring) Unwrap(w visitarchive.WrappedKey) ([]byte, error) {
	const op = "keyring.unwrap"
	aead, ok := k.aeads[w.MasterKeyID]
	if !ok {
		return nil, visitarchive.E(op, visitarchive.Integrity, nil,
			"data key is wrapped under master key %q, which is not in the key file (retired, or another key file)",
			w.MasterKeyID)
	}
	// GCM panics on a nonce of the wrong size; stored bytes may be anything.
	if len(w.Nonce) != aead.NonceSize() {
		return nil, visitarchive.E(op, visitarchive.Integrity, nil,
			"data key wrapped under master key %q has a %d-byte nonce, want %d",
			w.MasterKeyID, len(w.Nonce), aead.NonceSize())
	}
	key, err := aead.Open(nil, w.Nonce, w.Ciphertext, additionalData(w.MasterKeyID))
	if err != nil {
		return nil, visitarchive.E(op, visitarchive.Integrity, err,
			"data key wrapped under master key %q fails authentication: altered, or from another key file",
			w.MasterKeyID)
	}
	if len(key) != keyLen { // authentic but not ours: a bug where it was wrapped
		return nil, visitarchive.E(op, visitarchive.Integrity, nil,
			"data key wrapped under master key %q is %d bytes, want %d", w.MasterKeyID, len(key), keyLen)
	}
	return key, nil
}
