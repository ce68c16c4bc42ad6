package visitarchive

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The text of attachments. An extraction job stores what it got as parts
// (attachments/<record>/<id>.text.<n:04d>.json), each some pages sealed
// under the file's key like its name, and journals them with the job's
// last version. The index gets the text with its record (IndexDoc.Files),
// phone numbers and e-mail addresses taken out and only their blind
// hashes kept (redactContacts), so that neither ever reaches an index
// file; the index does not store the text either, and a search builds a
// hit's fragment of a file at query time from the sealed parts.

// maxTextPart is the most text one part holds: at least one page, however
// long, and as many more as fit.
const maxTextPart = 1 << 20

// maxIndexedText is the most text of a record's files that is indexed;
// the rest is stored and left out of the index, since Bleve analyses a
// document whole (about a hundred times its size in passing garbage).
const maxIndexedText = 2 << 20

// storedText is one part of the text of an attachment as stored.
type storedText struct {
	Record     RecordID  `json:"record"`
	Attachment string    `json:"attachment"`
	Job        string    `json:"job"`
	Part       int       `json:"part"`       // from 1
	FirstPage  int       `json:"first_page"` // the number of its first page, from 1
	Pages      int       `json:"pages"`
	Sealed     *envelope `json:"sealed"` // textSecrets
}

// textSecrets is the plain text inside a part's envelope.
type textSecrets struct {
	Pages []string `json:"pages"`
}

// textAAD binds part n of the text of attachment id to it.
func textAAD(rid RecordID, id string, n int) string {
	return fmt.Sprintf("%s/text/%d", attachmentAAD(rid, id), n)
}

// textParts cuts pages into parts of at most maxTextPart bytes (a longer
// page is a part of its own), and returns each part's pages and the
// index of its first page.
func textParts(pages []string) (parts [][]string, first []int) {
	size := 0
	for i, p := range pages {
		if len(parts) == 0 || size+len(p) > maxTextPart {
			parts, first, size = append(parts, nil), append(first, i), 0
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], p)
		size += len(p)
	}
	return parts, first
}

// putTexts writes the text of attachment f, page by page, as the parts of
// job, sealed under f's key, and returns their changes to journal; on an
// error it removes what it wrote. A part that an earlier run of the job
// left unjournaled (its process died) is removed first.
func (a *Archive) putTexts(ctx context.Context, f *AttachmentFile, job string, pages []string) ([]Change, error) {
	parts, first := textParts(pages)
	var changes []Change
	for i, part := range parts {
		n := i + 1
		st := storedText{Record: f.Record, Attachment: f.ID, Job: job, Part: n, FirstPage: first[i] + 1, Pages: len(part)}
		var err error
		if st.Sealed, err = seal(f.key, textSecrets{Pages: part}, textAAD(f.Record, f.ID, n)); err != nil {
			a.dropTexts(ctx, changes)
			return nil, err
		}
		ch, err := a.putText(ctx, job, &st)
		if err != nil {
			a.dropTexts(ctx, changes)
			return nil, err
		}
		changes = append(changes, ch)
	}
	return changes, nil
}

// putText writes one part; the key is taken from an upload-like write
// (a.uploading) until the job's entry journals it.
func (a *Archive) putText(ctx context.Context, job string, st *storedText) (Change, error) {
	key := AttachmentTextKey(st.Record, st.Attachment, st.Part)
	a.uploading.Store(key, struct{}{})
	info, err := a.put(ctx, key, st)
	if IsKind(err, Conflict) && !a.catalog.recorded(key) {
		left := unrecordedRemoval(ctx, key, "left by an earlier run of job "+job)
		if _, err = a.removeAll(ctx, []Change{left}); err == nil {
			info, err = a.put(ctx, key, st)
		}
	}
	if err != nil {
		a.uploading.Delete(key)
		return Change{}, err
	}
	return Change{Action: ActionJobFinish, Key: key, SHA256: info.SHA256}, nil
}

// dropTexts removes the parts of changes, not journaled.
func (a *Archive) dropTexts(ctx context.Context, changes []Change) {
	for _, c := range changes {
		a.dropObject(ctx, c.Key)
	}
	a.doneTexts(changes)
}

// doneTexts ends the protection of the parts of changes, journaled or
// removed.
func (a *Archive) doneTexts(changes []Change) {
	for _, c := range changes {
		a.uploading.Delete(c.Key)
	}
}

