package journal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	va "github.com/visitarchive/visitarchive"
)

// Key prefixes of the journal's objects.
const (
	EntryPrefix      = "journal/"
	CheckpointPrefix = "checkpoints/"
)

// EntryKey is the object key of entry seq.
func EntryKey(seq uint64) string { return fmt.Sprintf("%s%020d.json", EntryPrefix, seq) }

// CheckpointKey is the object key of the checkpoint at entry seq.
func CheckpointKey(seq uint64) string { return fmt.Sprintf("%s%020d.json", CheckpointPrefix, seq) }

// seqOf returns the sequence number in an entry or checkpoint key.
func seqOf(key, prefix string) (uint64, bool) {
	s, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".json")
	if !ok || len(s) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}

// Hash returns the hash of e: the SHA-256 of its JSON encoding with Hash
// empty, in lower-case hex.
func Hash(e va.Entry) string {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		panic("journal: an entry always encodes: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Checkpoint pins the hash of one entry.
type Checkpoint struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("journal: encode: " + err.Error())
	}
	return b.Bytes()
}
