package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/keyring"
)

// runKeys manages the key file: init creates one, rotate adds a master key
// and re-wraps every data key under it.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "init" && args[0] != "rotate") {
		fmt.Fprintln(stderr, "usage: visitarchive keys init|rotate [flags]\n\n  init    create a key file (refuses to overwrite one)\n  rotate  add a new master key and re-wrap every data key under it")
		return flag.ErrHelp
	}
	fs, sf := newFlags("keys "+args[0], stderr)
	who := fs.String("actor", env("VISITARCHIVE_ACTOR", env("USER", "operator")), "user name recorded in the journal (VISITARCHIVE_ACTOR)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "init" {
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
	return rotateKeys(ctx, sf, *who, stdout, stderr)
}

func rotateKeys(ctx context.Context, sf *storeFlags, who string, stdout, stderr io.Writer) error {
	if !va.ValidID(who) {
		return fmt.Errorf("--actor %q is not a valid user name", who)
	}
	kr, err := keyring.Rotate(sf.keyPath(), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "New master key %s is current in %s.\n", kr.Current(), sf.keyPath())
	c, err := sf.openBeside(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	n, err := c.archive.RewrapDataKeys(va.WithActor(ctx, va.UserName(who)), nil)
	if err != nil {
		return fmt.Errorf("re-wrapped %d data keys, then: %w (run 'visitarchive keys rotate' again to finish)", n, err)
	}
	fmt.Fprintf(stdout, "Re-wrapped %d data keys. Restart running servers so that they load the new key.\n", n)
	return nil
}
