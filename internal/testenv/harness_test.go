package testenv

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// strictCSP admits only scripts and styles that carry the nonce, as Atrium's
// own pages do.
const strictCSP = "default-src 'none'; script-src 'nonce-abc'; style-src 'nonce-abc'; img-src 'self'; base-uri 'none'; form-action 'self'"

const goodPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harness check</title>
<style nonce="abc">body { font-family: sans-serif; color: #111; background: #fff; }</style>
</head><body>
<main>
<h1>Harness check</h1>
<p id="js">not run</p>
<img src="/pixel.png" alt="A grey square">
<label for="q">Search</label> <input id="q" name="q">
</main>
<script nonce="abc">document.getElementById("js").textContent = "ran with nonce";</script>
</body></html>`

// badPage breaks two critical axe rules: an image without alternative text
// and a field without a label.
const badPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harness check</title></head><body>
<main>
<h1>Harness check</h1>
<img id="unlabelled-image" src="/pixel.png">
<input id="unlabelled-field" name="q">
</main>
</body></html>`

// unsafePage runs an inline script without the nonce, which the policy must
// refuse, and a nonced script that throws.
const unsafePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harness check</title></head><body>
<main><h1>Harness check</h1><p id="js">not run</p></main>
<script>document.getElementById("js").textContent = "ran without nonce";</script>
<script nonce="abc">throw new Error("boom from the page");</script>
</body></html>`

// pageServer serves the pages above under strictCSP.
func pageServer(t *testing.T) *httptest.Server {
	t.Helper()
	var pixel bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	if err := png.Encode(&pixel, img); err != nil {
		t.Fatal(err)
	}
	page := func(html string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", strictCSP)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, html)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /good", page(goodPage))
	mux.Handle("GET /bad", page(badPage))
	mux.Handle("GET /unsafe", page(unsafePage))
	mux.HandleFunc("GET /pixel.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pixel.Bytes())
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowserOnStrictCSPPage(t *testing.T) {
	srv := pageServer(t)
	browser := NewBrowser(t)

	t.Run("nonced script runs and the screenshot is a full-width PNG", func(t *testing.T) {
		b := browser.ForTest(t)
		b.Navigate(srv.URL + "/good")
		b.WaitVisible("main h1")
		if got := b.Text("#js"); got != "ran with nonce" {
			t.Errorf("#js = %q, want the nonced script to have run", got)
		}
		if got := b.Location(); got != srv.URL+"/good" {
			t.Errorf("Location() = %q, want %q", got, srv.URL+"/good")
		}
		b.SendKeys("#q", "typed")
		if got := b.Value("#q"); got != "typed" {
			t.Errorf("#q value = %q after SendKeys, want %q", got, "typed")
		}

		path := b.Screenshot("testenv-good-page")
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("open screenshot: %v", err)
		}
		defer f.Close()
		cfg, format, err := image.DecodeConfig(f)
		if err != nil || format != "png" {
			t.Fatalf("screenshot %s: format %q, err %v; want a PNG", path, format, err)
		}
		if cfg.Width != 1366 || cfg.Height < 100 {
			t.Errorf("screenshot is %dx%d, want 1366 wide (the window) and a real height", cfg.Width, cfg.Height)
		}
		if errs := b.ConsoleErrors(); len(errs) != 0 {
			t.Errorf("console errors on a clean page: %q", errs)
		}
	})

	t.Run("DevTools evaluation passes the policy that blocks page scripts", func(t *testing.T) {
		b := browser.ForTest(t)
		b.Navigate(srv.URL + "/good")
		b.ClearConsoleErrors()
		var injected string
		b.Eval(`(() => {
			const s = document.createElement("script");
			s.textContent = "window.injectedByPage = true";
			document.head.appendChild(s);
			return typeof window.injectedByPage;
		})()`, &injected)
		if injected != "undefined" {
			t.Fatalf("a script element added by the page ran (%q): the policy is not in force, so this test proves nothing", injected)
		}
		if !containsText(b.ConsoleErrors(), "Content Security Policy") {
			t.Errorf("the blocked script left no CSP error in ConsoleErrors: %q", b.ConsoleErrors())
		}
		var sum int
		b.Eval(`Promise.resolve(40).then(n => n + 2)`, &sum)
		if sum != 42 {
			t.Errorf("Eval of a promise = %d, want 42", sum)
		}
	})

	t.Run("CSP violations and uncaught exceptions are collected", func(t *testing.T) {
		b := browser.ForTest(t)
		b.ClearConsoleErrors()
		b.Navigate(srv.URL + "/unsafe")
		if got := b.Text("#js"); got != "not run" {
			t.Errorf("#js = %q: the inline script without nonce ran", got)
		}
		errs := b.ConsoleErrors()
		if !containsText(errs, "Content Security Policy") {
			t.Errorf("no CSP violation in %q", errs)
		}
		if !containsText(errs, "boom from the page") {
			t.Errorf("no uncaught exception in %q", errs)
		}
	})
}

func TestAxe(t *testing.T) {
	srv := pageServer(t)
	browser := NewBrowser(t)

	t.Run("finds nothing serious on a good page", func(t *testing.T) {
		b := browser.ForTest(t)
		b.Navigate(srv.URL + "/good")
		b.CheckAccessibility(t, "testenv-good-page")
		data, err := os.ReadFile(filepath.Join(OutputDir(t), "screenshots", "testenv-good-page.axe.json"))
		if err != nil {
			t.Fatalf("axe result not saved: %v", err)
		}
		if !bytes.Contains(data, []byte(`"passes"`)) || !bytes.Contains(data, []byte(srv.URL)) {
			t.Errorf("saved axe result is not the full result for this page: %.200s", data)
		}
	})

	t.Run("reports the seeded violations on a bad page", func(t *testing.T) {
		b := browser.ForTest(t)
		b.Navigate(srv.URL + "/bad")
		violations, err := b.RunAxe()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []struct{ rule, target string }{
			{"image-alt", "#unlabelled-image"},
			{"label", "#unlabelled-field"},
		} {
			i := slices.IndexFunc(violations, func(v Violation) bool { return v.ID == want.rule })
			if i < 0 {
				t.Errorf("no %s violation in %v", want.rule, violations)
				continue
			}
			v := violations[i]
			if !v.Serious() || v.Help == "" || len(v.Nodes) != 1 || !slices.Contains(v.Nodes[0].Target, want.target) {
				t.Errorf("%s violation = %+v, want a serious one on %s", want.rule, v, want.target)
			}
		}

		rec := &recorder{TB: t}
		b.CheckAccessibility(rec, "testenv-bad-page")
		if !rec.Failed() || !containsText(rec.errors, "image-alt") || !containsText(rec.errors, "#unlabelled-field") {
			t.Errorf("CheckAccessibility on the bad page: failed=%v, errors %q; want it to fail naming both violations",
				rec.Failed(), rec.errors)
		}
	})
}

func TestBrowserReportsOnFailure(t *testing.T) {
	srv := pageServer(t)
	shot := filepath.Join(OutputDir(t), "screenshots", fileName(t.Name())+"-failure.png")
	if err := os.Remove(shot); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	// Cleanups run last-in first-out: this check runs after the browser's report.
	t.Cleanup(func() {
		if info, err := os.Stat(shot); err != nil || info.Size() == 0 {
			t.Errorf("no failure screenshot at %s: %v", shot, err)
		}
		if !containsText(rec.logs, "page at failure: "+srv.URL+"/unsafe") {
			t.Errorf("failure report did not name the page: %q", rec.logs)
		}
		if !containsText(rec.logs, "boom from the page") {
			t.Errorf("failure report did not list the console errors: %q", rec.logs)
		}
	})

	b := NewBrowser(rec)
	b.Navigate(srv.URL + "/unsafe")
	rec.Errorf("a failure for the browser to report")
}

func TestFreePortAndWaitHTTP(t *testing.T) {
	if p := FreePort(t); p <= 0 || p > 65535 {
		t.Fatalf("FreePort() = %d", p)
	}
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if calls++; calls < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ctx := t.Context()
	if err := WaitHTTP(ctx, srv.URL, http.StatusOK); err != nil {
		t.Fatalf("WaitHTTP: %v", err)
	}
	mu.Lock()
	if calls < 3 {
		t.Errorf("WaitHTTP returned after %d calls, before the server answered 200", calls)
	}
	mu.Unlock()

	short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := WaitHTTP(short, srv.URL, http.StatusTeapot); err == nil || !strings.Contains(err.Error(), "status 200") {
		t.Errorf("WaitHTTP for a status that never comes = %v, want a deadline error naming the last status", err)
	}
}

func containsText(msgs []string, sub string) bool {
	return slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, sub) })
}

// recorder stands in for a test's testing.TB, to observe how harness code
// fails a test without failing the real one. Fatal ends the calling
// goroutine, as testing.T's does.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	errors []string
	logs   []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) { r.Error(fmt.Sprintf(format, args...)) }

func (r *recorder) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.errors = append(r.errors, fmt.Sprint(args...))
}

func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); runtime.Goexit() }
func (r *recorder) Fail()                             { r.Error("Fail called") }
func (r *recorder) FailNow()                          { r.Fatal("FailNow called") }

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recorder) Logf(format string, args ...any) { r.Log(fmt.Sprintf(format, args...)) }

func (r *recorder) Log(args ...any) {
	r.mu.Lock()
	r.logs = append(r.logs, fmt.Sprint(args...))
	r.mu.Unlock()
	r.TB.Log(args...)
}
