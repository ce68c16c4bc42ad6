package visitarchive

// WrappedKey is a data key encrypted under a master key: what the store
// keeps of a data key. Rotating the master key re-wraps data keys; the
// records they encrypt are not rewritten.
type WrappedKey struct {
	MasterKeyID string `json:"master_key_id"`
	Nonce       []byte `json:"nonce"`
	Ciphertext  []byte `json:"ciphertext"`
}

// Keyring holds the master keys that wrap data keys and the key of the
// blind index; storage/keyring implements it over a key file.
type Keyring interface {
	// NewDataKey returns a fresh 32-byte data key and its form wrapped by
	// the current master key.
	NewDataKey() (key []byte, wrapped WrappedKey, err error)

	// Unwrap returns the data key in w. An unknown master key or altered
	// bytes are an Integrity error.
	Unwrap(w WrappedKey) ([]byte, error)

	// Current returns the id of the master key that wraps new data keys;
	// a WrappedKey under another id needs re-wrapping after a rotation.
	Current() string

	// Wrap wraps key under the current master key.
	Wrap(key []byte) (WrappedKey, error)

	// Blind returns the keyed hash (hex) of value for field, for exact
	// lookup of a sensitive value without storing it. Values are
	// normalized first, so "+86 138-0000" and "+8613800 00" hash alike.
	Blind(field, value string) string
}
