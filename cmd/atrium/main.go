// Command atrium runs the Atrium integration portal.
//
//	atrium demo [--addr HOST:PORT] [--data DIR] [--log-level LEVEL]
//	                              everything in one process, no configuration
//	atrium serve --config FILE    against a real identity provider and systems
//	atrium check-config FILE      validate a configuration file
//	atrium audit verify|erase …   check the audit trail; erase a person from it
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/atrium-dev/atrium/config"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2 // bad arguments or an invalid configuration
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Atrium: one page for everything your systems know about a customer.

Usage:
  atrium demo [--addr HOST:PORT] [--data DIR] [--log-level LEVEL]
        Run the portal with an embedded identity provider and simulated
        systems holding demo data. No configuration needed. --data keeps
        the demo's data in DIR (new or empty, or an earlier demo's).
  atrium serve --config FILE
        Run the portal as FILE configures it (see atrium.example.yaml).
  atrium check-config FILE
        Validate FILE and list every problem with a fix; connect to the
        store and report a database it cannot use.
  atrium audit verify --config FILE [--checkpoints FILE]
        Check the audit trail's chain and signed checkpoints; say exactly
        where it breaks (exit 1).
  atrium audit erase --config FILE --subject SUBJECT
        Make the audit trail name nobody for SUBJECT.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "demo":
		err = runDemo(ctx, args[1:], stdout, stderr)
	case "serve":
		err = runServe(ctx, args[1:], stderr)
	case "check-config":
		err = runCheckConfig(ctx, args[1:], stdout)
	case "audit":
		err = runAudit(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "atrium: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var ps *config.Problems
	var ue usageError
	var help helpRequest
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.text)
		return exitOK
	case errors.As(err, &ps):
		fmt.Fprintln(stderr, ps.Error())
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "atrium: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "atrium: %v\n", err)
	return exitFailure
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// helpRequest is a command asked for its help (-h, --help): its usage and
// flags, printed to standard output with exit code 0.
type helpRequest struct{ text string }

func (h helpRequest) Error() string { return "help requested" }

// parseArgs parses a command's flags and wants nargs arguments after them. A
// mistake is a usageError that says what was wrong, then how to call the
// command (usage, without "usage: "); -h or --help is a helpRequest.
func parseArgs(fs *flag.FlagSet, args []string, nargs int, usage string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		var b strings.Builder
		fmt.Fprintf(&b, "usage: %s\n", usage)
		fs.SetOutput(&b)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			b.WriteString("\nflags:\n")
			fs.PrintDefaults()
		}
		fs.SetOutput(io.Discard)
		return helpRequest{b.String()}
	case err != nil:
		return usageError{fmt.Sprintf("%v\nusage: %s", err, usage)}
	case fs.NArg() > nargs:
		return usageError{fmt.Sprintf("unexpected argument %q\nusage: %s", fs.Arg(nargs), usage)}
	case fs.NArg() < nargs:
		return usageError{"usage: " + usage}
	}
	return nil
}
