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
	"testing"
	"time"
)

// Redis is a redis-server started for one test.
type Redis struct {
	Addr string // 127.0.0.1:PORT
	URL  string // redis://127.0.0.1:PORT/0
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
	dir := t.TempDir()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		addr := "127.0.0.1:" + strconv.Itoa(port)
		logPath := filepath.Join(dir, fmt.Sprintf("redis-%d.log", attempt))
		cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
			"--save", "", "--appendonly", "no", "--logfile", logPath)
		if err := cmd.Start(); err != nil {
			t.Fatalf("testenv: start redis-server: %v", err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		lastErr = waitRedis(ctx, addr, done)
		cancel()
		if lastErr == nil {
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-done
			})
			return &Redis{Addr: addr, URL: "redis://" + addr + "/0"}
		}
		_ = cmd.Process.Kill()
		<-done
		if b, err := os.ReadFile(logPath); err == nil {
			lastErr = fmt.Errorf("%w\n%s", lastErr, b)
		}
	}
	t.Fatalf("testenv: redis-server did not start: %v", lastErr)
	return nil
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
