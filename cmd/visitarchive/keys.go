package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/keyring"
)

// runKeys manages the key file: init creates one; rotate adds a master
// key and re-wraps every data key under it; rewrap re-wraps what is still
// under an older one; retire removes a master key nothing needs.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"init", "rotate", "rewrap", "retire"}, args[0]) {
		fmt.Fprint(stderr, keysUsage)
		return flag.ErrHelp
	}
	fs, sf := newFlags("keys "+args[0], stderr)
	who := fs.String("actor", env("VISITARCHIVE_ACTOR", env("USER", "operator")), "user name recorded in the journal (VISITARCHIVE_ACTOR)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !va.ValidUserName(*who) {
		return fmt.Errorf("--actor %q is not a valid user name", *who)
	}
	ctx = va.WithActor(ctx, va.UserName(*who))
	switch args[0] {
	case "init":
		return initKeys(sf, stdout)
	case "rotate":
		kr, err := keyring.Rotate(sf.keyPath(), time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "New master key %s is current in %s.\n", kr.Current(), sf.keyPath())
		return rewrapKeys(ctx, sf, stdout, stderr)
	case "rewrap":
		return rewrapKeys(ctx, sf, stdout, stderr)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: visitarchive keys retire [flags] MASTER-KEY-ID")
	}
	return retireKey(ctx, sf, fs.Arg(0), stdout, stderr)
}

const keysUsage = `usage: visitarchive keys <command> [flags]

  init         create a key file (refuses to overwrite one)
  rotate       add a new master key, make it current, re-wrap every data key under it
  rewrap       re-wrap the data keys still under an older master key
  retire ID    remove an old master key from the key file, once no data key needs it
`

func initKeys(sf *storeFlags, stdout io.Writer) error {
	if err := os.MkdirAll(filepath.Dir(sf.keyPath()), 0o700); err != nil {
		return err
	}
	kr, err := keyring.Init(sf.keyPath(), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created key file %s with master key %s.\nKeep a copy of it apart from the data: without it the encrypted fields cannot be read.\n", sf.keyPath(), kr.Current())
	return nil
}

func rewrapKeys(ctx context.Context, sf *storeFlags, stdout, stderr io.Writer) error {
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	n, err := c.archive.RewrapDataKeys(ctx, nil)
	if err != nil {
		return fmt.Errorf("re-wrapped %d data keys, then: %w (run 'visitarchive keys rewrap' to finish)", n, err)
	}
	fmt.Fprintf(stdout, "Re-wrapped %d data keys. Running servers take the new key within seconds; run 'visitarchive keys rewrap' once more before you retire the old one.\n", n)
	return nil
}

// retireKey removes master key id from the key file when no data key is
// wrapped under it.
func retireKey(ctx context.Context, sf *storeFlags, id string, stdout, stderr io.Writer) error {
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	counts, err := c.archive.DataKeysByMaster(ctx)
	if err != nil {
		return err
	}
	if n := counts[id]; n > 0 {
		return fmt.Errorf("%d data keys are still wrapped under master key %s; run 'visitarchive keys rewrap' first", n, id)
	}
	if _, err := keyring.Retire(sf.keyPath(), id); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Retired master key %s.\n", id)
	return nil
}
