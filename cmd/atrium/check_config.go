package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/atrium-dev/atrium/config"
	"github.com/atrium-dev/atrium/store"
)

// storeCheckTimeout bounds check-config's look at the store.
const storeCheckTimeout = 15 * time.Second

func runCheckConfig(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("check-config", flag.ContinueOnError)
	if err := parseArgs(flags, args, 1, "atrium check-config FILE"); err != nil {
		return err
	}
	path := flags.Arg(0)
	l, err := loadConfig(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeCheckTimeout)
	defer cancel()
	if err := store.Check(ctx, l.Store); err != nil {
		return &config.Problems{File: path, List: []config.Problem{storeProblem(l.Store, err)}}
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

// storeProblem says what check-config found wrong with the store, at the key
// that names the database. The DSN itself is never repeated.
func storeProblem(c config.Store, err error) config.Problem {
	key := "store.path"
	if c.Driver == config.DriverPostgres {
		key = "store.dsn"
		switch {
		case c.DSNFile != "":
			key = "store.dsn_file"
		case c.DSNEnv != "":
			key = "store.dsn_env"
		}
	}
	var newer *store.SchemaNewerError
	if errors.As(err, &newer) {
		return config.Problem{Path: key,
			Message: fmt.Sprintf("the database has schema version %d, newer than this Atrium knows (%d)", newer.Schema, newer.Binary),
			Hint:    "run the Atrium release that migrated it, or a newer one; or restore a backup taken before that upgrade"}
	}
	if c.Driver == config.DriverPostgres {
		return config.Problem{Path: key, Message: "cannot use the database: " + err.Error(),
			Hint: "check that PostgreSQL answers at the DSN's host and port, and that its user, password and database are right"}
	}
	return config.Problem{Path: key, Message: "cannot use the database: " + err.Error(),
		Hint: "name the database file of an earlier Atrium, or a new file"}
}
