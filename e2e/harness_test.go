package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/internal/testenv"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// atriumBinary builds cmd/atrium once per test run: the browser tests run the
// real command, as a user would.
func atriumBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := testenv.ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "atrium-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "atrium")
		cmd := exec.Command("go", "build", "-race", "-o", binPath, "./cmd/atrium")
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/atrium: %v\n%s", err, out.String())
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// runAtrium starts the atrium binary with args and waits until url answers
// /readyz with 200. Its output is printed if the test fails.
func runAtrium(t *testing.T, url string, args ...string) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "atrium.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(atriumBinary(t), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Error("atrium did not stop within 10s of SIGTERM")
		}
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("atrium output:\n%s", b)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- testenv.WaitHTTP(ctx, url+"/readyz", 200) }()
	select {
	case err := <-ready:
		if err != nil {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("atrium not ready at %s: %v\n%s", url, err, b)
		}
	case err := <-done:
		b, _ := os.ReadFile(logPath)
		t.Fatalf("atrium exited before it was ready: %v\n%s", err, b)
	}
}

// signIn is the identity provider's part of the flow: fill its form and submit.
type signIn func(b *testenv.Browser)

// customerFlow drives the whole journey: open the portal, get redirected to sign
// in, land back, search with the keyboard, open a customer, see its panels, sign
// out. name prefixes the screenshots.
func customerFlow(t *testing.T, b *testenv.Browser, portal, name string, login signIn, search, customer string, more ...func()) {
	b.Navigate(portal + "/")
	login(b)

	// Back on the portal, on the page the user started from.
	b.WaitVisible("#q")
	if loc := b.Location(); !strings.HasPrefix(loc, portal+"/") {
		t.Fatalf("after sign-in the browser is at %s, want the portal", loc)
	}
	noConsoleErrors(t, b, "home page")
	b.CheckAccessibility(t, name+"-home")
	b.ClearConsoleErrors()

	// "/" focuses the search box from anywhere on the page.
	b.Click("h1")
	b.PressKeys("/")
	var focused string
	b.Eval(`document.activeElement && document.activeElement.id`, &focused)
	if focused != "q" {
		t.Fatalf(`"/" focused %q, want the search box`, focused)
	}
	// The key event that focused the box may also have typed the "/" into it (a
	// synthetic keyboard's char event ignores preventDefault); start clean.
	var cleared bool
	b.Eval(`(document.getElementById("q").value = "", true)`, &cleared)
	b.SendKeys("#q", search)
	b.WaitVisible("#result-table a.result")
	if got := b.Text("#result-table"); !strings.Contains(got, customer) {
		t.Fatalf("search %q did not find %q:\n%s", search, customer, got)
	}
	noConsoleErrors(t, b, "search page")
	b.Screenshot(name + "-search")
	b.CheckAccessibility(t, name+"-search")
	b.ClearConsoleErrors()

	var href string
	b.Eval(fmt.Sprintf(`[...document.querySelectorAll("#result-table a.result")].find(a => a.textContent.trim() === %q)?.getAttribute("href") || ""`, customer), &href)
	if href == "" {
		t.Fatalf("no result link named %q", customer)
	}
	b.Navigate(portal + href)
	b.WaitVisible("#customer-name")
	if got := b.Text("#customer-name"); got != customer {
		t.Fatalf("customer page shows %q, want %q", got, customer)
	}
	for _, panel := range []string{"contacts", "opportunities", "cases"} {
		sel := "#panel-salesforce-" + panel
		b.WaitVisible(sel + " table.data tbody tr")
		if txt := b.Text(sel + " .source"); !strings.Contains(txt, "Salesforce") {
			t.Errorf("%s panel has no source badge: %q", panel, txt)
		}
	}
	if txt := b.Text("#panel-salesforce-opportunities .metrics"); !strings.Contains(txt, "Open pipeline") {
		t.Errorf("opportunities panel lacks the open pipeline: %q", txt)
	}
	var external string
	b.Eval(`document.querySelector("#open-external")?.href || ""`, &external)
	if !strings.Contains(external, "/lightning/r/Account/") || !strings.HasSuffix(external, "/view") {
		t.Errorf("open-in-Salesforce link = %q", external)
	}
	noConsoleErrors(t, b, "customer page")
	b.Screenshot(name + "-customer")
	b.CheckAccessibility(t, name+"-customer")
	b.ClearConsoleErrors() // axe's own probing may log; only the pages' errors count

	for _, step := range more {
		step()
	}

	b.Click("#logout")
	b.WaitVisible("#signed-out-heading")
	b.Screenshot(name + "-signed-out")
	b.Navigate(portal + href)
	b.WaitNotPresent("#customer-name") // signed out: sent to sign in, not shown the customer
	if loc := b.Location(); strings.HasPrefix(loc, portal+"/customers/") {
		t.Fatalf("after logout the customer page is still served: %s", loc)
	}
}

// noConsoleErrors fails the test on any error the page logged since the last
// check: CSP violations, failed loads and script exceptions all show there.
func noConsoleErrors(t *testing.T, b *testenv.Browser, where string) {
	t.Helper()
	var errs []string
	// Frames log into the page's target too: a proxied tool whose page
	// tries a script under the default sandbox (no allow-scripts) shows
	// here as "Blocked script execution", and fails the test.
	errs = append(errs, b.ConsoleErrors()...)
	if len(errs) > 0 {
		t.Errorf("browser console errors on the %s (CSP violations show here):\n%s", where, strings.Join(errs, "\n"))
	}
	b.ClearConsoleErrors()
}
