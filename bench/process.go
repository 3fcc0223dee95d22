package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ReadyWait is how long a started process has to answer its readiness URL.
const ReadyWait = 30 * time.Second

// Process is a server the benchmark environment runs as a process of its own.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit, once done is closed
	log  *os.File
}

// StartProcess runs bin with args, its output in logFile, and waits until
// readyURL answers 200 (polling, with ReadyWait as the deadline). A process
// that exits or is not ready in time is reported with its log.
func StartProcess(ctx context.Context, bin string, args []string, logFile, readyURL string) (*Process, error) {
	f, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{}), log: f}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	deadline := time.Now().Add(ReadyWait)
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if resp, err := client.Get(readyURL); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			f.Close()
			log, _ := os.ReadFile(logFile)
			return nil, fmt.Errorf("%s exited at start (%v): %s", filepath.Base(bin), p.err, log)
		case <-ctx.Done():
			p.Stop(slog.Default())
			return nil, ctx.Err()
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			p.Stop(slog.Default())
			log, _ := os.ReadFile(logFile)
			return nil, fmt.Errorf("%s was not ready within %s: %s", filepath.Base(bin), ReadyWait, log)
		}
	}
}

// Stop ends the process gracefully, or kills it after a grace period.
func (p *Process) Stop(logger *slog.Logger) {
	defer p.log.Close()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		logger.Warn("a process did not stop; killing it", "pid", p.cmd.Process.Pid)
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// WriteEnv writes shell assignments, atomically so that a reader waiting for
// the file never sees half of it.
func WriteEnv(path string, vars [][2]string) error {
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "%s='%s'\n", v[0], strings.ReplaceAll(v[1], "'", `'\''`))
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// PID is the process id, e.g. for reading its memory use.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited; Err then says how. Stop may
// still be called after.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is the process's exit, once Done is closed.
func (p *Process) Err() error { return p.err }
