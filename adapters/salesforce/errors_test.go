package salesforce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

var errorClasses = map[string]error{
	"ErrNotFound":      adapters.ErrNotFound,
	"ErrUnavailable":   adapters.ErrUnavailable,
	"ErrLimitExceeded": adapters.ErrLimitExceeded,
	"ErrForbidden":     adapters.ErrForbidden,
	"ErrAuth":          adapters.ErrAuth,
	"ErrBadRequest":    adapters.ErrBadRequest,
	"ErrBadResponse":   adapters.ErrBadResponse,
}

// assertClass checks that err matches class and no other class.
func assertClass(t *testing.T, err, class error) {
	t.Helper()
	for name, c := range errorClasses {
		if got := errors.Is(err, c); got != (c == class) {
			t.Errorf("errors.Is(%v, %s) = %v", err, name, got)
		}
	}
}

const htmlPage = `<html><head><title>Maintenance</title></head><body>SECRET-PAGE-TEXT</body></html>`

func TestAPIErrorParsing(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		class   error
		code    string
		message string
		fields  []string
	}{
		{"malformed query", 400, `[{"message":"unexpected token: 'x'","errorCode":"MALFORMED_QUERY"}]`,
			adapters.ErrBadRequest, "MALFORMED_QUERY", "unexpected token: 'x'", nil},
		{"invalid field", 400, `[{"message":"\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo'","errorCode":"INVALID_FIELD"}]`,
			adapters.ErrBadRequest, "INVALID_FIELD", "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo'", nil},
		{"invalid type", 400, `[{"message":"sObject type 'Foo' is not supported.","errorCode":"INVALID_TYPE"}]`,
			adapters.ErrBadRequest, "INVALID_TYPE", "sObject type 'Foo' is not supported.", nil},
		{"malformed id", 400, `[{"message":"malformed id 001","errorCode":"MALFORMED_ID"}]`,
			adapters.ErrBadRequest, "MALFORMED_ID", "malformed id 001", nil},
		{"dml fields", 400, `[{"message":"Email: invalid email address","errorCode":"INVALID_EMAIL_ADDRESS","fields":["Email"]}]`,
			adapters.ErrBadRequest, "INVALID_EMAIL_ADDRESS", "Email: invalid email address", []string{"Email"}},
		{"object form", 400, `{"message":"Composite request invalid","errorCode":"INVALID_FIELD"}`,
			adapters.ErrBadRequest, "INVALID_FIELD", "Composite request invalid", nil},
		{"session", 401, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`,
			adapters.ErrAuth, "INVALID_SESSION_ID", "Session expired or invalid", nil},
		{"limit", 403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`,
			adapters.ErrLimitExceeded, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", nil},
		{"access", 403, `[{"message":"insufficient access rights on object id","errorCode":"INSUFFICIENT_ACCESS"}]`,
			adapters.ErrForbidden, "INSUFFICIENT_ACCESS", "insufficient access rights on object id", nil},
		{"not found", 404, `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]`,
			adapters.ErrNotFound, "NOT_FOUND", "The requested resource does not exist", nil},
		{"not found html", 404, htmlPage, adapters.ErrNotFound, "", "", nil},
		{"server", 500, `[{"message":"An unexpected error occurred.","errorCode":"UNKNOWN_EXCEPTION"}]`,
			adapters.ErrUnavailable, "UNKNOWN_EXCEPTION", "An unexpected error occurred.", nil},
		{"maintenance html", 503, htmlPage, adapters.ErrUnavailable, "", "", nil},
		{"html 400", 400, htmlPage, adapters.ErrBadResponse, "", "", nil},
		{"empty 403", 403, ``, adapters.ErrBadResponse, "", "", nil},
		{"empty array", 403, `[]`, adapters.ErrBadResponse, "", "", nil},
		{"other object", 400, `{"foo":1}`, adapters.ErrBadResponse, "", "", nil},
		{"wrong type", 400, `[{"message":1,"errorCode":"X"}]`, adapters.ErrBadResponse, "", "", nil},
		{"truncated json", 400, `[{"message":"x","errorCode":"MALF`, adapters.ErrBadResponse, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := apiError(tt.status, []byte(tt.body))
			assertClass(t, e, tt.class)
			if e.Status != tt.status || e.Code != tt.code || e.Message != tt.message || strings.Join(e.Fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("got %d %q %q %v", e.Status, e.Code, e.Message, e.Fields)
			}
			if e.Body != tt.body {
				t.Errorf("Body = %q, want the raw body", e.Body)
			}
			msg := e.Error()
			if strings.Contains(msg, "SECRET-PAGE-TEXT") || strings.Contains(msg, "\n") {
				t.Errorf("Error() = %q: must be one line without the raw body", msg)
			}
			if tt.code != "" && !strings.Contains(msg, tt.code) {
				t.Errorf("Error() = %q, want the error code", msg)
			}
		})
	}
}

