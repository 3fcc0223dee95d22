package salesforce

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// APIError is a Salesforce REST answer that was not a success, or a success whose
// body did not have the documented shape. It matches one of the classes in
// package adapters with errors.Is.
type APIError struct {
	Status  int      // HTTP status
	Code    string   // errorCode, e.g. "MALFORMED_QUERY"; empty when the body had none
	Message string   // Salesforce's message
	Fields  []string // fields named by the error, if any
	// Body is the raw answer, truncated, for logs only: it can quote record data and
	// must never be shown to users.
	Body string

	// shapeErr says why the body was not the documented shape; nil when it was.
	shapeErr error
	// retryAfter is the answer's Retry-After header, e.g. of a 503.
	retryAfter time.Duration
}

// RetryAfter returns how long Salesforce asked to be left alone (its
// Retry-After header), or zero: a caller retrying the call waits that long.
func (e *APIError) RetryAfter() time.Duration { return e.retryAfter }

// Error says what failed and what to do about it, without the raw body.
func (e *APIError) Error() string {
	what, hint := e.describe()
	detail := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		detail = fmt.Sprintf("%d %s", e.Status, e.Code)
	}
	switch {
	case e.Message != "":
		detail += ": " + oneLine(e.Message)
	case e.shapeErr != nil:
		detail += ": " + e.shapeErr.Error()
	}
	return fmt.Sprintf("%s (%s): %s", what, detail, hint)
}

// Unwrap returns the failure class, so that errors.Is(err, adapters.ErrNotFound)
// and friends work without callers knowing Salesforce's codes.
func (e *APIError) Unwrap() error { return e.class() }

// RawBody returns the raw answer, truncated, for adapters.RawBody: logs only.
func (e *APIError) RawBody() string { return e.Body }

// LogValue lets a logger record the status, code and raw body of the answer.
func (e *APIError) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("status", e.Status),
		slog.String("code", e.Code),
		slog.String("message", e.Message),
		slog.String("body", e.Body),
	)
}

func (e *APIError) class() error {
	switch {
	case e.Status >= 500:
		// A failing server often answers with an HTML page: the status says enough.
		return adapters.ErrUnavailable
	case e.Status == http.StatusUnauthorized:
		return adapters.ErrAuth
	case e.Status == http.StatusNotFound || e.Code == "NOT_FOUND":
		return adapters.ErrNotFound
	case e.shapeErr != nil:
		return adapters.ErrBadResponse
	case e.Status == http.StatusTooManyRequests:
		return adapters.ErrUnavailable
	case e.Status == http.StatusForbidden && e.Code == "REQUEST_LIMIT_EXCEEDED":
		return adapters.ErrLimitExceeded
	case e.Status == http.StatusForbidden:
		return adapters.ErrForbidden
	case e.Status >= 300:
		return adapters.ErrBadRequest
	default:
		// A success status with an error body is not something Salesforce documents.
		return adapters.ErrBadResponse
	}
}

func (e *APIError) describe() (what, hint string) {
	switch e.class() {
	case adapters.ErrUnavailable:
		return "Salesforce unavailable", "a failure on Salesforce's side; retry later"
	case adapters.ErrAuth:
		return "session rejected after authenticating again",
			"check that the integration user has the API Enabled permission and that the connected app's session policies allow API access"
	case adapters.ErrNotFound:
		return "record not found", "it may have been deleted or merged in Salesforce"
	case adapters.ErrLimitExceeded:
		return "API limit exceeded", "the org's daily API allocation is spent; wait for it to free up or ask the Salesforce admin to raise it"
	case adapters.ErrForbidden:
		return "access denied", "give the integration user read access to the object and its fields (profile or permission set)"
	case adapters.ErrBadRequest:
		switch e.Code {
		case "INVALID_FIELD", "INVALID_TYPE":
			return "request rejected", "the org lacks an object or field the query names; check api_version and the org's schema (multi_currency needs a multi-currency org)"
		case "MALFORMED_ID":
			return "request rejected", "the record id is malformed; check the link to this record"
		}
		return "request rejected", "a bug or a configuration error: retrying will not help"
	default:
		return "unexpected answer from Salesforce",
			"the body is not the documented shape; check login_url and that no proxy or login page sits between Atrium and Salesforce"
	}
}

