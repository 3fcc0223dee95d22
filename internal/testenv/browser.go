// Package testenv starts the real peers that Atrium's tests run against — a
// headless Chromium, Dex, stripe-mock, PostgreSQL and Redis — and ties their
// lifetime and their diagnostics (screenshots, console errors, logs, axe
// results) to the test that uses them.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	// DefaultStepTimeout bounds one browser step. It is short enough that a
	// test which hangs on a step still has time for its failure screenshot.
	DefaultStepTimeout = 15 * time.Second

	// browserStartTimeout bounds the start of Chromium, which is slow on a
	// cold, busy CI machine.
	browserStartTimeout = 60 * time.Second

	defaultChromium = "/usr/bin/chromium"
)

// Browser is one headless Chromium with one tab, owned by a test. Its step
// methods fail the test (t.Fatalf) when the step fails or outlives
// StepTimeout, so they must be called from the test's goroutine.
//
// When the test fails, the cleanup logs the page's URL and console errors and
// saves a full-page screenshot named after the test.
type Browser struct {
	// StepTimeout bounds each step. Change it before the steps it should govern.
	StepTimeout time.Duration

	t       testing.TB
	ctx     context.Context // the tab; it lives until the test's cleanup
	logOut  *os.File        // Chromium's own stdout and stderr
	console *consoleLog     // shared by the views that ForTest makes
}

// consoleLog collects the tab's errors, as ConsoleErrors describes.
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

// NewBrowser starts Chromium ($ATRIUM_CHROMIUM, or /usr/bin/chromium) with a
// fresh profile and a 1366x900 window, and stops it when the test ends.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	path := os.Getenv("ATRIUM_CHROMIUM")
	if path == "" {
		path = defaultChromium
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("testenv: no Chromium at %s (%v): run scripts/install-test-deps.sh or set $ATRIUM_CHROMIUM", path, err)
	}
	logOut, err := os.Create(filepath.Join(t.TempDir(), "chromium.log"))
	if err != nil {
		t.Fatalf("testenv: chromium log: %v", err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Without the background-networking flags Chromium keeps calling
		// hosts that a CI machine cannot reach.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
		chromedp.CombinedOutput(logOut),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &Browser{StepTimeout: DefaultStepTimeout, t: t, logOut: logOut, console: &consoleLog{}}
	// The listener is in place before the tab's first command, so no console
	// message of the first page is missed; it sees each event before the
	// command that follows the event returns.
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(b.record))
	b.ctx = tabCtx
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for Chromium to exit, so its profile can be removed
		logOut.Close()
	})

	// The first Do binds Chromium's lifetime to its context, so that context
	// must not carry the start deadline; a timer enforces it instead.
	expired := time.AfterFunc(browserStartTimeout, cancelAlloc)
	err = chromedp.Do(tabCtx)
	if !expired.Stop() {
		err = fmt.Errorf("not started within %v", browserStartTimeout)
	}
	if err != nil {
		t.Fatalf("testenv: start Chromium: %v\n%s", err, tail(logOut.Name(), 30))
	}
	t.Cleanup(b.reportIfFailed)
	return b
}

// ForTest returns a view of the same tab whose steps fail t, for a subtest
// that shares the browser of its parent: a step must fail the test running
// on its own goroutine. When t fails, its cleanup saves its own screenshot.
func (b *Browser) ForTest(t testing.TB) *Browser {
	view := *b
	view.t = t
	t.Cleanup(view.reportIfFailed)
	return &view
}

// Context returns the tab's context, for chromedp actions the Browser has no
// method for. Derive a context with a timeout from it for each call.
func (b *Browser) Context() context.Context { return b.ctx }

// Navigate loads url and waits for its load event.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.do("navigate to "+url, chromedp.Navigate(url))
}

// WaitVisible waits until an element matching the CSS selector is visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

// WaitNotPresent waits until no element matches the CSS selector.
func (b *Browser) WaitNotPresent(sel string) {
	b.t.Helper()
	b.do("wait for "+sel+" to go away", chromedp.WaitNotPresent(chromedp.CSS(sel)))
}

