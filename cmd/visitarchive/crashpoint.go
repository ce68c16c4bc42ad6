package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	va "github.com/visitarchive/visitarchive"
)

// crashAtEnv names, for tests only, a point at which the process stops:
// a point of a destruction (destroy.…, see va.Config.DestructionHook) or
// a step of archiving (archiving.<step>, see va.Config.ArchivingHook).
// There the process prints crashLine and the point to stdout and blocks,
// and the test kills it with SIGKILL. Unset, as in production, nothing is
// hooked.
const crashAtEnv = "VISITARCHIVE_TEST_CRASH_AT"

// crashLine starts the line a process stopped at a crash point prints.
const crashLine = "CRASH POINT REACHED:"

// crashPoint returns the function that stops the process at the point
// crashAtEnv names when that point starts with prefix, or nil.
func crashPoint(prefix string) func(point string) {
	at := os.Getenv(crashAtEnv)
	if !strings.HasPrefix(at, prefix) {
		return nil
	}
	return func(point string) {
		if point == at {
			fmt.Fprintln(os.Stdout, crashLine, point)
			select {} // until the test kills the process
		}
	}
}

// destructionHook stops the process at a destruction point, or is nil.
func destructionHook() func(point string) { return crashPoint("destroy.") }

// archivingCrashHook stops every archiving that reaches the step
// archiving.<step> names, or is nil.
func archivingCrashHook() func(context.Context, va.ArchivingStep) error {
	stop := crashPoint("archiving.")
	if stop == nil {
		return nil
	}
	return func(_ context.Context, step va.ArchivingStep) error {
		stop("archiving." + string(step))
		return nil
	}
}
