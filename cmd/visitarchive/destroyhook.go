package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// crashAtEnv names, for tests only, a point of a destruction at which the
// process stops (see va.Config.DestructionHook): it prints crashLine and
// the point to stdout and blocks, and the test kills it with SIGKILL.
// Unset, as in production, nothing is hooked.
const crashAtEnv = "VISITARCHIVE_TEST_CRASH_AT"

// crashLine starts the line a process stopped at a crash point prints.
const crashLine = "CRASH POINT REACHED:"

// destructionHook returns the hook that stops the process at the
// destruction point crashAtEnv names, or nil.
func destructionHook() func(point string) {
	at := os.Getenv(crashAtEnv)
	if !strings.HasPrefix(at, "destroy.") {
		return nil
	}
	return func(point string) {
		if point != at {
			return
		}
		fmt.Fprintln(os.Stdout, crashLine, point)
		for { // until the test kills the process
			time.Sleep(time.Hour)
		}
	}
}
