package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader in different goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runWithin runs the binary's run with args and fails the test if it has not
// returned within limit: a command that should fail must fail promptly, not listen.
func runWithin(t *testing.T, limit time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, &out, &errOut) }()
	select {
	case code = <-done:
	case <-time.After(limit):
		t.Fatalf("atrium %s did not return within %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), limit, out.String(), errOut.String())
	}
	return code, out.String(), errOut.String()
}

// writeRSAKey writes a PKCS #8 PEM private key, like the one a Salesforce
// connected app's certificate belongs to.
func writeRSAKey(t *testing.T, dir string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "salesforce.key")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// exampleConfig copies atrium.example.yaml into dir with its file paths pointing
// at files that exist, and sets the environment variables it references.
func exampleConfig(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile("../../atrium.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	secret := writeFile(t, filepath.Join(dir, "session-secret"), strings.Repeat("s", 48)+"\n")
	key := writeRSAKey(t, dir)
	for old, repl := range map[string]string{
		"/etc/atrium/session-secret": secret,
		"/etc/atrium/salesforce.key": key,
		"/var/lib/atrium/atrium.db":  filepath.Join(dir, "atrium.db"),
	} {
		if !strings.Contains(doc, old) {
			t.Fatalf("atrium.example.yaml no longer mentions %s; update this test", old)
		}
		doc = strings.ReplaceAll(doc, old, repl)
	}
	t.Setenv("ATRIUM_OIDC_CLIENT_SECRET", "oidc-client-secret")
	t.Setenv("SALESFORCE_CONSUMER_KEY", "3MVG9-consumer-key")
	return writeFile(t, filepath.Join(dir, "atrium.yaml"), doc)
}

// brokenConfig has one problem of each kind; its line numbers are asserted below.
const brokenConfig = `# Several mistakes at once.
server:
  addr: %q
  public_url: atrium.example.com
  sesion_ttl: 8h
auth:
  client_id: atrium
  client_secret: ${ATRIUM_TEST_UNSET_SECRET}
store:
  path: %q
sources:
  - name: salesforce
    type: salesforce
    settings:
      flow: jwt
      username: integration@example.com
      private_key_file: %q
  - name: billing
    type: zendesk
`

// wantProblem is one problem check-config must report: on its line, with the key's
// path, what is wrong, and a fix on the line below.
type wantProblem struct {
	line    int
	path    string
	message string
	fix     string
}

var brokenProblems = []wantProblem{
	{4, "server.public_url", `"atrium.example.com" must start with http:// or https://`, "write an absolute http(s) URL"},
	{5, "server.sesion_ttl", `unknown key "sesion_ttl"`, `did you mean "session_ttl"?`},
	{7, "auth.issuer", "is required", "issuer URL"},
	{8, "auth.client_secret", "environment variable ATRIUM_TEST_UNSET_SECRET is not set", "export ATRIUM_TEST_UNSET_SECRET"},
	{15, "sources[0].settings.client_id", "is required", "consumer key"},
	{19, "sources[1].type", `unknown type "zendesk"`, "salesforce"},
}

func assertProblems(t *testing.T, stderr string, want []wantProblem) {
	t.Helper()
	if !strings.Contains(stderr, fmt.Sprintf("%d problem(s)", len(want))) {
		t.Errorf("stderr does not report exactly %d problems:\n%s", len(want), stderr)
	}
	lines := strings.Split(stderr, "\n")
	for _, w := range want {
		prefix := fmt.Sprintf("line %d:", w.line)
		found := false
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, prefix) || !strings.Contains(l, w.path+": "+w.message) {
				continue
			}
			found = true
			if i+1 >= len(lines) {
				t.Errorf("%s %s: no fix line follows", prefix, w.path)
				break
			}
			if fix := strings.TrimSpace(lines[i+1]); !strings.HasPrefix(fix, "fix: ") || !strings.Contains(fix, w.fix) {
				t.Errorf("%s %s: next line %q, want a fix: mentioning %q", prefix, w.path, fix, w.fix)
			}
			break
		}
		if !found {
			t.Errorf("stderr lacks %q at %s\n%s", w.path+": "+w.message, prefix, stderr)
		}
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	example := exampleConfig(t, dir)
	t.Setenv("ATRIUM_TEST_UNSET_SECRET", "")
	os.Unsetenv("ATRIUM_TEST_UNSET_SECRET") // restored by t.Setenv's cleanup

	// held is an address already taken, so a command that tried to listen on it
	// would fail in a way the tests can tell apart.
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldAddr := held.Addr().String()

	broken := writeFile(t, filepath.Join(dir, "broken.yaml"),
		fmt.Sprintf(brokenConfig, heldAddr, filepath.Join(dir, "broken.db"), writeRSAKey(t, dir)))
	missing := filepath.Join(dir, "does-not-exist.yaml")

	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string // each must appear
		stderr     []string // each must appear
		stderrNot  []string // none may appear
		checkPrint func(t *testing.T, stderr string)
	}{
		{
			name:   "check-config accepts the example",
			args:   []string{"check-config", example},
			code:   exitOK,
			stdout: []string{example + ": OK", "1 source(s)", "https://atrium.example.com", "https://login.example.com/realms/staff"},
		},
		{
			name:       "check-config lists every problem with its line and a fix",
			args:       []string{"check-config", broken},
			code:       exitUsage,
			stderr:     []string{broken + ": "},
			checkPrint: func(t *testing.T, stderr string) { assertProblems(t, stderr, brokenProblems) },
		},
		{
			name:   "check-config on a missing file names it",
			args:   []string{"check-config", missing},
			code:   exitUsage,
			stderr: []string{"cannot read configuration file " + missing, "no such file or directory", "fix: "},
		},
		{
			name:   "check-config without a file",
			args:   []string{"check-config"},
			code:   exitUsage,
			stderr: []string{"usage: atrium check-config FILE"},
		},
		{
			name:      "serve with an invalid configuration does not listen",
			args:      []string{"serve", "--config", broken},
			code:      exitUsage,
			stderr:    []string{"6 problem(s)", `unknown key "sesion_ttl"`},
			stderrNot: []string{"listen"},
		},
		{
			name:   "serve on a missing file names it",
			args:   []string{"serve", "--config", missing},
			code:   exitUsage,
			stderr: []string{"cannot read configuration file " + missing},
		},
		{
			name:   "serve without --config",
			args:   []string{"serve"},
			code:   exitUsage,
			stderr: []string{"usage: atrium serve --config FILE"},
		},
		{
			name:   "serve with a mistyped flag names it",
			args:   []string{"serve", "--confg", example},
			code:   exitUsage,
			stderr: []string{"-confg", "usage: atrium serve --config FILE"},
		},
		{
			name:   "unknown command",
			args:   []string{"frobnicate"},
			code:   exitUsage,
			stderr: []string{`unknown command "frobnicate"`, "Usage:", "atrium check-config FILE"},
		},
		{
			name:   "no command",
			args:   nil,
			code:   exitUsage,
			stderr: []string{"Usage:", "atrium demo"},
		},
		{
			name:   "help",
			args:   []string{"help"},
			code:   exitOK,
			stdout: []string{"Usage:", "atrium demo", "atrium serve --config FILE", "atrium check-config FILE"},
		},
		{
			name:   "demo --help prints its usage and flags",
			args:   []string{"demo", "--help"},
			code:   exitOK,
			stdout: []string{"usage: atrium demo", "-addr", "-data", "-log-level"},
		},
		{
			name:   "serve -h prints its usage",
			args:   []string{"serve", "-h"},
			code:   exitOK,
			stdout: []string{"usage: atrium serve --config FILE", "-config"},
		},
		{
			name:   "check-config --help prints its usage",
			args:   []string{"check-config", "--help"},
			code:   exitOK,
			stdout: []string{"usage: atrium check-config FILE"},
		},
		{
			name:   "demo on a taken address",
			args:   []string{"demo", "--addr", heldAddr},
			code:   exitFailure,
			stderr: []string{"cannot listen on " + heldAddr, "--addr"},
		},
		{
			name:   "demo with a stray argument",
			args:   []string{"demo", "extra"},
			code:   exitUsage,
			stderr: []string{`unexpected argument "extra"`, "usage: atrium demo"},
		},
		{
			name:   "demo with --data naming a file",
			args:   []string{"demo", "--addr", "127.0.0.1:0", "--data", example},
			code:   exitUsage,
			stderr: []string{"--data " + example, "fix: "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runWithin(t, 10*time.Second, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tt.stderrNot {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, stderr)
				}
			}
			if tt.checkPrint != nil {
				tt.checkPrint(t, stderr)
			}
		})
	}
}

