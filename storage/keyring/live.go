package keyring

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/visitarchive/visitarchive"
)

// Live is the Keyring of a key file that another process may rotate while
// this one runs (`visitarchive keys rotate` beside a server). It loads the
// file again when the file has changed, looking at most once per
// checkEvery, and at once when asked to unwrap under a master key it does
// not know yet. A file that has become unreadable keeps the last good
// keys in use, and the failure is returned by Err.
type Live struct {
	path string
	kr   atomic.Pointer[Keyring]
	now  func() time.Time

	mu      sync.Mutex
	checked time.Time // when the file was last looked at
	modTime time.Time // of the file as loaded
	err     error     // of the last reload
}

var _ visitarchive.Keyring = (*Live)(nil)

// checkEvery is how often a Live keyring looks at its file.
const checkEvery = 5 * time.Second

// Open loads the key file at path as a Live keyring; the errors are
// Load's.
func Open(path string) (*Live, error) {
	l := &Live{path: path, now: time.Now}
	if err := l.reload(); err != nil {
		return nil, err
	}
	return l, nil
}

// reload loads the file if it changed since it was last loaded. Callers
// hold mu, or own l alone.
func (l *Live) reload() error {
	l.checked = l.now()
	st, err := os.Stat(l.path)
	if err == nil && st.ModTime().Equal(l.modTime) && l.kr.Load() != nil {
		return nil
	}
	kr, err := Load(l.path)
	if err != nil {
		l.err = err
		return err
	}
	l.kr.Store(kr)
	l.modTime, l.err = st.ModTime(), nil
	return nil
}

// keys returns the keyring in use, after looking at the file when it is
// time to, or when force.
func (l *Live) keys(force bool) *Keyring {
	l.mu.Lock()
	if force || l.now().Sub(l.checked) >= checkEvery {
		l.reload()
	}
	l.mu.Unlock()
	return l.kr.Load()
}

// Err returns why the last reload failed, or nil.
func (l *Live) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// NewDataKey is Keyring.NewDataKey with the current keys.
func (l *Live) NewDataKey() ([]byte, visitarchive.WrappedKey, error) {
	return l.keys(false).NewDataKey()
}

// Wrap is Keyring.Wrap with the current keys.
func (l *Live) Wrap(key []byte) (visitarchive.WrappedKey, error) { return l.keys(false).Wrap(key) }

// Current is Keyring.Current with the current keys.
func (l *Live) Current() string { return l.keys(false).Current() }

// Blind is Keyring.Blind; the blind key never changes.
func (l *Live) Blind(field, value string) string { return l.kr.Load().Blind(field, value) }

// Unwrap is Keyring.Unwrap; a master key it does not know makes it load
// the file again first.
func (l *Live) Unwrap(w visitarchive.WrappedKey) ([]byte, error) {
	kr := l.keys(false)
	if _, known := kr.aeads[w.MasterKeyID]; !known {
		kr = l.keys(true)
	}
	return kr.Unwrap(w)
}

// String, Format and LogValue show the key ids only, as Keyring's do.
func (l *Live) String() string { return l.kr.Load().String() }

// Format shows the key ids only, whatever the verb.
func (l *Live) Format(f fmt.State, verb rune) { l.kr.Load().Format(f, verb) }

// LogValue shows the key ids only.
func (l *Live) LogValue() slog.Value { return l.kr.Load().LogValue() }
