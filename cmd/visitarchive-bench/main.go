// Command visitarchive-bench measures the archive against the budgets of
// issue 2: bulk import, search latency, reindex time and peak memory, on
// the disk backend and on MinIO, beside Bleve alone with the same mapping.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	n := flag.Int("n", 100000, "records in the corpus")
	seed := flag.Uint64("seed", 1, "seed of the corpus and the query set")
	flag.Parse()
	if err := newGenerator(*seed, *n).WriteCorpus(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