func TestAPIErrorKeepsBoundedBody(t *testing.T) {
	body := strings.Repeat("<p>ünïcode</p>", 1000)
	e := apiError(http.StatusBadGateway, []byte(body))
	if len(e.Body) > adapters.MaxRawBody+len("…(truncated)") || !strings.HasPrefix(body, strings.TrimSuffix(e.Body, "…(truncated)")) {
		t.Errorf("Body has %d bytes, want at most %d from the start of the answer", len(e.Body), adapters.MaxRawBody)
	}
	if !strings.HasSuffix(e.Body, "…(truncated)") {
		t.Errorf("Body does not say it was truncated")
	}
}

func TestAPIErrorMessagesSayWhatToDo(t *testing.T) {
	e := apiError(403, []byte(`[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`))
	want := "API limit exceeded (403 REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.): the org's daily API allocation is spent"
	if !strings.HasPrefix(e.Error(), want) {
		t.Errorf("Error() = %q, want prefix %q", e.Error(), want)
	}
	e = apiError(400, []byte(`[{"message":"\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8","errorCode":"INVALID_FIELD"}]`))
	if !strings.Contains(e.Error(), "(400 INVALID_FIELD: SELECT Foo FROM Account ^ ERROR at Row:1:Column:8)") {
		t.Errorf("Error() = %q, want the message on one line", e.Error())
	}
}

func TestOAuthErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		class  error
		want   string // in Error()
	}{
		{"audience", 400, `{"error":"invalid_grant","error_description":"audience is invalid"}`,
			adapters.ErrAuth, "authentication failed (invalid_grant: audience is invalid): check login_url and audience"},
		{"not approved", 400, `{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}`,
			adapters.ErrAuth, "pre-authorize the connected app"},
		{"client id", 400, `{"error":"invalid_client_id","error_description":"client identifier invalid"}`,
			adapters.ErrAuth, "check client_id"},
		{"client", 400, `{"error":"invalid_client","error_description":"invalid client credentials"}`,
			adapters.ErrAuth, "check client_id and client_secret"},
		{"inactive", 400, `{"error":"inactive_user","error_description":"user is inactive"}`,
			adapters.ErrAuth, "activate"},
		{"rate", 400, `{"error":"rate_limit_exceeded","error_description":"rate limit exceeded"}`,
			adapters.ErrLimitExceeded, "wait"},
		{"server html", 503, htmlPage, adapters.ErrUnavailable, "Salesforce unavailable"},
		{"html", 400, htmlPage, adapters.ErrBadResponse, "check login_url"},
		{"no code", 400, `{"error_description":"x"}`, adapters.ErrBadResponse, "not the documented shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := oauthError(tt.status, []byte(tt.body))
			assertClass(t, err, tt.class)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Error() = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET-PAGE-TEXT") {
				t.Errorf("Error() = %q shows the raw body", err)
			}
		})
	}
}

// TestClientErrorClasses checks the classes through a real call: the status
// and body of the answer decide, after wrapping.
func TestClientErrorClasses(t *testing.T) {
	tests := []struct {
		status int
		body   string
		class  error
	}{
		{400, `[{"message":"unexpected token","errorCode":"MALFORMED_QUERY"}]`, adapters.ErrBadRequest},
		{403, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, adapters.ErrLimitExceeded},
		{403, `[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]`, adapters.ErrForbidden},
		{404, `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]`, adapters.ErrNotFound},
		{500, `[{"message":"oops","errorCode":"UNKNOWN_EXCEPTION"}]`, adapters.ErrUnavailable},
		{503, htmlPage, adapters.ErrUnavailable},
		{200, htmlPage, adapters.ErrBadResponse},
		{200, `{"totalSize":"one","done":true,"records":[]}`, adapters.ErrBadResponse},
		{200, `{"records":[]}`, adapters.ErrBadResponse},
		{200, `{"totalSize":1,"done":true,"records":{"Id":"x"}}`, adapters.ErrBadResponse},
	}
	for _, tt := range tests {
		o := newFakeOrg(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
		_, err := o.client(t).Query(context.Background(), "SELECT Id FROM Account", QueryOptions{})
		if err == nil {
			t.Errorf("%d %s: no error", tt.status, tt.body)
			continue
		}
		assertClass(t, err, tt.class)
		if !strings.HasPrefix(err.Error(), "salesforce: query: ") {
			t.Errorf("error %q lacks its context", err)
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != tt.status || apiErr.Body != tt.body {
			t.Errorf("%d: errors.As APIError = %+v", tt.status, apiErr)
		}
	}
}
