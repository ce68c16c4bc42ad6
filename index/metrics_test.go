package index

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/visitarchive/visitarchive"
)

// Each Apply that changes records is one observation of the records it
// held; one that only moves the journal sequence is none.
func TestApplyMetricsCountRecordsPerUpdate(t *testing.T) {
	ctx := t.Context()
	docs := loadCorpus(t)
	ix := openTest(t, t.TempDir())
	reg := prometheus.NewRegistry()
	reg.MustRegister(ix.Collectors()...)

	if err := ix.Apply(ctx, 1, docs[:3], nil); err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(ctx, 2, docs[3:4], []visitarchive.RecordID{docs[0].Record.ID}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(ctx, 3, nil, nil); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		h := f.GetMetric()[0].GetHistogram()
		got[f.GetName()] = [2]float64{float64(h.GetSampleCount()), h.GetSampleSum()}
	}
	if d := got["visitarchive_index_apply_documents"]; d != [2]float64{2, 5} {
		t.Errorf("apply documents: %v updates holding %v records, want 2 holding 5", d[0], d[1])
	}
	if s := got["visitarchive_index_apply_seconds"]; s[0] != 2 || s[1] <= 0 {
		t.Errorf("apply seconds: %v updates taking %v s in all, want 2 taking some time", s[0], s[1])
	}
}
