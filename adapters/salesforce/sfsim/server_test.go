package sfsim

import (
	"net/http"
	"strings"
	"testing"
)

func TestVersionsRoot(t *testing.T) {
	h := newHarness(t, Options{Data: smallData(t)})
	r := h.get("/services/data/")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r)
	}
	if !strings.HasSuffix(r.String(), `{"label":"Winter '25","url":"/services/data/v62.0","version":"62.0"}]`) {
		t.Errorf("versions = %s", r)
	}
	if v, ok := r.header["Sforce-Limit-Info"]; ok {
		t.Errorf("the versions root carries Sforce-Limit-Info %v", v)
	}
	if used, _ := h.srv.APIUsage(); used != 0 {
		t.Errorf("the versions root spent API usage")
	}
}

func TestLimitInfoOnEveryRESTAnswer(t *testing.T) {
	h := smallHarness(t, Options{APILimit: 15000})
	for i, path := range []string{
		"/services/data/v62.0/",
		"/services/data/v62.0/query?q=SELECT+Id+FROM+Account",
		"/services/data/v62.0/query?q=SELECT+Nmae+FROM+Account",
		"/services/data/v62.0/sobjects/Account/" + smallAcme,
		"/services/data/v62.0/sobjects/Account/001Dn0000Nope99",
		"/services/data/v62.0/nothing-here",
		"/services/data/v62.0/limits",
	} {
		r := h.get(path)
		want := "api-usage=" + string(rune('1'+i)) + "/15000"
		if got := r.header.Get("Sforce-Limit-Info"); got != want {
			t.Errorf("%s: Sforce-Limit-Info = %q, want %q", path, got, want)
		}
	}
	r := h.get("/services/data/v62.0/limits")
	if r.String() != `{"DailyApiRequests":{"Max":15000,"Remaining":14992}}` {
		t.Errorf("limits = %s", r)
	}
}

func TestUnauthenticated(t *testing.T) {
	h := smallHarness(t, Options{})
	for name, auth := range map[string]string{
		"missing":      "",
		"unknown":      "Bearer 00DDn0000000Atr!ARnotatoken",
		"wrong scheme": "Basic " + h.token,
	} {
		req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/services/data/v62.0/query?q=SELECT+Id+FROM+Account", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != contentTypeJSON {
			t.Errorf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	h.token = "00DDn0000000Atr!ARnotatoken"
	r := h.get("/services/data/v62.0/limits")
	if r.status != 401 || r.String() != `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]` {
		t.Errorf("401 body = %d %s", r.status, r)
	}
	if used, _ := h.srv.APIUsage(); used != 0 {
		t.Errorf("refused calls spent %d of the allocation", used)
	}
}

func TestOAuthSchemeAccepted(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.send(http.MethodGet, limitsPath, nil, map[string]string{"Authorization": "OAuth " + h.token})
	if r.status != http.StatusOK {
		t.Errorf("OAuth scheme: %d", r.status)
	}
}

func TestNotFound(t *testing.T) {
	h := smallHarness(t, Options{})
	for _, path := range []string{"/", "/services/data/v62/query", "/services/apexrest/x", "/services/data/v62.0/sobjects/Account/" + smallAcme + "/Contacts/x"} {
		r := h.get(path)
		wantError(t, r, http.StatusNotFound, "NOT_FOUND")
		if r.String() != `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]` {
			t.Errorf("%s: %s", path, r)
		}
	}
}

func TestHeadIsAnsweredAsGet(t *testing.T) {
	h := smallHarness(t, Options{})
	r := h.send(http.MethodHead, limitsPath, nil, nil)
	if r.status != http.StatusOK || len(r.body) != 0 || r.header.Get("Sforce-Limit-Info") == "" {
		t.Errorf("HEAD: %d %q %v", r.status, r, r.header)
	}
}
