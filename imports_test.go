package visitarchive_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// ioPackages are the standard library's packages that reach a network, a
// file or a process. The domain does no I/O: adapters in packages of their
// own do, and cmd wires them. Pure parsers (net/mail, net/url, net/netip)
// stay allowed.
var ioPackages = []string{"net", "net/http", "net/smtp", "os", "os/exec", "crypto/tls"}

// The domain must not depend on infrastructure: it imports only the
// standard library, and none of its I/O packages.
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
		if slices.Contains(ioPackages, imp) {
			t.Errorf("root package imports %s; it does no I/O: put what needs it in an adapter package", imp)
		}
	}
}