// fileTexts returns the text of each attachment of record rid that has
// one, attachments and pages in order, read from the parts the journal
// recorded; nothing when the record's data key was destroyed. A part that
// is missing or altered is logged and left out (verify names it).
func (a *Archive) fileTexts(ctx context.Context, rid RecordID) ([]FileText, error) {
	var parts []catEntry
	for _, e := range a.catalog.objects(AttachmentsPrefix + string(rid) + "/") {
		if _, _, _, ok := parseAttachmentTextKey(e.key); ok {
			parts = append(parts, e)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	dataKey, err := a.dataKey(ctx, RecordDataKeyPrefix(rid))
	switch {
	case err == errKeyDestroyed || IsKind(err, NotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	var out []FileText
	for _, e := range parts {
		_, id, _, _ := parseAttachmentTextKey(e.key)
		pages, err := a.readText(ctx, e, dataKey)
		if IsKind(err, NotFound) || IsKind(err, Integrity) {
			a.log.Error("a part of an attachment's text is missing or altered; leaving it out (run verify)", "key", e.key, "err", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Attachment != id {
			out = append(out, FileText{Attachment: id})
		}
		last := &out[len(out)-1]
		last.Pages = append(last.Pages, pages...)
	}
	return out, nil
}

// readText reads and opens the part of an attachment's text at e.
func (a *Archive) readText(ctx context.Context, e catEntry, dataKey []byte) ([]string, error) {
	rid, id, n, _ := parseAttachmentTextKey(e.key)
	var st storedText
	if err := readSealed(ctx, a.store, e.key, e.sum, &st); err != nil {
		return nil, err
	}
	key, err := fileKey(dataKey, rid, id)
	if err != nil {
		return nil, err
	}
	var s textSecrets
	if err := unseal(key, st.Sealed, textAAD(rid, id, n), &s); err != nil {
		return nil, err
	}
	return s.Pages, nil
}

// textPartsOf counts the parts of attachments' text that record rid has.
func (a *Archive) textPartsOf(rid RecordID) int {
	n := 0
	for _, e := range a.catalog.objects(AttachmentsPrefix + string(rid) + "/") {
		if _, _, _, ok := parseAttachmentTextKey(e.key); ok {
			n++
		}
	}
	return n
}

// indexDoc is what the index gets of the stored record s: no sensitive
// field, only their blind hashes; and the text of its files, without
// phone numbers and e-mail addresses, whose blind hashes join the
// record's (indexedFiles).
func (a *Archive) indexDoc(ctx context.Context, s *storedRecord, cu *Customer) (IndexDoc, error) {
	d := IndexDoc{Record: &s.Record, Customer: cu, Blind: s.Blind}
	a.dueDoc(&d)
	texts, err := a.fileTexts(ctx, s.ID)
	if err != nil || len(texts) == 0 {
		return d, err
	}
	var blind []string
	d.Files, blind = a.indexedFiles(texts)
	for _, b := range blind {
		if !slices.Contains(d.Blind, b) {
			d.Blind = append(slices.Clip(d.Blind), b)
		}
	}
	return d, nil
}

// indexedFiles returns texts as the index gets them: phone numbers and
// e-mail addresses taken out, at most maxIndexedText bytes in all; and
// the blind hashes of those taken out, as "contact_phone:…" and
// "contact_email:…", so that a lookup of a contact finds the record.
func (a *Archive) indexedFiles(texts []FileText) ([]FileText, []string) {
	var out []FileText
	var blind []string
	left := maxIndexedText
	for _, t := range texts {
		f := FileText{Attachment: t.Attachment}
		for _, p := range t.Pages {
			if left <= 0 {
				break
			}
			clean, phones, emails := redactContacts(p)
			if len(clean) > left {
				clean = cutUTF8(clean, left)
			}
			left -= len(clean)
			f.Pages = append(f.Pages, clean)
			for _, ph := range phones {
				blind = append(blind, a.blindTokens(ph, "")...)
			}
			for _, em := range emails {
				blind = append(blind, a.blindTokens("", em)...)
			}
		}
		out = append(out, f)
	}
	return out, blind
}

// cutUTF8 cuts s to at most n bytes, not inside a character.
func cutUTF8(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// The patterns of redactContacts. Phone numbers: Chinese mobiles (139
// 1234 5678), landlines with their area code (010-12345678, (021)
// 6123 4567, with an extension), 400 and 800 numbers, and international
// numbers written with a plus (+49 30 1234567); each with the country
// code +86 or 0086 if written. Model numbers, dates and amounts have no
// such shape; a match must not touch a letter or digit on either side.
var (
	phonePatterns = regexp.MustCompile(`(?:(?:\+|00)86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}` +
		`|(?:(?:\+|00)86[ -]?)?(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[ -]?[0-9]{3,4}[ -]?[0-9]{4}(?:[ -]?(?:转|ext\.?|x)[ -]?[0-9]{1,5})?` +
		`|[48]00[ -]?[0-9]{3}[ -]?[0-9]{4}` +
		`|\+[1-9][0-9]{0,2}(?:[ -]?\(?[0-9]{1,4}\)?){2,5}`)
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
)

// contactMark is what stands in a text where a contact detail was taken
// out: punctuation, which the index drops.
const contactMark = "[…]"

// redactContacts returns text with its e-mail addresses and phone numbers
// replaced by contactMark, and those it replaced. Full-width letters,
// digits and signs (as Chinese input methods type them) are made ASCII
// first, since the index reads them so.
func redactContacts(text string) (clean string, phones, emails []string) {
	text = foldWide(text)
	text, emails = replaceAll(emailPattern, text, 0)
	text, phones = replaceAll(phonePatterns, text, 7)
	return text, phones, emails
}

// replaceAll replaces the matches of re in s that stand apart from other
// letters and digits and hold at least minDigits digits by contactMark,
// and returns them.
func replaceAll(re *regexp.Regexp, s string, minDigits int) (string, []string) {
	var b strings.Builder
	var found []string
	pos := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if !apart(s, m[0], m[1]) || digits(s[m[0]:m[1]]) < minDigits {
			continue
		}
		found = append(found, s[m[0]:m[1]])
		b.WriteString(s[pos:m[0]])
		b.WriteString(contactMark)
		pos = m[1]
	}
	if found == nil {
		return s, nil
	}
	b.WriteString(s[pos:])
	return b.String(), found
}

// apart reports whether s[i:j] touches no ASCII letter or digit on either
// side: 13912345678 inside LX139123456789 is no phone number.
func apart(s string, i, j int) bool {
	alnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
	return (i == 0 || !alnum(s[i-1])) && (j == len(s) || !alnum(s[j]))
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// foldWide turns full-width letters, digits and the signs of contact
// details (＋ － ＠ ． （ ）) into ASCII.
func foldWide(s string) string {
	wide := func(r rune) bool {
		return r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ' || strings.ContainsRune("＋－＠．（）", r)
	}
	if !strings.ContainsFunc(s, wide) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if wide(r) {
			return r - 0xFEE0
		}
		return r
	}, s)
}

// markFiles gives each of hits whose files' text holds the words of text
// the fragment of the page that holds the most of them, and names the
// file and page (SearchHit.Attachment). The hits are those the caller
// may read. A text that cannot be read leaves its hit as it is, and is
// logged.
func (a *Archive) markFiles(ctx context.Context, text string, hits []SearchHit) {
	if strings.TrimSpace(text) == "" || len(hits) == 0 {
		return
	}
	parallel(ctx, len(hits), func(i int) error {
		if err := a.markHit(ctx, text, &hits[i]); err != nil {
			a.log.Error("no fragment of the files of a hit", "record", hits[i].ID, "err", err)
		}
		return nil
	})
}

// markHit gives h the fragment of its files that shows text best, if
// any: from the text as indexed, contact details taken out.
func (a *Archive) markHit(ctx context.Context, text string, h *SearchHit) error {
	texts, err := a.fileTexts(ctx, h.ID)
	if err != nil || len(texts) == 0 {
		return err
	}
	files, _ := a.indexedFiles(texts)
	type at struct{ file, page int }
	var pages []string
	var where []at
	for fi, f := range files {
		for pi, p := range f.Pages {
			pages, where = append(pages, p), append(where, at{fi, pi})
		}
	}
	i, frag, ok := a.index.Mark(text, pages)
	if !ok {
		return nil
	}
	id := files[where[i].file].Attachment
	var s storedAttachment
	if err := a.readObject(ctx, AttachmentKey(h.ID, id), &s); err != nil {
		return err
	}
	dataKey, keyErr := a.dataKey(ctx, RecordDataKeyPrefix(h.ID))
	att, _, err := openAttachment(&s, dataKey, keyErr)
	if err != nil {
		return err
	}
	h.Attachment = &HitAttachment{ID: id, Name: att.Name, Page: where[i].page + 1}
	frags := map[string][]string{FragmentFiles: {frag}}
	for k, v := range h.Fragments {
		frags[k] = v
	}
	h.Fragments = frags
	return nil
}
