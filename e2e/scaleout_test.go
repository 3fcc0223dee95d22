package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
	"github.com/atrium-dev/atrium/demo/desk"
	"github.com/atrium-dev/atrium/internal/faultproxy"
	"github.com/atrium-dev/atrium/internal/testenv"
)

// TestScaleOut runs two `atrium serve` processes on one PostgreSQL and one
// Redis, as two instances behind a load balancer, and shows with real HTTP
// that they behave as one: started at once against an empty database they
// migrate it once; a session made through one works on the other; a logout,
// a link decision and a refreshed panel on one show on the other at once;
// without Redis both still serve, and they recover when it returns.
func TestScaleOut(t *testing.T) {
	bin := atriumBinary(t) // built before the clock of the test starts
	start := time.Now()
	t.Cleanup(func() {
		t.Logf("scale-out test took %s (without the build)", time.Since(start).Round(time.Millisecond))
	})

	pg := testenv.StartPostgres(t)
	rds := testenv.StartRedis(t)
	portals := [2]string{
		fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t)),
		fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(t)),
	}
	const email, password = "ada@example.com", "correct horse battery"
	dex := testenv.StartDex(t, testenv.DexOptions{
		RedirectURIs: []string{portals[0] + "/auth/callback", portals[1] + "/auth/callback"},
		Users:        []testenv.DexUser{{Email: email, Password: password, Groups: []string{"admins"}}},
	})

	// Salesforce, behind a proxy that counts what reaches it; the support
	// desk, linked to the customer by its domain.
	data := sfsim.DemoData(time.Now())
	sim := sfsim.New(sfsim.Options{ClientID: "scaleout-app", ClientSecret: "scaleout-secret", Username: sfsim.DemoUsername, Data: data})
	sf := httptest.NewServer(sim)
	t.Cleanup(sf.Close)
	counter, err := faultproxy.New(sf.URL)
	if err != nil {
		t.Fatal(err)
	}
	sfProxy := httptest.NewServer(counter)
	t.Cleanup(sfProxy.Close)
	t.Cleanup(counter.Close)
	sim.SetURL(sfProxy.URL)
	account := accountNamed(t, data, demoCustomer)
	deskToken := "desk-token"
	deskSrv := httptest.NewServer(desk.New(desk.Options{Token: deskToken, Orgs: []desk.Org{{Name: demoCustomer, Domain: account.domain}}}))
	t.Cleanup(deskSrv.Close)

	dir := t.TempDir()
	t.Setenv("E2E_CLIENT_SECRET", dex.ClientSecret)
	var procs [2]*atriumProcess
	for i, portal := range portals {
		cfg := filepath.Join(dir, fmt.Sprintf("atrium-%d.yaml", i))
		doc := fmt.Sprintf(`
server:
  addr: %q
  public_url: %q
auth:
  issuer: %q
  client_id: %q
  client_secret: ${E2E_CLIENT_SECRET}
  scopes: [openid, profile, email, groups]
  admin_groups: [admins]
  sign_in_rate: 600 # every sign-in of the test comes from one address
  sign_in_burst: 100
store:
  driver: postgres
  dsn: %q
bus:
  redis_url: %q
cache:
  redis_url: %q
log:
  level: info
customer:
  primary: salesforce
sources:
  - name: salesforce
    type: salesforce
    title: Salesforce
    settings:
      flow: client_credentials
      login_url: %q
      client_id: scaleout-app
      client_secret: scaleout-secret
  - name: desk
    type: rest
    title: Support desk
%s
`, portal[len("http://"):], portal, dex.Issuer, dex.ClientID, pg.DSN, rds.URL, rds.URL, sfProxy.URL,
			indentLines(desk.DemoSettings(deskSrv.URL, deskToken), "    "))
		if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		procs[i] = launchAtrium(t, bin, fmt.Sprintf("instance %c", 'A'+i), "serve", "--config", cfg)
	}
	a, b := portals[0], portals[1]

	t.Run("both start at once against the empty database, which is migrated once", func(t *testing.T) {
		var wg sync.WaitGroup
		for i, p := range procs {
			wg.Go(func() { p.waitReady(t, portals[i]) })
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		conn, err := pgx.Connect(context.Background(), pg.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var versions, rows int
		if err := conn.QueryRow(context.Background(),
			`SELECT COUNT(DISTINCT version_id), COUNT(*) FROM goose_db_version`).Scan(&versions, &rows); err != nil {
			t.Fatal(err)
		}
		if versions < 2 || rows != versions {
			t.Fatalf("goose_db_version holds %d rows for %d versions, want each version once", rows, versions)
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	page := "/customers/" + account.id
	ada := signInAt(t, a, email, password)

	t.Run("a session made through A works on B", func(t *testing.T) {
		for _, p := range portals {
			if status, body := ada.get(t, p+page); status != http.StatusOK || !strings.Contains(body, demoCustomer) {
				t.Fatalf("%s: %d, customer shown: %v", p, status, strings.Contains(body, demoCustomer))
			}
		}
	})

	t.Run("a logout on A is refused on B within 1 s", func(t *testing.T) {
		s := signInAt(t, a, email, password)
		s.mustServe(t, b+page) // B remembers the session now
		s.logout(t, a)
		s.refusedWithin(t, b+page, time.Second)
	})

	t.Run("a link decided on B shows on A's next view", func(t *testing.T) {
		_, body := ada.get(t, a+page) // A resolves the desk's record and reuses it
		record := deskRecord.FindStringSubmatch(body)
		if record == nil {
			t.Fatalf("A's page has no linked desk record to split:\n%s", body)
		}
		status, _ := ada.post(t, b+"/customers/"+account.id+"/links",
			url.Values{"source": {"desk"}, "record": {record[1]}, "decision": {"split"}}, false)
		if status != http.StatusOK { // the redirect to the page, followed
			t.Fatalf("split on B: %d", status)
		}
		waitUntil(t, time.Second, "A shows the desk record split off", func() bool {
			_, body := ada.get(t, a+page)
			return strings.Contains(body, "Not linked in Support desk: split off by hand.")
		})
	})

	contact := contactOf(t, sf.URL, account.id)
	t.Run("a panel refreshed on A is refetched for B", func(t *testing.T) {
		ada.mustServe(t, a+page)
		ada.mustServe(t, b+page) // both have the contacts cached
		renamed := patchContact(t, sf.URL, contact)

		before := counter.Calls("query:Contacts")
		if _, body := ada.get(t, b+page); strings.Contains(body, renamed) {
			t.Fatal("B shows the change before anyone refreshed: the contacts were not cached")
		}
		status, frag := ada.post(t, a+page+"/panels/salesforce/contacts/refresh", nil, true)
		if status != http.StatusOK || !strings.Contains(frag, renamed) {
			t.Fatalf("refresh on A: %d, renamed contact shown: %v", status, strings.Contains(frag, renamed))
		}
		if _, body := ada.get(t, b+page); !strings.Contains(body, renamed) {
			t.Error("B's next view does not show the refreshed contacts")
		}
		if n := counter.Calls("query:Contacts") - before; n != 1 {
			t.Errorf("contacts fetched %d times from Salesforce for the refresh and B's view, want once (A's refresh, shared with B)", n)
		}
	})

	t.Run("without Redis both serve; they recover when it returns", func(t *testing.T) {
		s := signInAt(t, a, email, password)
		s.mustServe(t, b+page) // B remembers the session, and keeps its copy of the contacts
		// A refresh on A drops B's copy through the bus: without Redis, B
		// then asks Salesforce rather than serve what it had.
		renamed := patchContact(t, sf.URL, contact)
		if status, frag := ada.post(t, a+page+"/panels/salesforce/contacts/refresh", nil, true); status != http.StatusOK || !strings.Contains(frag, renamed) {
			t.Fatalf("refresh on A: %d", status)
		}
		rds.Stop()
		if _, body := ada.get(t, b+page); !strings.Contains(body, renamed) {
			t.Error("without Redis B serves its copy of the contacts from before A's refresh: the invalidation did not reach it")
		}
		for _, p := range portals {
			for range 2 {
				s.mustServe(t, p+page)
				ada.mustServe(t, p+page)
			}
		}
		// The logout cannot cross the bus: B refuses the session once it
		// reads it from the store again, within server.session_recheck.
		s.logout(t, a)
		s.refusedWithin(t, b+page, 5*time.Second+time.Second)

		rds.Restart()
		// Once B is subscribed again, a logout on A is refused on B at once.
		waitUntil(t, 30*time.Second, "a logout on A crosses the bus to B again", func() bool {
			s := signInAt(t, a, email, password)
			s.mustServe(t, b+page)
			s.logout(t, a)
			return s.refusedBy(t, b+page, time.Second)
		})
		for _, p := range portals {
			ada.mustServe(t, p+page)
		}
	})
}

// demoAccount is the demo customer as the test needs it.
type demoAccount struct{ id, domain string }

func accountNamed(t *testing.T, data *sfsim.Dataset, name string) demoAccount {
	t.Helper()
	for _, r := range data.Records("Account", "Name", "Website") {
		if r["Name"] == name {
			u, err := url.Parse(fmt.Sprint(r["Website"]))
			if err != nil || u.Hostname() == "" {
				t.Fatalf("%s has no website: %v", name, r["Website"])
			}
			return demoAccount{id: fmt.Sprint(r["Id"]), domain: strings.TrimPrefix(u.Hostname(), "www.")}
		}
	}
	t.Fatalf("no account %q in the demo data", name)
	return demoAccount{}
}

func indentLines(block, prefix string) string {
	lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// atriumProcess is an `atrium serve` started by the test.
type atriumProcess struct {
	name    string
	logPath string
	done    chan error
}

// launchAtrium starts the binary without waiting for it; it is stopped with
// SIGTERM when the test ends, and its output printed if the test failed.
func launchAtrium(t *testing.T, bin, name string, args ...string) *atriumProcess {
	t.Helper()
	p := &atriumProcess{name: name, logPath: filepath.Join(t.TempDir(), "atrium.log"), done: make(chan error, 1)}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
			t.Errorf("%s did not stop within 10s of SIGTERM", name)
		}
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(p.logPath)
			t.Logf("%s output:\n%s", name, b)
		}
	})
	return p
}

// waitReady waits until the process answers /readyz at portal with 200.
func (p *atriumProcess) waitReady(t *testing.T, portal string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- testenv.WaitHTTP(ctx, portal+"/readyz", 200) }()
	select {
	case err := <-ready:
		if err != nil {
			t.Errorf("%s not ready at %s: %v", p.name, portal, err)
		}
	case err := <-p.done:
		p.done <- err
		t.Errorf("%s exited before it was ready: %v", p.name, err)
	}
}

