package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/keyring"
)

func TestServeRefusesWithoutKeyFile(t *testing.T) {
	data := t.TempDir()
	_, err := cli(t, "serve", "--data", data, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "visitarchive keys init --key-file "+filepath.Join(data, "keyring.json")) {
		t.Errorf("serve without a key file: %v, want a refusal that says how to make one", err)
	}
	if _, err := os.Stat(filepath.Join(data, "store")); err == nil {
		t.Error("serve wrote a store before refusing")
	}
}

func TestKeysInitRefusesToOverwrite(t *testing.T) {
	key := filepath.Join(t.TempDir(), "new", "k.json") // the directory is made too
	mustCLI(t, "keys", "init", "--key-file", key)
	before, _ := os.ReadFile(key)
	if _, err := cli(t, "keys", "init", "--key-file", key); err == nil {
		t.Error("a second keys init succeeded")
	}
	if after, _ := os.ReadFile(key); string(after) != string(before) {
		t.Error("a second keys init changed the key file")
	}
}

// TestFirstAdminPrintedOnce starts a new archive without a preset password:
// the first start prints a random one, the next does not, and it signs in.
func TestFirstAdminPrintedOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	base, cmd, out := startServerOut(t, data, "VISITARCHIVE_ADMIN_PASSWORD=")
	pw := shownPassword(t, out.String())
	if len(pw) < 20 {
		t.Errorf("generated password %q is short", pw)
	}
	apiToken(t, base, "admin", pw)
	cmd.Process.Kill()
	cmd.Wait()
	_, _, out = startServerOut(t, data, "VISITARCHIVE_ADMIN_PASSWORD=")
	if strings.Contains(out.String(), "admin") {
		t.Errorf("second start printed %q", out.String())
	}
}

// TestUserCommands manages an account from the CLI while a server runs,
// and checks that the server follows: a disabled user's token stops
// working, roles change what they may do.
func TestUserCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data, pw := newData(t)
	base, _ := startServer(t, data)
	token := apiToken(t, base, "alice", pw)
	get := func(path string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/api/v1/users"); s != http.StatusForbidden {
		t.Errorf("employee lists users: %d, want 403", s)
	}
	mustCLI(t, "user", "roles", "--data", data, "--actor", "ops", "alice", "auditor")
	waitFor(t, func() bool { return get("/api/v1/users") == http.StatusOK }, "the server to see alice's new role")
	out := mustCLI(t, "user", "list", "--data", data)
	if !strings.Contains(out, "alice") || !strings.Contains(out, "auditor") {
		t.Errorf("user list:\n%s", out)
	}
	if out := mustCLI(t, "user", "disable", "--data", data, "--actor", "ops", "alice"); !strings.Contains(out, "1 API token(s) were revoked") {
		t.Errorf("user disable: %s", out)
	}
	waitFor(t, func() bool { return get("/api/v1/auth/me") == http.StatusUnauthorized }, "the server to refuse the disabled user")
	mustCLI(t, "user", "enable", "--data", data, "--actor", "ops", "alice")
	if out := mustCLI(t, "user", "passwd", "--data", data, "--actor", "ops", "alice"); !strings.Contains(out, "alice must change it at the next sign-in") {
		t.Errorf("user passwd: %s", out)
	}
	if _, err := cli(t, "user", "add", "--data", data, "--actor", "ops", "eve", "sysadmin,auditor"); err == nil ||
		!strings.Contains(err.Error(), "separation of duties") {
		t.Errorf("sysadmin and auditor in one account: %v", err)
	}
	// Flags may follow the arguments, as the README writes them.
	mustCLI(t, "user", "add", "--data", data, "sam", "supervisor", "--department", "sales1", "--heads", "sales1",
		"--email", "sam@visit.example", "--actor", "ops")
	out = mustCLI(t, "user", "list", "--data", data)
	if !strings.Contains(out, "sam") || !strings.Contains(out, "supervisor") {
		t.Errorf("user list after adding sam:\n%s", out)
	}
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for range 100 {
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestKeyRotationCommands: a master key with data keys under it cannot be
// retired until they are re-wrapped; after that the records still open.
func TestKeyRotationCommands(t *testing.T) {
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	key := filepath.Join(data, "keyring.json")
	before, err := keyring.Load(key)
	if err != nil {
		t.Fatal(err)
	}
	old := before.Current()
	cli(t, "import", "--data", data, "--actor", "carol", writeImport(t)) // records with phone numbers
	if _, err := keyring.Rotate(key, time.Now()); err != nil {           // as if rewrap never ran
		t.Fatal(err)
	}
	_, err = cli(t, "keys", "retire", "--data", data, old)
	if err == nil || !strings.Contains(err.Error(), "data keys are still wrapped under master key "+old) {
		t.Fatalf("retire of a key in use: %v", err)
	}
	out := mustCLI(t, "keys", "rewrap", "--data", data)
	if !strings.Contains(out, "Re-wrapped 2 data keys") {
		t.Errorf("rewrap: %s", out)
	}
	mustCLI(t, "keys", "retire", "--data", data, old)
	mustCLI(t, "keys", "rotate", "--data", data)
	if out := mustCLI(t, "verify", "--data", data); !strings.Contains(out, "0 problem(s)") {
		t.Errorf("verify after rotations: %s", out)
	}
	c, err := (&storeFlags{data: data, storage: "disk", logFormat: "text", logLevel: "error"}).openBeside(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.archive.GetRecord(va.WithActor(t.Context(), "test"), "R1")
	if err != nil || r.ContactPhone != "+1 555 0100" {
		t.Errorf("record after rotation and retirement: %+v, %v", r, err)
	}
}

// TestDottedNamesInTheCLI: first.last is a user name for the commands
// too, as the account added and as the operator (--actor, which defaults
// to $USER).
func TestDottedNamesInTheCLI(t *testing.T) {
	data := t.TempDir()
	mustCLI(t, "keys", "init", "--data", data)
	mustCLI(t, "user", "dept", "--data", data, "--actor", "first.last", "sales1", "Sales 1")
	mustCLI(t, "user", "add", "--data", data, "--actor", "first.last", "--department", "sales1", "li.wei", "employee")
	if out := mustCLI(t, "user", "list", "--data", data); !strings.Contains(out, "li.wei") {
		t.Errorf("user list:\n%s", out)
	}
	if _, err := cli(t, "user", "add", "--data", data, "--actor", "first..last", "kim", "marketing"); err == nil ||
		!strings.Contains(err.Error(), "--actor") {
		t.Errorf("--actor first..last: %v", err)
	}
}
