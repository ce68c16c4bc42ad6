package testenv

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// FileHolding returns "PATH holds SECRET" for a file under dir that holds
// one of secrets, or "" when none does. It looks again for up to five
// seconds while one does: the index drops a merged segment's files a
// moment after the merge that left them behind.
func FileHolding(dir string, secrets []string) string {
	var found string
	for range 100 {
		found = ""
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				for _, s := range secrets {
					if bytes.Contains(b, []byte(s)) {
						found = path + " holds " + s
					}
				}
			}
			return nil
		})
		if found == "" {
			return ""
		}
		time.Sleep(50 * time.Millisecond)
	}
	return found
}
