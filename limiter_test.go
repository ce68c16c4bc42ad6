package visitarchive

import (
	"fmt"
	"testing"
	"time"
)

// TestLimiterTableBounded: the limiter keeps at most maxKeys names and
// addresses; the oldest below their limit make room, a blocked one stays
// blocked, and keys leave with their window.
func TestLimiterTableBounded(t *testing.T) {
	l := &loginLimiter{maxKeys: 100}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for range maxUserFailures {
		l.reserve("victim", "10.0.0.1", now) // failures: kept
	}
	if _, wait := l.reserve("victim", "10.0.0.2", now); wait == 0 {
		t.Fatal("the victim is not blocked after 5 failures")
	}
	for i := range 1000 {
		now = now.Add(time.Millisecond)
		if _, wait := l.reserve(UserName(fmt.Sprintf("u%d", i)), fmt.Sprintf("10.1.%d.%d", i/256, i%256), now); wait > 0 {
			t.Fatalf("attempt %d waits %v", i, wait)
		}
		if n := l.size(); n > 100 {
			t.Fatalf("%d keys after %d attempts, want at most 100", n, i+1)
		}
	}
	if _, wait := l.reserve("victim", "10.0.0.3", now); wait == 0 {
		t.Error("the victim is no longer blocked after a thousand other names")
	}
	now = now.Add(failWindow)
	if _, wait := l.reserve("victim", "10.0.0.3", now); wait > 0 {
		t.Errorf("the victim still waits %v after the window", wait)
	}
	if n := l.size(); n != 2 {
		t.Errorf("%d keys a window later, want the 2 of the last attempt", n)
	}
}

// TestLimiterCountsFailuresOnly: successes and attempts whose password
// was not checked give their places back.
func TestLimiterCountsFailuresOnly(t *testing.T) {
	var l loginLimiter
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 * maxAddrFailures {
		a, wait := l.reserve(UserName(fmt.Sprintf("u%d", i%3)), "10.0.0.1", now)
		if wait > 0 {
			t.Fatalf("attempt %d waits %v", i, wait)
		}
		if i%2 == 0 {
			l.succeeded(a)
		} else {
			l.cancel(a)
		}
	}
	if n := l.size(); n != 0 {
		t.Errorf("%d keys after successes and unchecked attempts only, want 0", n)
	}
}
