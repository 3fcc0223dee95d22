package sfsim

import (
	"fmt"
	"net/http"
)

// contentTypeJSON is the content type of every JSON answer, spelled as Salesforce
// spells it (no space before charset).
const contentTypeJSON = "application/json;charset=UTF-8"

// apiError is a REST error answer. Salesforce writes it as a one-element array.
type apiError struct {
	status  int
	code    string
	message string
	// fields is written only when non-nil: DML errors carry it, others do not.
	fields []string
	// codeFirst writes errorCode before message, as Salesforce's routing layer
	// does for NOT_FOUND and METHOD_NOT_ALLOWED, unlike the API layer.
	codeFirst bool
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func (e *apiError) item() *jsonObject {
	o := obj("message", e.message, "errorCode", e.code)
	if e.codeFirst {
		o = obj("errorCode", e.code, "message", e.message)
	}
	if e.fields != nil {
		o.set("fields", e.fields)
	}
	return o
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body := marshal(v)
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Token")
	}
	writeJSON(w, e.status, []*jsonObject{e.item()})
}

func errNotFound() *apiError {
	return &apiError{status: http.StatusNotFound, code: "NOT_FOUND", message: "The requested resource does not exist", codeFirst: true}
}

func errInvalidSession() *apiError {
	return &apiError{status: http.StatusUnauthorized, code: "INVALID_SESSION_ID", message: "Session expired or invalid"}
}

func errLimitExceeded() *apiError {
	return &apiError{status: http.StatusForbidden, code: "REQUEST_LIMIT_EXCEEDED", message: "TotalRequests Limit exceeded."}
}

func errMethod(method, allowed string) *apiError {
	return &apiError{status: http.StatusMethodNotAllowed, code: "METHOD_NOT_ALLOWED", codeFirst: true,
		message: fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are %s", method, allowed)}
}
