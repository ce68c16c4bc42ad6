package visitarchive

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Sensitive fields (contact details, the names and notes of a decision
// chain, a customer's contacts, and any record field the configuration
// adds) never reach the store or the index in plain text. Each record or
// customer that has any gets its own data key; the fields are sealed with
// it (AES-256-GCM, bound to the object's id) into the stored object, and
// the data key is stored wrapped by the master key under datakeys/. A
// rotation of the master key re-wraps data keys and leaves records alone;
// destroying a data key leaves the sealed fields unreadable in every copy.

// DefaultSensitiveFields are the record fields sealed at rest besides the
// names and notes of the decision chain.
var DefaultSensitiveFields = []string{"contact_phone", "contact_email"}

// SealableFields are the record fields that the configuration may mark
// sensitive.
var SealableFields = []string{"contact_name", "contact_phone", "contact_email", "location", "summary",
	"customer_situation", "needs", "product_feedback", "customer_feedback", "competitor_info",
	"follow_up", "onsite_notes"}

// blindFields are the sealed fields that exact lookup finds through a
// keyed hash.
var blindFields = []string{"contact_phone", "contact_email"}

// envelope is sealed data: AES-256-GCM under the object's data key.
type envelope struct {
	Nonce []byte `json:"nonce"`
	Data  []byte `json:"data"`
}

// storedRecord is a record as the store holds it: sensitive fields empty,
// sealed in Sealed, with blind hashes ("field:hash") for exact lookup.
type storedRecord struct {
	Record
	Sealed *envelope `json:"sealed,omitempty"`
	Blind  []string  `json:"blind,omitempty"`
}

// storedCustomer is a customer as the store holds it: contacts sealed.
type storedCustomer struct {
	Customer
	Sealed *envelope `json:"sealed,omitempty"`
}

// recordSecrets is the plain text inside a record's envelope.
type recordSecrets struct {
	Fields map[string]string `json:"fields,omitempty"`
	Chain  []chainSecret     `json:"chain,omitempty"` // by position in decision_chain
}

type chainSecret struct {
	Name  string `json:"name,omitempty"`
	Notes string `json:"notes,omitempty"`
}

func (s *recordSecrets) empty() bool { return len(s.Fields) == 0 && len(s.Chain) == 0 }

// textField returns a pointer to the sealable text field name of r.
func (r *Record) textField(name string) *string {
	switch name {
	case "contact_name":
		return &r.ContactName
	case "contact_phone":
		return &r.ContactPhone
	case "contact_email":
		return &r.ContactEmail
	case "location":
		return &r.Location
	case "summary":
		return &r.Summary
	case "customer_situation":
		return &r.CustomerSituation
	case "needs":
		return &r.Needs
	case "product_feedback":
		return &r.ProductFeedback
	case "customer_feedback":
		return &r.CustomerFeedback
	case "competitor_info":
		return &r.CompetitorInfo
	case "follow_up":
		return &r.FollowUp
	case "onsite_notes":
		return &r.OnsiteNotes
	}
	return nil
}

// checkSensitiveFields reports a configured field that cannot be sealed.
func checkSensitiveFields(fields []string) error {
	for _, f := range fields {
		if !slices.Contains(SealableFields, f) {
			return E("config", Invalid, nil, "field %q cannot be marked sensitive; choose among %v", f, SealableFields)
		}
	}
	return nil
}

// takeSecrets moves the sensitive values of r into a recordSecrets,
// leaving r without them.
func takeSecrets(r *Record, fields []string) *recordSecrets {
	s := &recordSecrets{}
	for _, f := range fields {
		p := r.textField(f)
		if p == nil || *p == "" {
			continue
		}
		if s.Fields == nil {
			s.Fields = map[string]string{}
		}
		s.Fields[f], *p = *p, ""
	}
	if slices.ContainsFunc(r.DecisionChain, func(d DecisionMaker) bool { return d.Name != "" || d.Notes != "" }) {
		r.DecisionChain = slices.Clone(r.DecisionChain)
		s.Chain = make([]chainSecret, len(r.DecisionChain))
		for i := range r.DecisionChain {
			d := &r.DecisionChain[i]
			s.Chain[i] = chainSecret{Name: d.Name, Notes: d.Notes}
			d.Name, d.Notes = "", ""
		}
	}
	return s
}

// putSecrets puts s back into r.
func putSecrets(r *Record, s *recordSecrets) {
	for f, v := range s.Fields {
		if p := r.textField(f); p != nil {
			*p = v
		}
	}
	r.DecisionChain = slices.Clone(r.DecisionChain)
	for i, c := range s.Chain {
		if i < len(r.DecisionChain) {
			r.DecisionChain[i].Name, r.DecisionChain[i].Notes = c.Name, c.Notes
		}
	}
}

// hiddenNames lists the sealed fields of s that a caller does not see.
func (s *recordSecrets) hiddenNames() []string {
	var out []string
	for f := range s.Fields {
		out = append(out, f)
	}
	slices.Sort(out)
	for _, c := range s.Chain {
		if c.Name != "" || c.Notes != "" {
			return append(out, "decision_chain.name", "decision_chain.notes")
		}
	}
	return out
}

// seal encrypts v with key, bound to aad.
func seal(key []byte, v any, aad string) (*envelope, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return &envelope{Nonce: nonce, Data: gcm.Seal(nil, nonce, plain, []byte(aad))}, nil
}

// unseal decrypts e with key into v. Altered bytes are Integrity.
func unseal(key []byte, e *envelope, aad string, v any) error {
	gcm, err := newGCM(key)
	if err != nil {
		return err
	}
	plain, err := gcm.Open(nil, e.Nonce, e.Data, []byte(aad))
	if err != nil {
		return E("unseal", Integrity, err, "the sealed fields of %s do not decrypt: altered, or sealed under another key", aad)
	}
	return json.Unmarshal(plain, v)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("data key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

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

// newDataKey writes version 1 of a fresh data key under prefix and
// returns it with the Change to journal.
func (a *Archive) newDataKey(ctx context.Context, prefix string) ([]byte, Change, error) {
	k, w, err := a.keys.NewDataKey()
	if err != nil {
		return nil, Change{}, err
	}
	key := prefix + fmt.Sprintf("%010d.json", 1)
	info, err := a.put(ctx, key, w)
	if err != nil {
		return nil, Change{}, err
	}
	a.dataKeys.put(prefix, k)
	return k, Change{Action: "datakey.create", Key: key, SHA256: info.SHA256}, nil
}

// sealRecord returns the stored form of r, and the Change of a data key
// it had to create (Key "" when none). The data key is created on the
// first version that has something sensitive.
func (a *Archive) sealRecord(ctx context.Context, r *Record) (*storedRecord, Change, error) {
	s := &storedRecord{Record: *r}
	s.Hidden, s.Annotations = nil, nil
	secrets := takeSecrets(&s.Record, a.sensitive)
	if secrets.empty() {
		return s, Change{}, nil
	}
	s.Blind = a.blindOf(secrets)
	prefix := RecordDataKeyPrefix(r.ID)
	k, err := a.dataKey(ctx, prefix)
	var created Change
	switch {
	case IsKind(err, NotFound):
		k, created, err = a.newDataKey(ctx, prefix)
	case err == errKeyDestroyed:
		return nil, Change{}, E("record.seal", Conflict, err,
			"the sensitive fields of record %s were destroyed for good; save it without contact details or a decision chain", r.ID)
	}
	if err != nil {
		return nil, Change{}, fmt.Errorf("seal record %s: %w", r.ID, err)
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
func (a *Archive) sealCustomer(ctx context.Context, c *Customer) (*storedCustomer, Change, error) {
	s := &storedCustomer{Customer: *c}
	s.Hidden = nil
	if len(c.Contacts) == 0 {
		return s, Change{}, nil
	}
	prefix := CustomerDataKeyPrefix(c.ID)
	k, err := a.dataKey(ctx, prefix)
	var created Change
	if IsKind(err, NotFound) {
		k, created, err = a.newDataKey(ctx, prefix)
	}
	if err != nil {
		return nil, Change{}, fmt.Errorf("seal customer %s: %w", c.ID, err)
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
