package main

import (
	"context"
	"fmt"
	"os"

	va "github.com/visitarchive/visitarchive"
)

// crashArchivingEnv names a step of archiving (va.ArchivingStep) at which
// the process stops, for a test to kill it there with SIGKILL. Only tests
// set it; without it archiving has no hook at all.
const crashArchivingEnv = "VISITARCHIVE_TEST_CRASH_ARCHIVING"

// crashMark is what the process writes to stderr when an archiving
// reaches the step, before it waits for its end.
const crashMark = "test crash point reached: archiving "

// archivingCrashHook returns the hook that holds every archiving that
// reaches the step crashArchivingEnv names, forever, or nil.
func archivingCrashHook() func(context.Context, va.ArchivingStep) error {
	at := va.ArchivingStep(os.Getenv(crashArchivingEnv))
	if at == "" {
		return nil
	}
	return func(_ context.Context, step va.ArchivingStep) error {
		if step == at {
			fmt.Fprintln(os.Stderr, crashMark+string(step))
			select {} // until killed
		}
		return nil
	}
}
