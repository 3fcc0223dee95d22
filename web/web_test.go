package web_test

import (
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/atrium-dev/atrium/adapters"
	"github.com/atrium-dev/atrium/auth"
	"github.com/atrium-dev/atrium/customer"
	"github.com/atrium-dev/atrium/demo/idp"
	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/static"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

// fakeCRM is a system with one customer whose cases panel always fails.
type fakeCRM struct{}

func (fakeCRM) Search(_ context.Context, q adapters.Query) ([]adapters.Match, error) {
	if strings.Contains("globex corporation", strings.ToLower(q.Text)) {
		return []adapters.Match{{Source: "crm", ID: "C1", Name: "Globex <Corporation>", Industry: "Energy", City: "Springfield", Owner: "Hank Scorpio"}}, nil
	}
	return nil, nil
}

func (fakeCRM) Facets() []adapters.FacetSpec {
	return []adapters.FacetSpec{{Name: "account", Title: "Account", Header: true}, {Name: "contacts", Title: "Contacts"}, {Name: "cases", Title: "Cases"}}
}

func (fakeCRM) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.ID != "C1" {
		return nil, adapters.ErrNotFound
	}
	f := &adapters.Facet{Source: "crm", Name: req.Facet, FetchedAt: time.Now()}
	switch req.Facet {
	case "account":
		f.Fields = map[string]adapters.Value{adapters.FieldName: adapters.Text("Globex <Corporation>")}
	case "contacts":
		f.Tables = []adapters.Table{{Columns: []adapters.Column{{Title: "Name"}}, Rows: []adapters.Row{{Cells: []adapters.Value{adapters.Text("Homer Simpson")}}}, Total: 1}}
		f.Events = []adapters.Event{
			{At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Kind: "contact", Title: "Homer Simpson joined <b>"},
			{At: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Kind: "call", Title: "Call with Homer", Status: "done"},
		}
	case "cases":
		return nil, errors.Join(adapters.ErrUnavailable, errors.New("boom: secret upstream detail"))
	}
	return f, nil
}

func (fakeCRM) Check(context.Context) adapters.Health { return adapters.Health{OK: true} }

var hashKey = []byte(strings.Repeat("k", 64))

type portal struct {
	url    string
	issuer string
	client *http.Client
	store  *store.SQLite
}

func start(t *testing.T) *portal { return startWith(t, fakeCRM{}, 0) }

func startWith(t *testing.T, crm adapters.Adapter, budget time.Duration) *portal {
	t.Helper()
	return startSource(t, customer.Source{Name: "crm", Title: "CRM", Timeout: 10 * time.Second, Adapter: crm}, budget)
}

// startSource runs the portal around src, its one source, with the page
// budget given (0: the default).
func startSource(t *testing.T, src customer.Source, budget time.Duration) *portal {
	t.Helper()
	return startComposed(t, src, budget)
}

// startComposed runs the portal around src and, with opts, further linked
// sources; link decisions are kept in the portal's store.
func startComposed(t *testing.T, src customer.Source, budget time.Duration, opts ...customer.Option) *portal {
	t.Helper()
	return startFull(t, src, budget, nil, opts...)
}

