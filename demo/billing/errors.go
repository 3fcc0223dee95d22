package billing

import (
	"fmt"
	"net/http"
	"strings"
)

// errorTypeInvalidRequest is the type of every error this server gives: it
// fails only requests it cannot answer, never while answering.
const errorTypeInvalidRequest = "invalid_request_error"

// apiError is an error body as Stripe sends it, in its "error" member, with
// the HTTP status it goes with. Fields are in Stripe's (alphabetical) order.
type apiError struct {
	status        int
	Code          string `json:"code,omitempty"`
	DocURL        string `json:"doc_url,omitempty"`
	Message       string `json:"message"`
	Param         string `json:"param,omitempty"`
	RequestLogURL string `json:"request_log_url,omitempty"`
	Type          string `json:"type"`
}

func (e *apiError) Error() string { return e.Message }

func newError(status int, code, param, format string, args ...any) *apiError {
	e := &apiError{status: status, Code: code, Param: param, Message: fmt.Sprintf(format, args...), Type: errorTypeInvalidRequest}
	if code != "" {
		e.DocURL = "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-")
	}
	return e
}

// errNoSuch answers a reference to an object that does not exist: 404 for
// the object of the path (param "id"), 400 for an object named by a
// parameter.
func errNoSuch(object, id, param string) *apiError {
	status := http.StatusBadRequest
	if param == "id" {
		status = http.StatusNotFound
	}
	return newError(status, "resource_missing", param, "No such %s: '%s'", object, id)
}

func errUnknownParam(name string) *apiError {
	return newError(http.StatusBadRequest, "parameter_unknown", name, "Received unknown parameter: %s", name)
}

func errMissingParam(name string) *apiError {
	return newError(http.StatusBadRequest, "parameter_missing", name, "Missing required param: %s.", name)
}

func errInvalidInteger(name, value string) *apiError {
	return newError(http.StatusBadRequest, "parameter_invalid_integer", name, "Invalid integer: %s", value)
}

// errInvalidParam answers a parameter whose value is out of its range or set.
func errInvalidParam(name, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "", name, format, args...)
}

func errUnrecognizedURL(method, path string) *apiError {
	return newError(http.StatusNotFound, "", "",
		"Unrecognized request URL (%s: %s). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
		method, path)
}

func errNoAPIKey() *apiError {
	return newError(http.StatusUnauthorized, "", "",
		"You did not provide an API key. You need to provide your API key in the Authorization header, "+
			"using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). "+
			"See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.")
}

func errInvalidAPIKey(key string) *apiError {
	return newError(http.StatusUnauthorized, "", "", "Invalid API Key provided: %s", redactKey(key))
}

// redactKey masks a key as Stripe does when it quotes one: the first eight
// characters (the sk_test_ prefix) and the last four are kept, the rest are
// asterisks; a short key keeps its last four only.
func redactKey(key string) string {
	const head, tail = 8, 4
	if len(key) <= tail {
		return strings.Repeat("*", len(key))
	}
	if len(key) <= head+tail {
		return strings.Repeat("*", len(key)-tail) + key[len(key)-tail:]
	}
	return key[:head] + strings.Repeat("*", len(key)-head-tail) + key[len(key)-tail:]
}

// errSearchQuery answers a search query that does not parse, with Stripe's
// message, which does not say where the query went wrong.
func errSearchQuery() *apiError {
	return newError(http.StatusBadRequest, "", "",
		"We were unable to parse your search query. Try using the format `metadata[\"key\"]:\"value\"` "+
			"to query for metadata or key:\"value\" to query for other fields.")
}

func errSearchField(field, resource string) *apiError {
	return newError(http.StatusBadRequest, "", "",
		"Field `%s` is an unsupported search field for resource `%s`. "+
			"See http://stripe.com/docs/search#query-fields-for-%s for a list of supported fields.",
		field, resource, resource)
}
