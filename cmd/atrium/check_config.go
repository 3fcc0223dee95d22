package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/atrium-dev/atrium/config"
)

func runCheckConfig(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return usageError{"usage: atrium check-config FILE"}
	}
	path := fs.Arg(0)
	l, err := config.LoadFile(path, registry(), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: OK (%d source(s); portal at %s, identity provider %s)\n",
		path, len(l.Sources), l.Server.PublicURL, l.Auth.Issuer)
	return nil
}
