package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	va "github.com/visitarchive/visitarchive"
)

// minSecret is the shortest sensitive value searched for: shorter ones
// (a one-character name) match by chance.
const minSecret = 6

// secrets are the sensitive values of the archive, each with the record
// it belongs to, and a replacer that finds any of them in one pass.
type secrets struct {
	owner map[string]string // value → record id
	find  *strings.Replacer
}

// collectSecrets gathers the sensitive values of every record, leaving
// out those too short to tell and those the record also holds in a field
// that is not sensitive (then they are in clear on purpose).
func (r *run) collectSecrets() *secrets {
	s := &secrets{owner: map[string]string{}}
	var pairs []string
	for _, ar := range r.records {
		open := strings.Join(append(ar.Record.Text(), ar.Record.ContactName), "\n")
		for _, v := range ar.Secrets {
			if len(v) < minSecret || strings.Contains(open, v) || s.owner[v] != "" {
				continue
			}
			s.owner[v] = string(ar.Record.ID)
			pairs = append(pairs, v, "\x00")
		}
	}
	s.find = strings.NewReplacer(pairs...)
	return s
}

// in returns the records whose sensitive values b holds in clear.
func (s *secrets) in(b []byte) []string {
	if len(s.owner) == 0 || s.find.Replace(string(b)) == string(b) {
		return nil
	}
	var out []string
	for v, rec := range s.owner {
		if strings.Contains(string(b), v) {
			out = append(out, rec)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkPlaintext reports the objects of the store that hold sensitive
// values in clear (scanStore read them), then searches every file of the
// index and asks the index itself.
func (r *run) checkPlaintext(ctx context.Context) (int, []Finding, error) {
	m, found, err := r.searchIndexDir(r.secrets)
	if err != nil {
		return 0, nil, err
	}
	q, asked, err := r.askIndex(ctx, r.secrets)
	return r.scan.objects + m + q, slices.Concat(r.scan.plain, found, asked), err
}

// askIndex searches the index for each sensitive value: the index keeps
// its text compressed, so that its files may hold a value in clear that
// a search of their bytes does not see, but a search of the index does.
func (r *run) askIndex(ctx context.Context, s *secrets) (int, []Finding, error) {
	if r.Index == nil {
		return 0, nil, nil
	}
	var out []Finding
	for _, v := range slices.Sorted(maps.Keys(s.owner)) {
		res, err := r.Index.Search(ctx, va.SearchQuery{Text: v, Size: va.MaxPageSize, NoFacets: true})
		if err != nil {
			return 0, nil, err
		}
		for _, h := range res.Hits {
			out = append(out, Finding{Object: "index", Record: string(h.ID),
				Detail: "the search index finds this record by a contact detail or decision-chain text of record " + s.owner[v] + ": its indexed text holds it in clear"})
		}
	}
	return len(s.owner), out, nil
}

func (r *run) searchIndexDir(s *secrets) (int, []Finding, error) {
	if r.IndexDir == "" {
		return 0, nil, nil
	}
	var out []Finding
	n := 0
	// A live index merges its segments meanwhile: a file gone between the
	// listing and the read holds nothing any more (its documents are in
	// the merged segment, and the search above asks the index itself).
	err := filepath.WalkDir(r.IndexDir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		n++
		for _, rec := range s.in(b) {
			out = append(out, Finding{Object: "index:" + path, Record: rec, Detail: "the index file holds a contact detail or decision-chain text of record " + rec + " in clear"})
		}
		return nil
	})
	return n, out, err
}

// checkKeyFile checks that only the owner of the key file may read it.
func (r *run) checkKeyFile(context.Context) (int, []Finding, error) {
	if r.KeyFile == "" {
		return 0, []Finding{{Detail: "no key file was given to the audit"}}, nil
	}
	fi, err := os.Stat(r.KeyFile)
	if err != nil {
		return 1, []Finding{{Object: r.KeyFile, Detail: "cannot be read: " + err.Error()}}, nil
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return 1, []Finding{{Object: r.KeyFile, Detail: fmt.Sprintf("permissions %04o; want 0600 (chmod 600 %s)", perm, r.KeyFile)}}, nil
	}
	return 1, nil, nil
}

// checkAccessLog checks every read of the period in the access log, the
// only account of reads the archive keeps (every read of a record, a
// search hit, an export, a download is journaled before it is returned):
// each names who read, and a read of a record names the record and the
// fields returned.
func (r *run) checkAccessLog(ctx context.Context) (int, []Finding, error) {
	evs, err := r.Archive.AccessLog(ctx, va.AccessFilter{From: r.From, To: r.To, Limit: math.MaxInt})
	if err != nil {
		return 0, nil, err
	}
	var out []Finding
	for _, ev := range evs {
		if msg := accessProblem(ev); msg != "" {
			out = append(out, Finding{Record: string(ev.Record), Detail: fmt.Sprintf("journal entry %d: %s", ev.Seq, msg)})
		}
	}
	return len(evs), out, nil
}

func accessProblem(ev va.AccessEvent) string {
	switch {
	case ev.User == "":
		return ev.Action + " names no reader"
	case ev.Action == va.ActionRead && ev.Record == "":
		return "a read names no record"
	case ev.Action == va.ActionRead && len(ev.Fields) == 0:
		return "a read of record " + string(ev.Record) + " names no fields"
	}
	return ""
}

func (r *run) checkUntracked(context.Context) (int, []Finding, error) {
	return int(r.chain.Objects), r.chainFindings(va.ProblemUnrecorded), nil
}
