package visitarchive

import "strconv"

// The points of a destruction at which a test stops the process (kill -9)
// to check that the next Open completes it (cmd/visitarchive's crash
// tests). Config.DestructionHook, nil in production, is called at each
// with the point's name:
//
//	destroy.after-intent    the intent journaled, nothing removed yet
//	destroy.after-record:N  N records' objects and data keys removed
//	destroy.before-index    every object removed, the index not purged
//	destroy.before-done     the index purged, no register yet
//	destroy.before-list     the destruction ended, its list not executed
const (
	pointAfterIntent = "destroy.after-intent"
	pointBeforeIndex = "destroy.before-index"
	pointBeforeDone  = "destroy.before-done"
	pointBeforeList  = "destroy.before-list"
)

// pointAfterRecord is the point after the n-th record of a destruction.
func pointAfterRecord(n int) string { return "destroy.after-record:" + strconv.Itoa(n) }

// destructionPoint tells the hook, if any, that a destruction reached
// point.
func (a *Archive) destructionPoint(point string) {
	if a.destructionHook != nil {
		a.destructionHook(point)
	}
}
