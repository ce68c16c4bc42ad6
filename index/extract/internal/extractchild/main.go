// Command extractchild is extract.ChildMain alone: the tests of package
// extract build it without the race detector and start it as the child,
// as the server starts `visitarchive extract-child`.
package main

import (
	"os"

	"github.com/visitarchive/visitarchive/index/extract"
)

func main() {
	os.Exit(extract.ChildMain(os.Args[1:]))
}
