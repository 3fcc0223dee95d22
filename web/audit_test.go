package web_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/store"
	"github.com/atrium-dev/atrium/web"
)

// The trail records, through the assembled server, who signed in, which
// customer they opened and with which systems, what they were refused,
// failed sign-ins and sign-outs; and it verifies.
func TestAuditTrailRecordsWhoSawWhat(t *testing.T) {
	var (
		trail *audit.Trail
		keys  *audit.Keys
		st    *store.SQLite
	)
	p, _ := startPortal(t, portalSetup{deps: func(d *web.Deps) {
		st = d.Store.(*store.SQLite)
		_, signer, _ := ed25519.GenerateKey(nil)
		var err error
		if keys, err = audit.NewKeys([]byte(strings.Repeat("k", 32)), signer); err != nil {
			t.Fatal(err)
		}
		if trail, err = audit.New(context.Background(), st, keys, audit.Options{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { trail.Close(context.Background()) })
		d.Audit, d.AuditLog = trail, audit.NewLog(st, keys)
	}})

	// A callback nobody started fails, and is recorded.
	if resp, _ := p.get(t, p.url+"/auth/callback?state=forged&code=x"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged callback: %d", resp.StatusCode)
	}
	_, body := p.login(t, "/customers/C1", "alice", "demo-alice")
	if !strings.Contains(body, "Globex") {
		t.Fatalf("no customer page:\n%s", body)
	}
	p.get(t, p.url+"/customers/C1/timeline")
	if resp, _ := p.get(t, p.url+"/customers/C1/panels/crm/contacts/rows.csv"); resp.StatusCode != http.StatusOK {
		t.Fatalf("CSV export: %d", resp.StatusCode)
	}
	tok := csrfField.FindStringSubmatch(body)[1]
	post := func(path string, form url.Values) int {
		req, _ := http.NewRequest(http.MethodPost, p.url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _ := p.do(t, req)
		return resp.StatusCode
	}
	if code := post("/customers/C1/links", url.Values{"_csrf": {tok}, "source": {"crm"}, "record": {"X"}, "decision": {"split"}}); code != http.StatusForbidden {
		t.Fatalf("alice's link decision: %d", code)
	}
	if code := post("/auth/logout", url.Values{"_csrf": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if err := trail.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}

	entries, err := audit.NewLog(st, keys).List(context.Background(), audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range slices.Backward(entries) {
		line := e.Kind + " " + e.Actor.Email + " " + e.Customer + " " + strings.Join(e.Sources, ",") + " " + e.Outcome
		if e.Client == "" {
			t.Errorf("%s: no client address", e.Kind)
		}
		got = append(got, strings.Join(strings.Fields(line), " "))
	}
	want := []string{
		"auth.sign_in_failed failed",
		"auth.sign_in alice@example.com ok",
		"customer.view alice@example.com C1 crm ok",
		"customer.view alice@example.com C1 crm ok", // the timeline
		"customer.view alice@example.com C1 crm ok", // the contacts as CSV
		"admin.link alice@example.com C1 crm refused",
		"auth.sign_out alice@example.com ok",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rep, err := audit.Verify(context.Background(), st, keys.Public(), nil)
	if err != nil || !rep.OK() || rep.Records != int64(len(want)) {
		t.Errorf("verify: %+v, %v", rep, err)
	}
}

// Admins read the trail at /admin/audit, filter it by user, customer, kind
// and dates, and export it as CSV; others are refused.
func TestAdminsReadTheAuditTrail(t *testing.T) {
	var trail *audit.Trail
	p, _ := startPortal(t, portalSetup{deps: func(d *web.Deps) {
		st := d.Store.(*store.SQLite)
		_, signer, _ := ed25519.GenerateKey(nil)
		keys, _ := audit.NewKeys([]byte(strings.Repeat("k", 32)), signer)
		var err error
		if trail, err = audit.New(context.Background(), st, keys, audit.Options{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { trail.Close(context.Background()) })
		d.Audit, d.AuditLog = trail, audit.NewLog(st, keys)
	}})
	alice := p.on(newBrowser())
	alice.login(t, "/customers/C1", "alice", "demo-alice")
	if resp, body := alice.get(t, p.url+"/admin/audit"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Only an admin may read the audit trail") {
		t.Fatalf("alice at /admin/audit: %d", resp.StatusCode)
	}
	dave := p.on(newBrowser())
	dave.login(t, "/", "dave", "demo-dave")
	if err := trail.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows := func(body string) int { return strings.Count(body, "<tr>") - 1 }
	resp, body := dave.get(t, p.url+"/admin/audit?user=alice@example.com&customer=C1&kind=customer.view")
	if resp.StatusCode != http.StatusOK || rows(body) != 1 || !strings.Contains(body, "alice@example.com") ||
		!strings.Contains(body, `href="/customers/C1"`) || !strings.Contains(body, "Customer viewed") {
		t.Fatalf("filtered: %d, %d rows\n%s", resp.StatusCode, rows(body), body)
	}
	if _, body := dave.get(t, p.url+"/admin/audit?user=alice@example.com"); rows(body) != 3 { // signed in, viewed, refused the audit view
		t.Errorf("alice's records: %d rows\n%s", rows(body), body)
	}
	if _, body := dave.get(t, p.url+"/admin/audit?kind=auth.sign_in&to=2000-01-01"); !strings.Contains(body, "No records match.") {
		t.Errorf("no records before 2000:\n%s", body)
	}
	if resp, body := dave.get(t, p.url+"/admin/audit?from=yesterday"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "is not a date") {
		t.Errorf("a bad date: %d", resp.StatusCode)
	}
	resp, body = dave.get(t, p.url+"/admin/audit?format=csv&kind=customer.view")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") ||
		len(lines) != 2 || !strings.HasPrefix(lines[0], "seq,at,kind,user") || !strings.Contains(lines[1], "customer.view,alice@example.com") {
		t.Errorf("CSV: %s %q\n%s", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body)
	}
}
