package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The verification of the journal's chain, for auditors. It reads and
// hashes every object of the store, which takes minutes on a large
// archive, longer than a request may: an auditor starts it (POST), it
// runs in the background, one at a time in this server, and the page
// shows its progress (the entries checked so far, reloading itself)
// and, once it ends, its result, until the next one. The result is that
// of this server since it started: kept in memory, not in the store
// (visitarchive verify, the command, is the record an operator keeps).
// The Archive checks that the caller may verify (Archive.VerifyChain),
// as it does for every other read of the journal.

// verifier runs the verifications of a Web.
type verifier struct {
	stop context.Context // ends with Close: a running verification stops
	end  context.CancelFunc
	wg   sync.WaitGroup

	mu   sync.Mutex
	last *verification // the one running, or the last one; nil before the first
}

// verification is one run.
type verification struct {
	by      visitarchive.UserName
	started time.Time
	entries atomic.Uint64 // checked so far

	// Set when it ends, under verifier.mu.
	finished time.Time
	report   *visitarchive.ChainReport
	err      error
}

func newVerifier() *verifier {
	v := &verifier{}
	v.stop, v.end = context.WithCancel(context.Background())
	return v
}

// start starts a verification for the caller in ctx unless one runs;
// it reports whether it started one.
func (v *verifier) start(ctx context.Context, a *visitarchive.Archive) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.last != nil && v.last.finished.IsZero() {
		return false
	}
	run := &verification{by: visitarchive.ActorFrom(ctx), started: time.Now()}
	v.last = run
	// The caller's identity outlives the request; the request's deadline
	// does not.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(v.stop, cancel)
	v.wg.Go(func() {
		defer stop()
		defer cancel()
		rep, err := a.VerifyChain(ctx, func(n uint64) { run.entries.Store(n) })
		v.mu.Lock()
		defer v.mu.Unlock()
		run.finished, run.report, run.err = time.Now(), rep, err
	})
	return true
}

// Close stops a running verification and waits for it to end.
func (v *verifier) Close() {
	v.end()
	v.wg.Wait()
}

// verifyView is the content of the verification page.
type verifyView struct {
	Tabs     []tab
	Ran      bool // a verification ran or runs
	Running  bool
	By       visitarchive.UserName
	Started  time.Time
	Finished time.Time
	Took     string
	Entries  uint64 // checked so far, while it runs
	Report   *visitarchive.ChainReport
	Problems []visitarchive.ChainProblem // the first maxProblems
	More     int                         // problems beyond them
	Error    string
	Refresh  int // seconds between reloads while it runs
}

// maxProblems is how many problems the page lists; a damaged store may
// have thousands, which the command lists in full.
const maxProblems = 200

// verifyRefresh is how often, in seconds, the page reloads while a
// verification runs.
const verifyRefresh = 3

func (w *Web) verification(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermRead, visitarchive.KindJournal); err != nil {
		return err
	}
	v := verifyView{Tabs: w.tabsOf(c, r, auditTabs), Refresh: verifyRefresh}
	w.verify.mu.Lock()
	if run := w.verify.last; run != nil {
		v.Ran, v.Running, v.By, v.Started, v.Entries = true, run.finished.IsZero(), run.by, run.started, run.entries.Load()
		v.Finished, v.Report = run.finished, run.report
		if run.err != nil {
			v.Error = errorText(r.Lang, run.err)
		}
	}
	w.verify.mu.Unlock()
	if !v.Running && v.Ran {
		v.Took = v.Finished.Sub(v.Started).Round(time.Millisecond).String()
	}
	if v.Report != nil {
		v.Problems = v.Report.Problems[:min(len(v.Report.Problems), maxProblems)]
		v.More = len(v.Report.Problems) - len(v.Problems)
	}
	return w.render(c, r, "audit-verify", msg("Verification"), v)
}

// startVerification starts a verification, unless one runs, and shows
// the page of its progress.
func (w *Web) startVerification(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermRead, visitarchive.KindJournal); err != nil {
		return err
	}
	if !w.verify.start(c.UserContext(), w.archive) {
		w.flash(c, flashVerifyRunning)
	} else {
		w.flash(c, flashVerifyStarted)
	}
	return redirect(c, "/audit/verify")
}

// Close stops the pages' background work (a verification running) and
// waits for it; the server calls it when it shuts down.
func (w *Web) Close() { w.verify.Close() }
