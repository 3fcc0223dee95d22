package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoRolesSeeWhatTheirRolesAllow signs each demo user in to a running
// demo and asks for every route that shows a customer's data: what each role
// may see, it sees; what it may not, never reaches it (page, panel fragment,
// rows, CSV, refresh, timeline, search, audit view).
func TestDemoRolesSeeWhatTheirRolesAllow(t *testing.T) {
	base := startDemo(t)
	alice, carol, dave, erin := demoSignIn(t, base, "alice"), demoSignIn(t, base, "carol"), demoSignIn(t, base, "dave"), demoSignIn(t, base, "erin")

	_, found := alice.get(t, base+"/search?q=Acme")
	m := regexp.MustCompile(`href="/customers/([A-Za-z0-9]+)[?"]`).FindStringSubmatch(found)
	if m == nil {
		t.Fatalf("alice's search for Acme found no customer:\n%s", found)
	}
	acme := base + "/customers/" + m[1]

	money := []string{"Amount due", "Amount paid", "Annual revenue"}
	for _, r := range []struct {
		name       string
		user       *demoSession
		seesMoney  bool
		readsAudit bool
	}{
		{"alice (sales)", alice, false, false},
		{"carol (finance)", carol, true, false},
		{"dave (admin)", dave, true, true},
	} {
		t.Run(r.name, func(t *testing.T) {
			for _, route := range []string{acme, acme + "/panels/billing/invoices", acme + "/panels/billing/invoices/rows",
				acme + "/panels/billing/invoices/rows.csv"} {
				status, body := r.user.get(t, route)
				if status != http.StatusOK {
					t.Fatalf("GET %s = %d:\n%s", route, status, body)
				}
				shown := strings.Contains(body, "Amount due") || strings.Contains(body, "amount_due")
				if shown != r.seesMoney {
					t.Errorf("GET %s shows invoice amounts: %v, want %v", route, shown, r.seesMoney)
				}
			}
			_, page := r.user.get(t, acme)
			for _, label := range money[2:] {
				if strings.Contains(page, label) != r.seesMoney {
					t.Errorf("page shows %q: %v, want %v", label, !r.seesMoney, r.seesMoney)
				}
			}
			status, body := r.user.post(t, acme+"/panels/billing/invoices/refresh")
			if status != http.StatusOK || strings.Contains(body, "Amount due") != r.seesMoney {
				t.Errorf("refresh = %d, shows amounts %v, want %v:\n%s", status, strings.Contains(body, "Amount due"), r.seesMoney, body)
			}
			status, _ = r.user.get(t, base+"/admin/audit")
			if (status == http.StatusOK) != r.readsAudit {
				t.Errorf("GET /admin/audit = %d, want it readable: %v", status, r.readsAudit)
			}
		})
	}

	t.Run("erin (no role)", func(t *testing.T) {
		status, body := erin.get(t, base+"/")
		if status != http.StatusOK || !strings.Contains(body, "You have no access to customers yet.") || !strings.Contains(body, "Ask dave") {
			t.Errorf("GET / = %d, want the no-access message naming whom to ask:\n%s", status, body)
		}
		for _, route := range []string{acme, acme + "/panels/billing/invoices", acme + "/timeline", base + "/search?q=Acme"} {
			status, body := erin.get(t, route)
			if strings.Contains(body, "Acme Corporation") || (status != http.StatusForbidden && status != http.StatusOK) {
				t.Errorf("GET %s = %d and names the customer: %v", route, status, strings.Contains(body, "Acme Corporation"))
			}
		}
	})

	t.Run("dave reads who saw which restricted fields", func(t *testing.T) {
		// The trail is written in batches: wait for the views to be in it.
		trailOf := func(user string) string {
			deadline := time.Now().Add(15 * time.Second)
			for {
				_, trail := dave.get(t, base+"/admin/audit?format=csv&kind=customer.view&user="+user)
				if strings.Contains(trail, "customer.view") || time.Now().After(deadline) {
					return trail
				}
				time.Sleep(50 * time.Millisecond) // polling a condition, with the deadline above
			}
		}
		if trail := trailOf("carol@example.com"); !strings.Contains(trail, "billing/invoices/amount_due") {
			t.Errorf("carol's views lack the restricted fields she was shown:\n%s", trail)
		}
		if trail := trailOf("alice@example.com"); !strings.Contains(trail, "customer.view") || strings.Contains(trail, "amount_due") {
			t.Errorf("alice's views: want a record of the view and no restricted field shown:\n%s", trail)
		}
	})
}

// startDemo runs `atrium demo` until the test ends and returns its URL.
func startDemo(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("demo did not stop within 10s")
		}
	})
	openLine := regexp.MustCompile(`Open (http://127\.0\.0\.1:\d+)\n`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := openLine.FindStringSubmatch(stdout.String()); m != nil {
			resp, err := http.Get(m[1] + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return m[1]
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo not ready within 30s\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited with %d\nstderr:\n%s", code, stderr.String())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

type demoSession struct {
	client *http.Client
	csrf   string
}

var (
	loginForm = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
)

// demoSignIn signs user in at the demo's identity provider, as a browser
// does, with the password the banner shows.
func demoSignIn(t *testing.T, base, user string) *demoSession {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &demoSession{client: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	resp, err := s.client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	m := loginForm.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no login form at %s:\n%s", resp.Request.URL, body)
	}
	action, _ := resp.Request.URL.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	req := regexp.MustCompile(`name="authRequestID" value="([^"]+)"`).FindStringSubmatch(body)
	if req == nil {
		t.Fatalf("no sign-in request in the login form:\n%s", body)
	}
	resp, err = s.client.PostForm(action.String(), url.Values{"authRequestID": {req[1]}, "username": {user}, "password": {"demo-" + user}})
	if err != nil {
		t.Fatal(err)
	}
	body = readAll(t, resp)
	tok := csrfInput.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || tok == nil {
		t.Fatalf("%s's sign-in ended at %s with %d:\n%s", user, resp.Request.URL, resp.StatusCode, body)
	}
	s.csrf = tok[1]
	return s
}

func (s *demoSession) get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := s.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readAll(t, resp)
}

// post sends a form as htmx does, with the session's CSRF token.
func (s *demoSession) post(t *testing.T, u string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(url.Values{"_csrf": {s.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readAll(t, resp)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
