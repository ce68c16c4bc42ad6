package visitarchive

import (
	"context"
	"time"
)

// Annotation is a correction of an archived record, which itself never
// changes: who, when, why, and what is corrected. It is stored beside the
// record (annotations/<record>/<id>.json), journaled, and shown with it.
type Annotation struct {
	ID     string    `json:"id"`
	Record RecordID  `json:"record"`
	Author UserName  `json:"author"`
	Time   time.Time `json:"time"`
	Field  string    `json:"field,omitempty"` // the form field corrected, if one
	Reason string    `json:"reason"`
	Text   string    `json:"text"` // the correction
}

// AnnotateRecord adds a correction to archived record id.
func (a *Archive) AnnotateRecord(ctx context.Context, id RecordID, n Annotation) (*Annotation, error) {
	const op = "record.annotate"
	if _, err := a.recordFor(ctx, op, id, "annotate", PermAnnotate); err != nil {
		return nil, err
	}
	var c checker
	c.required("reason", n.Reason)
	c.text("reason", n.Reason, longText)
	c.required("text", n.Text)
	c.text("text", n.Text, longText)
	if n.Field != "" {
		c.oneOf("field", n.Field, formFields)
	}
	if err := c.result(op, "annotation"); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	n.ID, n.Record, n.Author, n.Time = NewID("A", now), id, ActorFrom(ctx), now
	key := AnnotationKey(id, n.ID)
	info, err := a.put(ctx, key, &n)
	if err != nil {
		return nil, err
	}
	if err := a.commit(ctx, op, Change{Key: key, SHA256: info.SHA256}, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// annotations returns the annotations of record id, oldest first.
func (a *Archive) annotations(ctx context.Context, id RecordID) ([]Annotation, error) {
	var out []Annotation
	for _, e := range a.catalog.objects(AnnotationsPrefix + string(id) + "/") {
		var n Annotation
		if err := readSealed(ctx, a.store, e.key, e.sum, &n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Annotations returns the annotations of record id, oldest first, if the
// caller may read the record; the read is logged.
func (a *Archive) Annotations(ctx context.Context, id RecordID) ([]Annotation, error) {
	const op = "record.annotations"
	s, err := a.loadRecord(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := a.visible(ctx, op, RecordResource(&s.Record), string(id)); err != nil {
		return nil, err
	}
	out, err := a.annotations(ctx, id)
	if err != nil {
		return nil, err
	}
	ev := Change{Action: ActionRead, Key: RecordKey(id, s.Version), Fields: []string{"annotations"}}
	return out, a.logAccess(ctx, op, []Change{ev})
}
