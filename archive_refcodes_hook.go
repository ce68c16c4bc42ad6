package visitarchive

import "context"

// The steps of ArchiveRecord, at which tests fail it or kill the process
// (Config.ArchivingHook); without a hook nothing here runs.

// ArchivingStep is a step of ArchiveRecord reached.
type ArchivingStep string

// The steps of ArchiveRecord, in order.
const (
	StepReserved ArchivingStep = "reserved" // the record version is reserved
	StepClaimed  ArchivingStep = "claimed"  // its reference-code number is claimed
	StepPaper    ArchivingStep = "paper"    // its paper original is written (or it has none)
	StepJournal  ArchivingStep = "journal"  // its archived version is written, not yet journaled
)

// hookArchiving sets hook, and calls it for StepJournal from the journal,
// in the Append of an archived version's entry.
func (a *Archive) hookArchiving(hook func(context.Context, ArchivingStep) error) {
	if hook == nil {
		return
	}
	a.archivingHook = hook
	a.journal = hookedJournal{a.journal, hook}
}

// step calls the archiving hook, if any, at step.
func (a *Archive) step(ctx context.Context, step ArchivingStep) error {
	if a.archivingHook == nil {
		return nil
	}
	return a.archivingHook(ctx, step)
}

// hookedJournal calls hook before appending an entry that archives a
// record (one with a claim used).
type hookedJournal struct {
	Journal
	hook func(context.Context, ArchivingStep) error
}

func (j hookedJournal) Append(ctx context.Context, changes ...Change) (uint64, error) {
	for _, c := range changes {
		if c.Action == ActionRefCode {
			if err := j.hook(ctx, StepJournal); err != nil {
				return 0, err
			}
			break
		}
	}
	return j.Journal.Append(ctx, changes...)
}
