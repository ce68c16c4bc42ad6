package storage

import "os"

// SyncDir fsyncs a directory so that the entries created, renamed, linked
// or removed in it survive a crash; the disk backend and the key file both
// need it.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