// Click clicks the first visible element matching the CSS selector.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// SendKeys types text into the element, firing key and input events as a
// user's typing does.
func (b *Browser) SendKeys(sel, text string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// PressKeys types keys into whatever has focus, as a user's keyboard does
// (for shortcuts such as "/").
func (b *Browser) PressKeys(keys string) {
	b.t.Helper()
	b.do("press "+keys, chromedp.KeyEvent(keys))
}

// SetValue sets the element's value property directly, without key events.
func (b *Browser) SetValue(sel, value string) {
	b.t.Helper()
	b.do("set the value of "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// Text returns the visible text of the first element matching the selector.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	return run(b, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// Value returns the value property of the first element matching the selector.
func (b *Browser) Value(sel string) string {
	b.t.Helper()
	return run(b, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// Location returns the URL of the page.
func (b *Browser) Location() string {
	b.t.Helper()
	return run(b, "read the location", chromedp.Location())
}

// Title returns the title of the page.
func (b *Browser) Title() string {
	b.t.Helper()
	return run(b, "read the title", chromedp.Title())
}

// Eval evaluates the JavaScript expression through the DevTools protocol,
// which the page's Content-Security-Policy does not govern, awaits the result
// when it is a promise, and decodes its JSON form into out. A nil out ignores
// the result; a non-nil out fails the test when the result is undefined.
func (b *Browser) Eval(js string, out any) {
	b.t.Helper()
	raw := run(b, "evaluate a script", chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if out == nil {
		return
	}
	if len(raw) == 0 {
		b.t.Fatalf("browser: evaluate a script: the result is undefined")
	}
	if err := json.Unmarshal(raw, out); err != nil {
		b.t.Fatalf("browser: evaluate a script: decode the result into %T: %v", out, err)
	}
}

// Screenshot saves a PNG of the whole page (beyond the viewport) as
// <OutputDir>/screenshots/<name>.png and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	return b.savePNG(name, run(b, "take a screenshot", chromedp.FullScreenshot(100)))
}

// ViewportScreenshot saves what the window shows now as
// <OutputDir>/screenshots/<name>.png. Unlike Screenshot, it shows frames from
// other origins, which a full-page capture in headless Chromium leaves blank.
func (b *Browser) ViewportScreenshot(name string) string {
	b.t.Helper()
	return b.savePNG(name, run(b, "take a screenshot of the window", chromedp.CaptureScreenshot()))
}

// savePNG writes png as <OutputDir>/screenshots/<name>.png and returns its path.
func (b *Browser) savePNG(name string, png []byte) string {
	b.t.Helper()
	path := filepath.Join(screenshotDir(b.t), fileName(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("browser: save screenshot: %v", err)
	}
	return path
}

// ConsoleErrors returns, in order, every console.error and console.assert
// call, uncaught exception, unhandled promise rejection and browser log
// error (such as a Content-Security-Policy violation or a failed load) seen
// since the browser started. Each event is seen before the step that follows
// it returns, so a test can assert on it right after that step.
func (b *Browser) ConsoleErrors() []string {
	b.console.mu.Lock()
	defer b.console.mu.Unlock()
	return append([]string(nil), b.console.msgs...)
}

// ClearConsoleErrors forgets the errors seen so far, so that a test can
// assert that the next page adds none.
func (b *Browser) ClearConsoleErrors() {
	b.console.mu.Lock()
	defer b.console.mu.Unlock()
	b.console.msgs = nil
}

// record runs on the tab's event loop: it must be quick and send no command.
func (b *Browser) record(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		msg = "console." + string(ev.Type) + ": " + argsText(ev.Args)
	case *runtime.EventExceptionThrown:
		msg = exceptionText(ev.ExceptionDetails)
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = string(ev.Entry.Source) + ": " + ev.Entry.Text
		if ev.Entry.URL != "" {
			msg += " (" + ev.Entry.URL + ")"
		}
	default:
		return
	}
	b.console.mu.Lock()
	b.console.msgs = append(b.console.msgs, msg)
	b.console.mu.Unlock()
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
		case a.Description != "":
			s = a.Description
		default:
			s = string(a.Value)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func exceptionText(d *runtime.ExceptionDetails) string {
	text := d.Text // "Uncaught" or "Uncaught (in promise)"
	if d.Exception != nil && d.Exception.Description != "" {
		first, _, _ := strings.Cut(d.Exception.Description, "\n")
		text += " " + first
	}
	if d.URL != "" {
		text += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	}
	return text
}

// reportIfFailed leaves what a reader of a failed run needs: where the page
// was, what it looked like and what it complained about.
func (b *Browser) reportIfFailed() {
	if !b.t.Failed() {
		return
	}
	if b.ctx.Err() != nil {
		b.t.Logf("browser: Chromium is gone (%v); its last output:\n%s", context.Cause(b.ctx), tail(b.logOut.Name(), 30))
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, b.stepTimeout())
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.t.Logf("browser: page at failure: %s", loc)
	} else {
		b.t.Logf("browser: page at failure: unknown: %v", err)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		path := filepath.Join(screenshotDir(b.t), fileName(b.t.Name())+"-failure.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Logf("browser: failure screenshot: %v", err)
		} else {
			b.t.Logf("browser: failure screenshot: %s", path)
		}
	} else {
		b.t.Logf("browser: failure screenshot: %v", err)
	}
	for _, m := range b.ConsoleErrors() {
		b.t.Logf("browser: console: %s", m)
	}
}

func (b *Browser) stepTimeout() time.Duration {
	if b.StepTimeout > 0 {
		return b.StepTimeout
	}
	return DefaultStepTimeout
}

func (b *Browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.stepTimeout())
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, stepError(ctx, err))
	}
}

func run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.stepTimeout())
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %s: %v", what, stepError(ctx, err))
	}
	return v
}

// stepError says plainly when a step ran out of time rather than failed.
func stepError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return fmt.Errorf("no success within the step timeout: %w", err)
	}
	return err
}

// tail returns the last n lines of a file, for logs quoted in a failure.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
