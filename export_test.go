package visitarchive

import (
	"context"
	"time"
)

// PlantRunningJob claims job id for owner until lease from now and leaves
// it running: what a process that died while it ran the job leaves.
func (a *Archive) PlantRunningJob(ctx context.Context, id, owner string, lease time.Duration) error {
	j := a.jobs.get(id)
	if j == nil {
		return E("test", NotFound, nil, "job %s not found", id)
	}
	_, err := a.claimJob(WithActor(ctx, "system"), j, owner, lease)
	return err
}
