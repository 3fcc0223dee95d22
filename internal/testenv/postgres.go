package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// postgresBin is where Debian's postgresql package puts the server binaries.
const postgresBin = "/usr/lib/postgresql/15/bin"

// postgresStartTimeout bounds initdb plus the start of the server; about 3 s
// is usual.
const postgresStartTimeout = 60 * time.Second

// Postgres is a PostgreSQL server started for one test.
type Postgres struct {
	// DSN connects as the superuser postgres, without password, to the database
	// postgres: postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable.
	DSN  string
	Port int
}

// StartPostgres runs Debian's PostgreSQL 15 in a fresh cluster on a free
// loopback port, with durability turned off for speed, and stops it when the
// test ends. Missing binaries fail the test with the command that installs
// them: tests never skip.
//
// initdb refuses to run as root, so as root the cluster belongs to the
// postgres user and every command runs through runuser.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	initdb, pgCtl := filepath.Join(postgresBin, "initdb"), filepath.Join(postgresBin, "pg_ctl")
	for _, bin := range []string{initdb, pgCtl} {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("testenv: PostgreSQL 15 not found (%v): run scripts/install-test-deps.sh (it installs Debian's postgresql)", err)
		}
	}
	run, err := postgresRunner()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	// Not t.TempDir: the postgres user must be able to reach the folder, and
	// the test's temporary folders are private to root.
	dir, err := os.MkdirTemp("", "atrium-pg-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := run.own(dir); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	data := filepath.Join(dir, "data")

	ctx, cancel := context.WithTimeout(context.Background(), postgresStartTimeout)
	defer cancel()
	if out, err := run.command(ctx, initdb, "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		logPath := filepath.Join(dir, fmt.Sprintf("postgres-%d.log", attempt))
		opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, dir)
		out, err := run.command(ctx, pgCtl, "-D", data, "-l", logPath, "-o", opts,
			"-w", "-t", strconv.Itoa(int(postgresStartTimeout/time.Second)), "start").CombinedOutput()
		if err == nil {
			err = waitTCP(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		}
		if err == nil {
			t.Cleanup(func() {
				stop, cancel := context.WithTimeout(context.Background(), postgresStartTimeout)
				defer cancel()
				if out, err := run.command(stop, pgCtl, "-D", data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
					t.Errorf("testenv: stop postgres: %v\n%s", err, out)
				}
			})
			return &Postgres{
				DSN:  fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
				Port: port,
			}
		}
		lastErr = fmt.Errorf("%w\n%s%s", err, out, tail(logPath, 20))
		if ctx.Err() != nil {
			break
		}
	}
	t.Fatalf("testenv: postgres did not start: %v", lastErr)
	return nil
}

// pgRunner runs the server's commands as the postgres user when the
// test runs as root, as the test's own user otherwise.
type pgRunner struct {
	asPostgres bool
	uid, gid   int
}

func postgresRunner() (pgRunner, error) {
	if os.Geteuid() != 0 {
		return pgRunner{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return pgRunner{}, fmt.Errorf("no postgres user to run PostgreSQL as (%v): run scripts/install-test-deps.sh (it installs Debian's postgresql)", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return pgRunner{}, fmt.Errorf("postgres user has ids %q, %q", u.Uid, u.Gid)
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return pgRunner{}, fmt.Errorf("runuser not found: %v", err)
	}
	return pgRunner{asPostgres: true, uid: uid, gid: gid}, nil
}

func (r pgRunner) own(dir string) error {
	if !r.asPostgres {
		return nil
	}
	return os.Chown(dir, r.uid, r.gid)
}

func (r pgRunner) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	if r.asPostgres {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.CommandContext(ctx, bin, args...)
}

// waitTCP answers nil once addr accepts a connection.
func waitTCP(ctx context.Context, addr string) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nothing accepts connections at %s: %v", addr, err)
		case <-ticker.C:
		}
	}
}