func TestDemoStartsAndStops(t *testing.T) {
	data := t.TempDir()
	t.Run("first run", func(t *testing.T) { demoStartsAndStops(t, data) })
	// A --data folder from an earlier run is reused, not refused or overwritten.
	erpDB := filepath.Join(data, "erp.db")
	before, err := os.Stat(erpDB)
	if err != nil {
		t.Fatalf("the first run left no ERP database: %v", err)
	}
	t.Run("again with the same data folder", func(t *testing.T) { demoStartsAndStops(t, data) })
	after, err := os.Stat(erpDB)
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the ERP database of the first run was replaced or written: %v", err)
	}
}

// A --data folder holding anything but an earlier demo's files is refused
// before the demo writes a file there: it may be a real installation's.
func TestDemoRefusesAForeignDataFolder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"atrium.db": "a real installation's database", "salesforce-demo.key": "someone's key"}
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	code, _, stderr := runWithin(t, 10*time.Second, "demo", "--addr", "127.0.0.1:0", "--data", dir)
	if code != exitUsage || !strings.Contains(stderr, "--data "+dir) || !strings.Contains(stderr, "fix: ") {
		t.Errorf("exit code %d, want %d with the folder and a fix named\nstderr:\n%s", code, exitUsage, stderr)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(files) {
		t.Errorf("the demo wrote into the folder: %v", entries)
	}
	for name, content := range files {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != content {
			t.Errorf("%s was changed: %q, %v", name, b, err)
		}
	}
}

