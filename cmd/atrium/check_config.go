package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"

	"github.com/atrium-dev/atrium/config"
)

func runCheckConfig(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("check-config", flag.ContinueOnError)
	if err := parseArgs(flags, args, 1, "atrium check-config FILE"); err != nil {
		return err
	}
	path := flags.Arg(0)
	l, err := loadConfig(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: OK (%d source(s); portal at %s, identity provider %s)\n",
		path, len(l.Sources), l.Server.PublicURL, l.Auth.Issuer)
	return nil
}

// loadConfig loads the configuration file named on the command line. A file that
// cannot be read is a mistake in the command line, reported like one (exit code 2),
// not a failure of Atrium.
func loadConfig(path string) (*config.Loaded, error) {
	l, err := config.LoadFile(path, registry(), nil)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		hint := "check the path and that Atrium's user may read the file"
		if errors.Is(err, fs.ErrNotExist) {
			hint = "check the path; atrium.example.yaml is a complete example to start from"
		}
		return nil, usageError{fmt.Sprintf("cannot read configuration file %s: %v\n    fix: %s", path, pe.Err, hint)}
	}
	return l, err
}