// httpSession is one signed-in browser: its cookies work on every instance, as
// they would behind a load balancer (cookies do not depend on the port).
type httpSession struct {
	jar    *cookiejar.Jar
	follow *http.Client // follows redirects, as a browser does
	stay   *http.Client // reports them
	// cookies are the session's cookies as they were before logout, to ask
	// an instance with them after the browser forgot them.
	cookies []*http.Cookie
	csrf    string
}

var (
	formAction = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	csrfField  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	deskRecord = regexp.MustCompile(`name="source" value="desk"\s*/?>\s*<input type="hidden" name="record" value="([^"]+)"`)
)

// signInAt signs in through portal with Dex's password form.
func signInAt(t *testing.T, portal, login, password string) *httpSession {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &httpSession{jar: jar,
		follow: &http.Client{Jar: jar, Timeout: 20 * time.Second},
		stay: &http.Client{Jar: jar, Timeout: 20 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := s.follow.Get(portal + "/")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	m := formAction.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no login form at %s:\n%s", resp.Request.URL, body)
	}
	action, err := resp.Request.URL.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = s.follow.PostForm(action.String(), url.Values{"login": {login}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	tok := csrfField.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), portal+"/") || tok == nil {
		t.Fatalf("sign-in ended at %s with %d:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	s.csrf = tok[1]
	return s
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// get asks for u without following redirects.
func (s *httpSession) get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := s.stay.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readBody(t, resp)
}

// post sends form with the CSRF token, as htmx when asked, following
// redirects.
func (s *httpSession) post(t *testing.T, u string, form url.Values, htmx bool) (int, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", s.csrf)
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := s.follow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readBody(t, resp)
}

// mustServe fails the test unless u answers the session with the customer.
func (s *httpSession) mustServe(t *testing.T, u string) {
	t.Helper()
	if status, body := s.get(t, u); status != http.StatusOK || !strings.Contains(body, demoCustomer) {
		t.Fatalf("%s: %d, customer shown: %v", u, status, strings.Contains(body, demoCustomer))
	}
}

// logout signs out on portal, keeping the cookies the browser then drops.
func (s *httpSession) logout(t *testing.T, portal string) {
	t.Helper()
	u, _ := url.Parse(portal)
	s.cookies = s.jar.Cookies(u)
	req, _ := http.NewRequest(http.MethodPost, portal+"/auth/logout", strings.NewReader(url.Values{"_csrf": {s.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.stay.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on %s: %d", portal, resp.StatusCode)
	}
}

// refusedBy reports whether u refuses the session's cookies from before its
// logout (a redirect to sign in) within d.
func (s *httpSession) refusedBy(t *testing.T, u string, d time.Duration) bool {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(d)
	for {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		for _, c := range s.cookies {
			req.AddCookie(c)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode == http.StatusSeeOther && strings.Contains(resp.Header.Get("Location"), "/auth/login") {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond) // polling, the deadline bounds it
	}
}

func (s *httpSession) refusedWithin(t *testing.T, u string, d time.Duration) {
	t.Helper()
	if !s.refusedBy(t, u, d) {
		t.Fatalf("%s still serves the session %s after its logout", u, d)
	}
}

// waitUntil polls cond until it holds, failing the test after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond) // polling, the deadline bounds it
	}
}

// sfToken signs in to the simulator as the connected app.
func sfToken(t *testing.T, sfURL string) string {
	t.Helper()
	resp, err := http.PostForm(sfURL+"/services/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"scaleout-app"}, "client_secret": {"scaleout-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(readBody(t, resp)), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("simulator token: %v", err)
	}
	return tok.AccessToken
}

// sfCall calls the simulator's REST API directly, past the counting proxy.
func sfCall(t *testing.T, sfURL, method, path string, body any) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, sfURL+"/services/data/v62.0"+path, r)
	req.Header.Set("Authorization", "Bearer "+sfToken(t, sfURL))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readBody(t, resp)
}

// contactOf returns the id of one of the account's contacts.
func contactOf(t *testing.T, sfURL, accountID string) string {
	t.Helper()
	q := url.QueryEscape("SELECT Id FROM Contact WHERE AccountId = '" + accountID + "' LIMIT 1")
	status, body := sfCall(t, sfURL, http.MethodGet, "/query?q="+q, nil)
	var res struct {
		Records []struct{ Id string } `json:"records"`
	}
	if err := json.Unmarshal([]byte(body), &res); status != http.StatusOK || err != nil || len(res.Records) == 0 {
		t.Fatalf("contacts of %s: %d %s", accountID, status, body)
	}
	return res.Records[0].Id
}

// patchContact renames a contact in Salesforce, behind Atrium's back, and
// returns its new last name.
func patchContact(t *testing.T, sfURL, id string) string {
	t.Helper()
	name := fmt.Sprintf("Renamed%d", time.Now().UnixNano())
	if status, body := sfCall(t, sfURL, http.MethodPatch, "/sobjects/Contact/"+id, map[string]string{"LastName": name}); status != http.StatusNoContent {
		t.Fatalf("rename contact %s: %d %s", id, status, body)
	}
	return name
}
