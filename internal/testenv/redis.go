package testenv

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Redis is a redis-server started for one test.
type Redis struct {
	Addr string // 127.0.0.1:PORT
	URL  string // redis://127.0.0.1:PORT/0

	t    testing.TB
	bin  string
	dir  string
	port int

	mu      sync.Mutex
	proc    *exec.Cmd
	exited  chan struct{}
	started int // processes started, to name their log files
}

// StartRedis runs Debian's redis-server on a free loopback port, in memory
// only, and stops it when the test ends. A missing redis-server fails the test
// with the command that installs it: tests never skip.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("testenv: redis-server not found: run scripts/install-test-deps.sh (it installs Debian's redis-server)")
	}
	r := &Redis{t: t, bin: bin, dir: t.TempDir()}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		r.port = FreePort(t)
		if lastErr = r.start(); lastErr == nil {
			r.Addr = "127.0.0.1:" + strconv.Itoa(r.port)
			r.URL = "redis://" + r.Addr + "/0"
			t.Cleanup(r.stop)
			return r
		}
	}
	t.Fatalf("testenv: redis-server did not start: %v", lastErr)
	return nil
}

// Stop kills the server, as a crash or a lost network would: clients see
// their connections reset and new ones refused, until Restart.
func (r *Redis) Stop() {
	r.t.Helper()
	r.stop()
}

// Restart starts the server again on the same port, empty, and waits until it
// answers. The server must be stopped.
func (r *Redis) Restart() {
	r.t.Helper()
	r.mu.Lock()
	running := r.proc != nil
	r.mu.Unlock()
	if running {
		r.t.Fatal("testenv: Redis.Restart: the server is running; Stop it first")
	}
	if err := r.start(); err != nil {
		r.t.Fatalf("testenv: redis-server did not start again on %d: %v", r.port, err)
	}
}

// start runs redis-server on r.port and waits for its PONG.
func (r *Redis) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	logPath := filepath.Join(r.dir, fmt.Sprintf("redis-%d.log", r.started))
	r.started++
	addr := "127.0.0.1:" + strconv.Itoa(r.port)
	cmd := exec.Command(r.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--dir", r.dir,
		"--save", "", "--appendonly", "no", "--logfile", logPath)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	err := waitRedis(ctx, addr, exited)
	cancel()
	if err != nil {
		_ = cmd.Process.Kill()
		<-exited
		if b, rerr := os.ReadFile(logPath); rerr == nil {
			err = fmt.Errorf("%w\n%s", err, b)
		}
		return err
	}
	r.proc, r.exited = cmd, exited
	return nil
}

// stop kills the running server, if any, and waits for it to exit.
func (r *Redis) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc == nil {
		return
	}
	_ = r.proc.Process.Kill()
	<-r.exited
	r.proc, r.exited = nil, nil
}

// waitRedis answers nil once addr replies PONG to PING.
func waitRedis(ctx context.Context, addr string, exited <-chan struct{}) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var last error
	for {
		if last = ping(addr); last == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited: %v", last)
		case <-ctx.Done():
			return fmt.Errorf("no PONG from %s: %v", addr, last)
		case <-ticker.C:
		}
	}
}

func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("answer %q", line)
	}
	return nil
}