// apiError builds the error for a failed or malformed answer. It reads the
// documented array body, and the single-object form that some resources use.
func apiError(status int, body []byte) *APIError {
	e := &APIError{Status: status, Body: adapters.TruncateBody(body)}
	type item struct {
		Message   string   `json:"message"`
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	var items []item
	trimmed := strings.TrimSpace(string(body))
	var err error
	switch {
	case trimmed == "":
		err = fmt.Errorf("empty body")
	case trimmed[0] == '[':
		err = json.Unmarshal(body, &items)
	case trimmed[0] == '{':
		var one item
		err = json.Unmarshal(body, &one)
		items = []item{one}
	default:
		err = fmt.Errorf("body is not JSON")
	}
	if err == nil && (len(items) == 0 || items[0].ErrorCode == "" && items[0].Message == "") {
		err = fmt.Errorf("no errorCode or message in the body")
	}
	if err != nil {
		e.shapeErr = err
		return e
	}
	// The first error names the cause; the rest, if any, stay in Body for the logs.
	e.Code, e.Message, e.Fields = items[0].ErrorCode, items[0].Message, items[0].Fields
	return e
}

// badShape builds the error for a success answer whose body could not be read as
// documented.
func badShape(status int, body []byte, err error) *APIError {
	return &APIError{Status: status, Body: adapters.TruncateBody(body), shapeErr: err}
}

// OAuthError is a refusal from the token endpoint: {"error":…,"error_description":…}.
type OAuthError struct {
	Status      int
	Code        string // "error", e.g. "invalid_grant"
	Description string // "error_description"
	Body        string // raw answer, truncated, for logs only
}

// Error says why authentication failed and which setting to check.
func (e *OAuthError) Error() string {
	detail := e.Code
	if e.Description != "" {
		detail += ": " + e.Description
	}
	return fmt.Sprintf("authentication failed (%s): %s", detail, e.hint())
}

// Unwrap returns the failure class: a refused login is ErrAuth, except for the
// login rate limit, which retrying soon only makes worse.
func (e *OAuthError) Unwrap() error {
	switch {
	case e.Status >= 500:
		return adapters.ErrUnavailable
	case e.Code == "rate_limit_exceeded":
		return adapters.ErrLimitExceeded
	default:
		return adapters.ErrAuth
	}
}

// RawBody returns the raw answer, truncated, for adapters.RawBody: logs only.
func (e *OAuthError) RawBody() string { return e.Body }

func (e *OAuthError) hint() string {
	desc := strings.ToLower(e.Description)
	switch {
	case strings.Contains(desc, "audience"):
		return "check login_url and audience (https://login.salesforce.com for production, https://test.salesforce.com for sandboxes)"
	case strings.Contains(desc, "approved"):
		return "pre-authorize the connected app for the integration user (OAuth policies: admin approved users are pre-authorized, then add the user's profile or permission set)"
	case strings.Contains(desc, "client credentials user"):
		return "set a Run As user in the connected app's client credentials flow"
	}
	switch e.Code {
	case "invalid_client_id":
		return "check client_id: it must be the connected app's consumer key"
	case "invalid_client":
		return "check client_id and client_secret against the connected app"
	case "invalid_grant":
		return "check username, client_id, and that the connected app holds the certificate of private_key"
	case "inactive_user":
		return "the integration user is inactive; ask the Salesforce admin to activate it"
	case "inactive_org":
		return "the org is inactive or locked; ask the Salesforce admin"
	case "rate_limit_exceeded":
		return "too many logins in a short time; wait before trying again"
	case "invalid_request":
		return "check flow and login_url (client credentials need the org's My Domain URL)"
	}
	return "check login_url, client_id and the connected app"
}

// oauthError builds the error for a refused token request.
func oauthError(status int, body []byte) error {
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &b); err != nil || b.Error == "" {
		if err == nil {
			err = fmt.Errorf("no error code in the body")
		}
		return badShape(status, body, err)
	}
	return &OAuthError{Status: status, Code: b.Error, Description: b.Description, Body: adapters.TruncateBody(body)}
}

// oneLine folds a multi-line message (INVALID_FIELD quotes the query with a caret
// line) so that it fits a log line and an error string.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