// startFull is startComposed with legacy tools on the customer page.
func startFull(t *testing.T, src customer.Source, budget time.Duration, tools []legacy.Tool, opts ...customer.Option) *portal {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	srv := httptest.NewUnstartedServer(nil)
	public := "http://" + srv.Listener.Addr().String()
	idpSrv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + idpSrv.Listener.Addr().String()
	provider, err := idp.New(idp.Options{Issuer: issuer, Users: idp.DemoUsers(), Logger: logger, Clients: []idp.Client{{
		ID: "atrium", Secret: "s3cret", RedirectURIs: []string{public + "/auth/callback"},
		PostLogoutRedirectURIs: []string{public + "/auth/signed-out"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv.Config.Handler = provider
	idpSrv.Start()
	t.Cleanup(idpSrv.Close)

	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rp := auth.NewRP(auth.RPConfig{Issuer: issuer, ClientID: "atrium", ClientSecret: "s3cret",
		RedirectURL: public + "/auth/callback", Scopes: []string{"openid", "profile", "email", "groups"}, GroupsClaim: "groups", Logger: logger})
	go rp.Discover(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := rp.WaitReady(wctx); err != nil {
		t.Fatal("identity provider not discovered:", err)
	}
	// Recheck as in production: a logout must end the session at once even
	// though Current remembers sessions between store reads.
	sessions, err := auth.NewManager(auth.ManagerConfig{Store: st, Logouts: st, RP: rp, HashKey: hashKey,
		TTL: time.Hour, Recheck: 5 * time.Second, PostLogoutURL: public + "/auth/signed-out", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	composer := customer.NewComposer(src, logger, append(opts, customer.WithDecisions(st))...)
	e, err := web.New(web.Deps{Logger: logger, Sessions: sessions, RP: rp, Issuer: issuer, Composer: composer, Store: st, Assets: assets,
		PageBudget: budget, AdminGroups: []string{"admins"}, Tools: tools, PublicURL: public, Visits: st})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &portal{url: public, issuer: issuer, client: client, store: st}
}

func (p *portal) get(t *testing.T, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return p.do(t, req)
}

func (p *portal) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func abs(base, loc string) string {
	b, _ := url.Parse(base)
	l, _ := b.Parse(loc)
	return l.String()
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	authReqID  = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)
	csrfField  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
)

// login follows the flow from target to the identity provider's form, signs in
// and returns the page it lands on.
func (p *portal) login(t *testing.T, target, user, password string) (*http.Response, string) {
	t.Helper()
	resp, body := p.get(t, p.url+target)
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		resp, body = p.get(t, abs(resp.Request.URL.String(), resp.Header.Get("Location")))
	}
	m, id := formAction.FindStringSubmatch(body), authReqID.FindStringSubmatch(body)
	if m == nil || id == nil {
		t.Fatalf("no login form at %s:\n%s", resp.Request.URL, body)
	}
	form := url.Values{"authRequestID": {id[1]}, "username": {user}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, abs(resp.Request.URL.String(), html.UnescapeString(m[1])), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.issuer)
	resp, body = p.do(t, req)
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		resp, body = p.get(t, abs(resp.Request.URL.String(), resp.Header.Get("Location")))
	}
	return resp, body
}

func TestSignedOutVisitorsAreSentToSignIn(t *testing.T) {
	p := start(t)
	resp, _ := p.get(t, p.url+"/customers/C1?tab=x")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/auth/login?return_to=%2Fcustomers%2FC1%3Ftab%3Dx" {
		t.Fatalf("status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := p.get(t, p.url+"/search?q=a", "HX-Request", "true", "HX-Current-URL", p.url+"/search?q=a")
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/auth/login?return_to=%2Fsearch%3Fq%3Da" {
		t.Fatalf("htmx: status %d HX-Redirect %q body %q", resp.StatusCode, resp.Header.Get("HX-Redirect"), body)
	}
}

func TestLoginLandsWhereTheUserStarted(t *testing.T) {
	p := start(t)
	resp, body := p.login(t, "/customers/C1", "dave", "demo-dave")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/customers/C1" {
		t.Fatalf("landed on %s with %d", resp.Request.URL, resp.StatusCode)
	}
	for _, want := range []string{"Globex &lt;Corporation&gt;", "Homer Simpson", "CRM is unavailable right now.", "Dave Davis"} {
		if !strings.Contains(body, want) {
			t.Errorf("customer page lacks %q", want)
		}
	}
	if strings.Contains(body, "secret upstream detail") || strings.Contains(body, "<Corporation>") {
		t.Error("upstream error details or unescaped text reached the page")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
	if nonce == nil || !strings.Contains(csp, "frame-ancestors 'self'") || !strings.Contains(csp, "form-action 'self' "+p.issuer) {
		t.Fatalf("CSP %q", csp)
	}
	if n := strings.Count(body, `nonce="`+nonce[1]+`"`); n != 2 || strings.Count(body, "<script") != 2 {
		t.Errorf("%d scripts carry the nonce, want both", n)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
		t.Errorf("security headers missing: %v", resp.Header)
	}
	// The session cookie carries only a signed random id.
	u, _ := url.Parse(p.url)
	for _, c := range p.client.Jar.Cookies(u) {
		if c.Name != auth.SessionCookie {
			continue
		}
		var vals map[any]any
		if err := securecookie.New(hashKey, nil).Decode(c.Name, c.Value, &vals); err != nil {
			t.Fatal(err)
		}
		if len(vals) != 1 || vals["sid"] == nil {
			t.Errorf("session cookie holds more than an id: %v", vals)
		}
	}
}

func TestSessionCookieAttributesAndFreshID(t *testing.T) {
	p := start(t)
	// Plant a cookie before login: it must not survive as the session.
	u, _ := url.Parse(p.url)
	p.client.Jar.SetCookies(u, []*http.Cookie{{Name: auth.SessionCookie, Value: "planted"}})
	var setCookie string
	p.client.CheckRedirect = func(req *http.Request, via []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := p.get(t, p.url+"/")
	loc := resp.Header.Get("Location")
	resp, _ = p.get(t, p.url+loc)
	// Follow to the form and sign in by hand, to read the callback's Set-Cookie.
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		resp, _ = p.get(t, abs(resp.Request.URL.String(), resp.Header.Get("Location")))
	}
	_, body := p.get(t, resp.Request.URL.String())
	m, id := formAction.FindStringSubmatch(body), authReqID.FindStringSubmatch(body)
	form := url.Values{"authRequestID": {id[1]}, "username": {"alice"}, "password": {"demo-alice"}}
	req, _ := http.NewRequest(http.MethodPost, abs(resp.Request.URL.String(), html.UnescapeString(m[1])), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.issuer)
	resp, _ = p.do(t, req)
	for resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound {
		if strings.HasPrefix(resp.Request.URL.Path, "/auth/callback") {
			for _, c := range resp.Header.Values("Set-Cookie") {
				if strings.HasPrefix(c, auth.SessionCookie+"=") {
					setCookie = c
				}
			}
		}
		resp, _ = p.get(t, abs(resp.Request.URL.String(), resp.Header.Get("Location")))
	}
	if setCookie == "" {
		t.Fatal("the callback set no session cookie")
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("session cookie %q lacks %s", setCookie, want)
		}
	}
	if strings.Contains(setCookie, "Secure") {
		t.Errorf("plain-http portal set a Secure cookie: %q", setCookie)
	}
	if strings.Contains(setCookie, "planted") {
		t.Error("the planted session id survived login")
	}
}

func TestTamperedCookieIsSignedOut(t *testing.T) {
	p := start(t)
	p.login(t, "/", "alice", "demo-alice")
	u, _ := url.Parse(p.url)
	for _, c := range p.client.Jar.Cookies(u) {
		if c.Name == auth.SessionCookie {
			v := []byte(c.Value)
			v[len(v)/2] ^= 1
			p.client.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: string(v), Path: "/"}})
		}
	}
	resp, _ := p.get(t, p.url+"/")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("tampered cookie accepted: %d", resp.StatusCode)
	}
}

