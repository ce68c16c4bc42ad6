package audit

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // decodes the heads of JPEG attachments
	_ "image/png"  // and of PNG ones
	"slices"
	"strings"

	va "github.com/visitarchive/visitarchive"
)

// headBytes is how much of an attachment is decrypted to see it open.
const headBytes = 64 << 10

// checkDecode reports the JSON objects of the store that do not parse
// (scanStore read them) and opens the start of every attachment as its
// media type says.
func (r *run) checkDecode(ctx context.Context) (int, []Finding, error) {
	out := slices.Clone(r.scan.undecodable)
	n := r.scan.jsons
	for _, ar := range r.records {
		for _, meta := range ar.Attachments {
			n++
			if msg := r.openAttachment(ctx, meta); msg != "" {
				out = append(out, Finding{Object: strings.TrimSuffix(meta, ".json") + ".bin", Record: string(ar.Record.ID), Detail: msg})
			}
		}
	}
	return n, out, nil
}

// openAttachment returns why the attachment whose metadata is at meta
// does not open as its media type, or "".
func (r *run) openAttachment(ctx context.Context, meta string) string {
	mt, head, err := r.Archive.AuditAttachmentHead(ctx, meta, headBytes)
	switch {
	case va.IsKind(err, va.Gone):
		return "" // destroyed with its record's data key, on purpose
	case err != nil:
		return "cannot be decrypted: " + va.ErrorMessage(err)
	}
	if !opens(mt, head) {
		return fmt.Sprintf("does not open as %s", mt)
	}
	return ""
}

// opens reports whether head, the start of a file, looks like mediaType.
func opens(mediaType string, head []byte) bool {
	switch mediaType {
	case va.MediaPDF:
		return bytes.HasPrefix(head, []byte("%PDF-"))
	case va.MediaJPEG, va.MediaPNG:
		_, _, err := image.DecodeConfig(bytes.NewReader(head))
		return err == nil
	case va.MediaTIFF:
		return bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*"))
	case va.MediaText:
		return !bytes.ContainsRune(head, 0) // text has no NUL; the cut may split a character, so no UTF-8 check
	}
	return len(head) > 0 // office files: not empty
}

// checkIndexed pages through the archived records in the index and
// names every archived record of the store it does not answer for.
func (r *run) checkIndexed(ctx context.Context) (int, []Finding, error) {
	if r.Index == nil {
		return 0, []Finding{{Detail: "no search index was given to the audit"}}, nil
	}
	found := map[va.RecordID]bool{}
	q := va.SearchQuery{Status: string(va.StatusArchived), Sort: va.SortVisitStart, Size: va.MaxPageSize, NoFacets: true}
	for q.Page = 1; ; q.Page++ {
		res, err := r.Index.Search(ctx, q)
		if err != nil {
			return 0, nil, err
		}
		for _, h := range res.Hits {
			found[h.ID] = true
		}
		if len(res.Hits) < q.Size {
			break
		}
	}
	n, out := r.eachArchived(func(ar va.AuditRecord) string {
		if found[ar.Record.ID] {
			return ""
		}
		return "the search index does not find this archived record"
	})
	return n, out, nil
}
