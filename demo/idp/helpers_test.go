package idp

import (
	"bytes"
	"crypto/rand"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const (
	testClientID     = "atrium"
	testClientSecret = "atrium-demo-secret"
	// testPublicClientID has no secret; its redirect URI is on loopback.
	testPublicClientID = "atrium-cli"
)

// testEnv is a provider on its own listener, a relying party's callback
// server, and the relying party's view of the provider through go-oidc.
type testEnv struct {
	issuer    string
	rpURL     string
	callbacks chan url.Values // query of each request to the RP's /callback
	provider  *oidc.Provider
	verifier  *oidc.IDTokenVerifier
	oauth     oauth2.Config
	logs      *syncBuffer
}

// mountAt says how the provider is mounted when the issuer has a path.
type mountAt int

const (
	mountRoot        mountAt = iota // the provider sees the issuer path
	mountStripPrefix                // http.StripPrefix removes it first
)

func newTestEnv(t *testing.T, issuerPath string, mount mountAt) *testEnv {
	t.Helper()
	return newTestEnvWith(t, issuerPath, mount, nil)
}

// newTestEnvWith is newTestEnv with options changed by change.
func newTestEnvWith(t *testing.T, issuerPath string, mount mountAt, change func(*Options)) *testEnv {
	t.Helper()
	callbacks := make(chan url.Values, 16)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/callback":
			callbacks <- r.URL.Query()
			io.WriteString(w, "relying party callback")
		case "/signed-out":
			io.WriteString(w, "relying party signed out")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(rp.Close)

	mux := http.NewServeMux()
	idpServer := httptest.NewServer(mux)
	t.Cleanup(idpServer.Close)
	issuer := idpServer.URL + issuerPath

	logs := &syncBuffer{}
	opts := Options{
		Issuer: issuer,
		Users:  DemoUsers(),
		Clients: []Client{{
			ID:                     testClientID,
			Secret:                 testClientSecret,
			RedirectURIs:           []string{rp.URL + "/callback"},
			PostLogoutRedirectURIs: []string{rp.URL + "/signed-out"},
		}, {
			ID:           testPublicClientID,
			RedirectURIs: []string{rp.URL + "/callback"},
		}},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if change != nil {
		change(&opts)
	}
	p, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if mount == mountStripPrefix && issuerPath != "" {
		mux.Handle(issuerPath+"/", http.StripPrefix(issuerPath, p))
	} else {
		mux.Handle("/", p)
	}

	provider, err := oidc.NewProvider(t.Context(), issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &testEnv{
		issuer:    issuer,
		rpURL:     rp.URL,
		callbacks: callbacks,
		provider:  provider,
		verifier:  provider.Verifier(&oidc.Config{ClientID: testClientID}),
		oauth: oauth2.Config{
			ClientID:     testClientID,
			ClientSecret: testClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  rp.URL + "/callback",
			Scopes:       []string{oidc.ScopeOpenID, "profile", "email", "groups", oidc.ScopeOfflineAccess},
		},
		logs: logs,
	}
}

// newBrowser returns a client that keeps cookies and follows redirects,
// as a browser would.
func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// noRedirects returns a client that reports redirects instead of following.
func noRedirects() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// authAttempt is one authorization request as a relying party makes it.
type authAttempt struct {
	state, nonce, verifier string
	loginPage              string // body of the sign-in page
	loginURL               *url.URL
}

// begin starts an authorization request and follows it to the sign-in page.
func (e *testEnv) begin(t *testing.T, browser *http.Client) authAttempt {
	t.Helper()
	a := authAttempt{state: rand.Text(), nonce: rand.Text(), verifier: oauth2.GenerateVerifier()}
	resp, body := fetch(t, browser, e.oauth.AuthCodeURL(a.state, oauth2.S256ChallengeOption(a.verifier), oidc.Nonce(a.nonce)))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.issuer+loginPath+"?") {
		t.Fatalf("authorization request ended at %s with status %d, want the sign-in page:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	a.loginPage, a.loginURL = body, resp.Request.URL
	return a
}

var (
	formActionRE    = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	authRequestIDRE = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)
)

// submit posts the sign-in form found on page, as a browser would.
func submit(t *testing.T, browser *http.Client, page, username, password string) (*http.Response, string) {
	t.Helper()
	action := formActionRE.FindStringSubmatch(page)
	id := authRequestIDRE.FindStringSubmatch(page)
	if action == nil || id == nil {
		t.Fatalf("no sign-in form on page:\n%s", page)
	}
	resp, err := browser.PostForm(html.UnescapeString(action[1]), url.Values{
		"authRequestID": {html.UnescapeString(id[1])},
		"username":      {username},
		"password":      {password},
	})
	if err != nil {
		t.Fatalf("post sign-in form: %v", err)
	}
	return resp, readBody(t, resp)
}

// signIn runs a whole sign-in as username and returns the code the relying
// party received, after checking the state came back unchanged.
func (e *testEnv) signIn(t *testing.T, username, password string) (authAttempt, string) {
	t.Helper()
	browser := newBrowser(t)
	a := e.begin(t, browser)
	resp, body := submit(t, browser, a.loginPage, username, password)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), e.rpURL+"/callback?") {
		t.Fatalf("sign-in ended at %s with status %d, want the relying party's callback:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	q := e.callback(t)
	if got := q.Get("state"); got != a.state {
		t.Fatalf("callback state = %q, want %q", got, a.state)
	}
	if q.Get("code") == "" {
		t.Fatalf("callback has no code: %v", q)
	}
	return a, q.Get("code")
}

// callback returns the query of the callback the relying party has already
// received. The browser's request returns only after the callback handler
// ran, so there is nothing to wait for.
func (e *testEnv) callback(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-e.callbacks:
		return q
	default:
		t.Fatal("the relying party received no callback")
		return nil
	}
}

func fetch(t *testing.T, c *http.Client, target string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// syncBuffer collects log output written from the servers' goroutines.
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