func TestSearch(t *testing.T) {
	p := start(t)
	p.login(t, "/", "alice", "demo-alice")
	resp, body := p.get(t, p.url+"/search?q=globex")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/customers/C1?q=globex"`) || !strings.Contains(body, "Springfield") || !strings.Contains(body, "Hank Scorpio") {
		t.Fatalf("search page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = p.get(t, p.url+"/search?q=globex", "HX-Request", "true")
	if resp.StatusCode != 200 || strings.Contains(body, "<html") || !strings.Contains(body, `id="results"`) {
		t.Fatalf("htmx search should answer the fragment only: %d\n%s", resp.StatusCode, body)
	}
	_, body = p.get(t, p.url+"/search?q=nothing-like-this")
	if !strings.Contains(body, "No customer matches") {
		t.Error("no empty state")
	}
	resp, _ = p.get(t, p.url+"/search?q="+strings.Repeat("x", 300))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("overlong query: %d", resp.StatusCode)
	}
	resp, body = p.get(t, p.url+"/customers/NOPE")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Customer not found") {
		t.Errorf("unknown customer: %d", resp.StatusCode)
	}
}

func TestLogoutNeedsCSRFAndEndsTheSession(t *testing.T) {
	p := start(t)
	_, body := p.login(t, "/", "alice", "demo-alice")
	tok := csrfField.FindStringSubmatch(body)
	if tok == nil {
		t.Fatal("no CSRF token in the page")
	}
	post := func(form url.Values) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, p.url+"/auth/logout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _ := p.do(t, req)
		return resp
	}
	if resp := post(url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without CSRF token: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"_csrf": {"wrong"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with a wrong CSRF token: %d", resp.StatusCode)
	}
	resp := post(url.Values{"_csrf": {tok[1]}})
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc.String(), p.issuer) ||
		loc.Query().Get("id_token_hint") == "" || loc.Query().Get("post_logout_redirect_uri") != p.url+"/auth/signed-out" {
		t.Fatalf("logout redirect: %d %s", resp.StatusCode, loc)
	}
	resp, _ = p.get(t, loc.String())
	if got := resp.Header.Get("Location"); !strings.HasPrefix(got, p.url+"/auth/signed-out") {
		t.Fatalf("provider did not send the browser back: %d %q", resp.StatusCode, got)
	}
	if resp, _ := p.get(t, p.url+"/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session still valid after logout: %d", resp.StatusCode)
	}
}

