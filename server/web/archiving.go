package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Archiving (整理与归档): the approved records that wait for an archivist,
// oldest visit first; and the archiving of one, as POST
// /api/v1/records/{id}/archive does it. The page shows the class the
// record is derived into and the retention period it gets before
// archiving (Archive.Classification), takes where the paper original is
// kept, and afterwards shows the reference code (档号) it received.

// toArchiveView is the content of the list of records to archive.
type toArchiveView struct {
	Hits  []hitView
	Total uint64
	Pager Pager
}

func (w *Web) toArchive(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermArchive, visitarchive.KindRecord); err != nil {
		return err
	}
	q, err := w.searchQuery(map[string]string{"status": string(visitarchive.StatusApproved),
		"sort": visitarchive.SortVisitStart, "page": strconv.Itoa(pageNumber(c)), "size": strconv.Itoa(searchPageSize)})
	if err != nil {
		return err
	}
	q.NoFacets = true
	res, err := w.archive.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	v := toArchiveView{Total: res.Total,
		Pager: newPager(c, q.Page, q.Size, int(min(res.Total, uint64(maxSearchPages*q.Size))))}
	for _, h := range res.Hits {
		v.Hits = append(v.Hits, hitView{URL: "/archiving/" + string(h.ID), CustomerName: h.CustomerName,
			VisitStart: h.VisitStart, Topic: h.Topic})
	}
	return w.render(c, r, "archiving", msg("Records to archive"), v)
}

// archiveView is the content of the archiving page of a record.
type archiveView struct {
	R          *visitarchive.Record
	Department string
	// Class and Retention are what archiving gives the record: derived
	// from its customer and visit (Classification) before, as given
	// after.
	Class     *visitarchive.Class
	Retention visitarchive.Retention
	// ClassError says why the record cannot be classified now (its
	// customer is gone, no schedule is configured).
	ClassError string
	Open       bool // the caller may archive it now
	Version    int
	Paper      []field // cabinet, shelf, box
	formState
}

// paperFields are the inputs of the paper original's location.
var paperFields = []string{"paper_location.cabinet", "paper_location.shelf", "paper_location.box"}

func (w *Web) archiveForm(c *fiber.Ctx, r *Request) error {
	return w.renderArchive(c, r, map[string]string{}, formState{})
}

func (w *Web) archiveRecord(c *fiber.Ctx, r *Request) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	typed := typedValues(c, paperFields)
	req := visitarchive.ArchiveRequest{}
	req.Version, _ = strconv.Atoi(c.FormValue("version"))
	if typed[paperFields[0]]+typed[paperFields[1]]+typed[paperFields[2]] != "" {
		req.PaperLocation = &visitarchive.PaperLocation{Cabinet: typed[paperFields[0]], Shelf: typed[paperFields[1]], Box: typed[paperFields[2]]}
	}
	_, err = w.archive.ArchiveRecord(c.UserContext(), id, req)
	if err == nil {
		w.flash(c, flashArchived)
		return redirect(c, "/archiving/"+string(id))
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	return w.renderArchive(c, r, typed, st)
}

// renderArchive renders the archiving page of the record of the path,
// the paper original's location filled with typed.
func (w *Web) renderArchive(c *fiber.Ctx, r *Request, typed map[string]string, st formState) error {
	if err := w.mayUse(c, visitarchive.PermArchive, visitarchive.KindRecord); err != nil {
		return err
	}
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	rec, err := w.archive.GetRecord(ctx, id)
	if err != nil {
		return err
	}
	v := archiveView{R: rec, Department: departmentName(w.departmentNames(ctx), rec.Department), Version: rec.Version,
		Class: rec.Class, Retention: rec.Retention, formState: st}
	if rec.Status == visitarchive.StatusApproved {
		switch arc, err := w.archive.Classification(ctx, id); {
		case err == nil:
			v.Open, v.Class, v.Retention = true, arc.Class, arc.Retention
		case visitarchive.IsKind(err, visitarchive.Invalid), visitarchive.IsKind(err, visitarchive.Unavailable):
			v.ClassError = errorText(r.Lang, err)
		case !visitarchive.IsKind(err, visitarchive.Forbidden):
			return err
		}
	}
	for _, f := range paperFields {
		v.Paper = append(v.Paper, newField(r, f, "text", typed[f], st.Errors))
		v.Paper[len(v.Paper)-1].Max = 50
	}
	return w.render(c, r, "archive-record", msg("Archive a record"), v)
}
