package visitarchive

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
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
