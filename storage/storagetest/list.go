package storagetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// listKeys lists and fails the test on error.
func listKeys(t *testing.T, s visitarchive.Store, prefix, after string) []string {
	t.Helper()
	keys := []string{}
	for info, err := range s.List(t.Context(), prefix, after) {
		if err != nil {
			t.Fatalf("List(%q, %q): %v", prefix, after, err)
		}
		keys = append(keys, info.Key)
	}
	return keys
}

// listFixture holds keys whose byte order differs from a naive walk of
// directories sorted by name: '-' and '.' sort before '/', so "a-b/x" and
// "a.b" come before "a/x". No key is a prefix-directory of another, which
// a file-system backend cannot store.
var listFixture = []string{
	"ab/c", "a/y/z", "b/1", "a.b", "a_", "a/x", "a0", "a-b/x",
	"records/R1/0000000001.json", "records/R1/0000000002.json",
	"records/R10/0000000001.json", "records/R2/0000000001.json",
}

func testList(t *testing.T, s visitarchive.Store) {
	for _, k := range listFixture {
		put(t, s, k, []byte("body of "+k))
	}
	for _, tt := range []struct{ prefix, after string }{
		{"", ""}, {"a", ""}, {"a/", ""}, {"a-", ""}, {"a/y/z", ""},
		{"", "a.b"}, {"a", "a/x"}, {"", "a/"}, {"", "a/y"}, {"", "a-b/x"},
		{"", "a-"}, {"", "zzz"}, {"c", ""}, {"ab/c/", ""}, {"records/", ""},
		{"records/R1", ""}, {"records/R1/", ""}, {"records/R1/", "records/R1/0000000001.json"},
		{"records/", "records/R1/"}, {"records/R", "records/R10/0000000001.json"},
		{"b/", "a"},
	} {
		got := listKeys(t, s, tt.prefix, tt.after)
		if want := expectList(listFixture, tt.prefix, tt.after); !slices.Equal(got, want) {
			t.Errorf("List(%q, %q):\n got  %q\n want %q", tt.prefix, tt.after, got, want)
		}
	}
	checkListInfo(t, s)
}

// expectList is the reference: filter by prefix and after, sort by bytes.
func expectList(keys []string, prefix, after string) []string {
	want := []string{}
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) && k > after {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	return want
}

// checkListInfo checks that List reports what Stat does.
func checkListInfo(t *testing.T, s visitarchive.Store) {
	for info, err := range s.List(t.Context(), "a", "") {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		checkInfo(t, fmt.Sprintf("List info of %s", info.Key), info, info.Key, []byte("body of "+info.Key))
	}
}

// testListStop checks that a consumer may stop early: the iterator must
// not call yield again or leak.
func testListStop(t *testing.T, s visitarchive.Store) {
	for i := range 5 {
		put(t, s, fmt.Sprintf("s/%d", i), []byte("x"))
	}
	n := 0
	for _, err := range s.List(t.Context(), "s/", "") {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("got %d items before break, want 2", n)
	}
}
