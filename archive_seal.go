package visitarchive

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// dataKeys caches unwrapped data keys by their datakeys/ prefix, so that
// reading a page of records does not read a page of keys too. It is
// bounded; an evicted key is read again.
type dataKeys struct {
	mu sync.Mutex
	m  map[string][]byte
}

const maxCachedDataKeys = 8192

func (c *dataKeys) get(prefix string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[prefix]
}

func (c *dataKeys) put(prefix string, key []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedDataKeys {
		c.m = map[string][]byte{}
	}
	c.m[prefix] = key
}

func (c *dataKeys) forget(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, prefix)
}

// dataKey returns the data key of the object whose keys live under
// prefix, NotFound when it never had one, or errKeyDestroyed.
func (a *Archive) dataKey(ctx context.Context, prefix string) ([]byte, error) {
	if k := a.dataKeys.get(prefix); k != nil {
		return k, nil
	}
	e, ok := a.catalog.current(prefix)
	if !ok {
		return nil, E("get", NotFound, nil, "data key not found")
	}
	if strings.HasSuffix(e.key, destroyedMark) {
		return nil, errKeyDestroyed
	}
	var w WrappedKey
	if err := readSealed(ctx, a.store, e.key, e.sum, &w); err != nil {
		return nil, err
	}
	k, err := a.keys.Unwrap(w)
	if err != nil {
		return nil, err
	}
	a.dataKeys.put(prefix, k)
	return k, nil
}

// keyWrite waits for the write of a new data key that goes on beside the
// write of the object it seals, so that the two wait for one sync of the
// store, not two in a row. It returns the Change to journal; Key is ""
// when no key was written.
type keyWrite func() (Change, error)

// noKeyWrite is the keyWrite of an object that needed no new data key.
func noKeyWrite() (Change, error) { return Change{}, nil }

// newDataKey makes a fresh data key for the object whose keys live under
// prefix and starts writing its version 1.
func (a *Archive) newDataKey(ctx context.Context, prefix string) ([]byte, keyWrite, error) {
	k, w, err := a.keys.NewDataKey()
	if err != nil {
		return nil, nil, err
	}
	key := prefix + fmt.Sprintf("%010d.json", 1)
	type result struct {
		info ObjectInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		info, err := a.put(ctx, key, w)
		done <- result{info, err}
	}()
	return k, func() (Change, error) {
		r := <-done
		if r.err != nil {
			return Change{}, r.err
		}
		a.dataKeys.put(prefix, k)
		return Change{Action: "datakey.create", Key: key, SHA256: r.info.SHA256}, nil
	}, nil
}

// sealRecord returns the stored form of r, and the write of a data key it
// had to create, which the caller must wait for, whatever else fails. The
// data key is created on the first version that has something sensitive.
func (a *Archive) sealRecord(ctx context.Context, r *Record) (*storedRecord, keyWrite, error) {
	s := &storedRecord{Record: *r}
	s.Hidden, s.Annotations = nil, nil
	secrets := takeSecrets(&s.Record, a.sensitive)
	if secrets.empty() {
		return s, noKeyWrite, nil
	}
	s.Blind = a.blindOf(secrets)
	prefix := RecordDataKeyPrefix(r.ID)
	k, err := a.dataKey(ctx, prefix)
	created := keyWrite(noKeyWrite)
	switch {
	case IsKind(err, NotFound):
		k, created, err = a.newDataKey(ctx, prefix)
	case err == errKeyDestroyed:
		return nil, noKeyWrite, E("record.seal", Conflict, err,
			"the sensitive fields of record %s were destroyed for good; save it without contact details or a decision chain", r.ID)
	}
	if err != nil {
		return nil, noKeyWrite, fmt.Errorf("seal record %s: %w", r.ID, err)
	}
	s.Sealed, err = seal(k, secrets, "record/"+string(r.ID))
	return s, created, err
}

// blindOf returns the blind index tokens of secrets.
func (a *Archive) blindOf(secrets *recordSecrets) []string {
	var out []string
	for _, f := range blindFields {
		if v := secrets.Fields[f]; v != "" {
			out = append(out, f+":"+a.keys.Blind(f, v))
		}
	}
	return out
}

// openRecord returns the record in s with its sensitive fields when
// reveal is true and listed in Hidden otherwise. A destroyed data key
// leaves them hidden.
func (a *Archive) openRecord(ctx context.Context, s *storedRecord, reveal bool) (*Record, error) {
	r := s.Record
	if s.Sealed == nil {
		return &r, nil
	}
	var secrets recordSecrets
	k, err := a.dataKey(ctx, RecordDataKeyPrefix(r.ID))
	if err == errKeyDestroyed || IsKind(err, NotFound) {
		r.Hidden = []string{"sensitive fields: data key destroyed"}
		return &r, nil
	}
	if err == nil {
		err = unseal(k, s.Sealed, "record/"+string(r.ID), &secrets)
	}
	if err != nil {
		return nil, err
	}
	if reveal {
		putSecrets(&r, &secrets)
	} else {
		r.Hidden = secrets.hiddenNames()
	}
	return &r, nil
}

// sealCustomer returns the stored form of c with its contacts sealed.
func (a *Archive) sealCustomer(ctx context.Context, c *Customer) (*storedCustomer, keyWrite, error) {
	s := &storedCustomer{Customer: *c}
	s.Hidden = nil
	if len(c.Contacts) == 0 {
		return s, noKeyWrite, nil
	}
	prefix := CustomerDataKeyPrefix(c.ID)
	k, err := a.dataKey(ctx, prefix)
	created := keyWrite(noKeyWrite)
	if IsKind(err, NotFound) {
		k, created, err = a.newDataKey(ctx, prefix)
	}
	if err != nil {
		return nil, noKeyWrite, fmt.Errorf("seal customer %s: %w", c.ID, err)
	}
	s.Sealed, err = seal(k, c.Contacts, "customer/"+string(c.ID))
	s.Contacts = nil
	return s, created, err
}

// openCustomer returns the customer in s, with contacts when reveal.
func (a *Archive) openCustomer(ctx context.Context, s *storedCustomer, reveal bool) (*Customer, error) {
	c := s.Customer
	if s.Sealed == nil {
		return &c, nil
	}
	if !reveal {
		c.Hidden = []string{"contacts"}
		return &c, nil
	}
	k, err := a.dataKey(ctx, CustomerDataKeyPrefix(c.ID))
	if err == errKeyDestroyed || IsKind(err, NotFound) {
		c.Hidden = []string{"contacts: data key destroyed"}
		return &c, nil
	}
	if err == nil {
		err = unseal(k, s.Sealed, "customer/"+string(c.ID), &c.Contacts)
	}
	return &c, err
}
