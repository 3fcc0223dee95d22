package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// errExited means a server process ended before it was ready.
var errExited = errors.New("exited")

// runServer starts bin with args, its output appended to logPath, and waits
// until url answers wantStatus within timeout. On success the process runs
// until the test's cleanup kills it; on failure it is already stopped, and an
// error wrapping errExited says it died on its own (a port taken, say).
func runServer(t testing.TB, name, bin string, args []string, logPath, url string, wantStatus int, timeout time.Duration) error {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child holds its own descriptor

	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- WaitHTTP(ctx, url, wantStatus) }()
	select {
	case err := <-ready:
		if err != nil {
			stop()
			return err
		}
	case <-exited:
		cancel()
		<-ready
		return fmt.Errorf("%s %w before it was ready: %v", name, errExited, waitErr)
	}
	t.Cleanup(stop)
	return nil
}