func TestCallbackRejectsUnknownState(t *testing.T) {
	p := start(t)
	resp, body := p.get(t, p.url+"/auth/callback?code=x&state=forged")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Sign-in expired") {
		t.Fatalf("forged state: %d", resp.StatusCode)
	}
	resp, body = p.get(t, p.url+"/auth/callback?error=access_denied&error_description=nope")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "did not sign you in") {
		t.Fatalf("provider error: %d", resp.StatusCode)
	}
}

func TestLoginRejectsOffsiteReturnTo(t *testing.T) {
	p := start(t)
	resp, _ := p.login(t, "/auth/login?return_to=https://evil.example/", "alice", "demo-alice")
	if resp.Request.URL.Host != strings.TrimPrefix(p.url, "http://") || resp.Request.URL.Path != "/" {
		t.Fatalf("landed on %s", resp.Request.URL)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	p := start(t)
	if resp, body := p.get(t, p.url+"/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", resp.StatusCode, body)
	}
	if resp, body := p.get(t, p.url+"/readyz"); resp.StatusCode != 200 || !strings.Contains(body, `"ready":true`) {
		t.Fatalf("readyz %d %s", resp.StatusCode, body)
	}
}

func TestIdentityProviderDownAtStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// A port that refuses connections: listen, note the address, close.
	dead := httptest.NewServer(http.NotFoundHandler())
	issuer := dead.URL
	dead.Close()

	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rp := auth.NewRP(auth.RPConfig{Issuer: issuer, ClientID: "atrium", RedirectURL: "http://127.0.0.1/auth/callback", Scopes: []string{"openid"}, Logger: logger})
	go rp.Discover(ctx)
	sessions, _ := auth.NewManager(auth.ManagerConfig{Store: st, RP: rp, HashKey: hashKey, TTL: time.Hour, Logger: logger})
	assets, _ := static.New()
	composer := customer.NewComposer(customer.Source{Name: "crm", Title: "CRM", Timeout: time.Second, Adapter: fakeCRM{}}, logger)
	e, err := web.New(web.Deps{Logger: logger, Sessions: sessions, RP: rp, Issuer: issuer, Composer: composer, Store: st, Assets: assets})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	p := &portal{url: srv.URL, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

	resp, body := p.get(t, srv.URL+"/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "identity provider not discovered") {
		t.Fatalf("readyz while the provider is down: %d %s", resp.StatusCode, body)
	}
	resp, body = p.get(t, srv.URL+"/auth/login?return_to=/customers/C1")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Sign-in unavailable") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("login while the provider is down: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `href="/auth/login?return_to=%2Fcustomers%2FC1"`) {
		t.Errorf("the retry link does not keep the return path:\n%s", body)
	}
}

func TestHTMXErrorsReplaceTheResults(t *testing.T) {
	p := start(t)
	p.login(t, "/", "alice", "demo-alice")
	resp, body := p.get(t, p.url+"/search?q="+strings.Repeat("x", 300), "HX-Request", "true")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("HX-Retarget") != "#results" ||
		strings.Contains(body, "<html") || !strings.Contains(body, `id="results"`) || !strings.Contains(body, "too long") {
		t.Fatalf("htmx error: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
}
