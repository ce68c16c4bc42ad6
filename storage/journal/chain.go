package journal

import (
	"context"

	va "github.com/visitarchive/visitarchive"
)

// Verifier verifies the journal of Store for the Archive
// (visitarchive.ChainVerifier), which lets auditors run Verify from the
// server.
type Verifier struct{ Store va.Store }

// VerifyChain runs Verify and returns its report as the Archive's.
func (v Verifier) VerifyChain(ctx context.Context, progress func(entries uint64)) (*va.ChainReport, error) {
	rep, err := Verify(ctx, v.Store, progress)
	if err != nil {
		return nil, err
	}
	out := &va.ChainReport{Entries: rep.Entries, Objects: rep.Objects, Unrecorded: rep.Unrecorded, InFlight: rep.InFlight}
	for _, p := range rep.Problems {
		out.Problems = append(out.Problems, va.ChainProblem{Seq: p.Seq, Key: p.Key, Kind: p.Kind, Detail: p.Detail})
	}
	return out, nil
}
