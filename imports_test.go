package visitarchive_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain must not depend on infrastructure: it imports only the
// standard library.
func TestRootImportsOnlyStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(imp, "/")
		if strings.Contains(first, ".") {
			t.Errorf("root package imports %s; it may import only the standard library", imp)
		}
	}
}