func demoStartsAndStops(t *testing.T, data string) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data}, &stdout, &stderr)
	}()
	returned := false
	t.Cleanup(func() {
		cancel()
		if !returned {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("demo did not stop within 10s of cancellation")
			}
		}
	})

	deadline, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	// await polls cond until it holds, the deadline passes or the demo exits.
	await := func(what string, cond func() bool) {
		t.Helper()
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		for !cond() {
			select {
			case code := <-done:
				returned = true
				t.Fatalf("demo exited with %d while waiting for %s\nstdout:\n%s\nstderr:\n%s", code, what, stdout.String(), stderr.String())
			case <-deadline.Done():
				t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", what, deadline.Err(), stdout.String(), stderr.String())
			case <-tick.C:
			}
		}
	}

	openLine := regexp.MustCompile(`Open (http://127\.0\.0\.1:(\d+))\n`)
	var base string
	await("the banner with the portal's URL", func() bool {
		m := openLine.FindStringSubmatch(stdout.String())
		if m == nil {
			return false
		}
		base = m[1]
		return true
	})
	if strings.HasSuffix(base, ":0") {
		t.Fatalf("banner shows %s, not the port actually listened on", base)
	}

	client := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	await("GET /readyz to answer 200", func() bool {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	out := stdout.String()
	for _, u := range [][2]string{{"alice", "demo-alice"}, {"bob", "demo-bob"}, {"carol", "demo-carol"}, {"dave", "demo-dave"}} {
		if !regexp.MustCompile(`\b` + u[0] + `\s+` + u[1] + `\s`).MatchString(out) {
			t.Errorf("banner lacks user %s with password %s:\n%s", u[0], u[1], out)
		}
	}

	resp, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/auth/login") {
		t.Errorf("GET / = %d to %q, want 303 to /auth/login…", resp.StatusCode, loc)
	}

	client.CloseIdleConnections()
	cancel()
	select {
	case code := <-done:
		returned = true
		if code != exitOK {
			t.Errorf("demo exited with %d after cancellation, want 0\nstderr:\n%s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		returned = true // the cleanup must not wait again
		t.Fatalf("demo did not return within 5s of cancellation\nstderr:\n%s", stderr.String())
	}
}
