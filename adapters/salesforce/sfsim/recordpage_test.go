package sfsim

import (
	"net/http"
	"strings"
	"testing"
)

func TestRecordPageShowsTheRecord(t *testing.T) {
	h := newHarness(t, Options{Data: smallData(t)}) // no session: a browser follows the link
	r := h.get("/lightning/r/Account/" + smallOReilly + "/view")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q", ct)
	}
	body := r.String()
	for _, want := range []string{
		"<title>O&#39;Reilly Media Group | Salesforce (simulated)</title>",
		"Demo Salesforce org (simulated)",
		"<dt>Account Name</dt><dd>O&#39;Reilly Media Group</dd>",
		"<dt>Industry</dt><dd>Media</dd>",
		"<dt>Annual Revenue</dt><dd>1500.5</dd>",
		"<dt>Last Modified Date</dt><dd>2026-02-20 08:00 UTC</dd>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("the page carries a script")
	}
}

func TestRecordPageTakesTheLinksIDForms(t *testing.T) {
	h := newHarness(t, Options{Data: smallData(t)})
	for _, path := range []string{
		"/lightning/r/Opportunity/" + smallRenewal[:15] + "/view",
		"/lightning/r/opportunity/" + strings.ToLower(smallRenewal) + "/view",
	} {
		r := h.get(path)
		if r.status != http.StatusOK || !strings.Contains(r.String(), "<h1>Acme - Renewal</h1>") {
			t.Errorf("%s: %d %s", path, r.status, r)
		}
	}
}

func TestRecordPageNotFound(t *testing.T) {
	h := newHarness(t, Options{Data: smallData(t)})
	for _, path := range []string{
		"/lightning/r/Account/001Dn0000Nope99/view",   // unknown id
		"/lightning/r/Contact/" + smallAcme + "/view", // an account's id under Contact
		"/lightning/r/Widget/" + smallAcme + "/view",  // no such object
		"/lightning/r/Account/not-an-id/view",         // malformed
		"/lightning/r/Account/" + smallAcme + "/edit", // not a view
		"/lightning/r/Account/<b>x</b>/view",          // escaped
	} {
		r := h.get(path)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.status)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type = %q, want an HTML page", path, ct)
		}
		if strings.Contains(r.String(), "<b>") {
			t.Errorf("%s: the page carries the path unescaped", path)
		}
	}
}
