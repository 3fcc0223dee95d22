package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// APIError is an answer the adapter could not use: a failure status, a
// redirect or next link leaving the host, or a body that is not JSON, too
// large, or not the configured shape. It matches one of the classes in
// package adapters with errors.Is.
type APIError struct {
	// Path is the request's path, without the query, which can hold the
	// search text.
	Path   string
	Status int // HTTP status; zero when none was read
	// Problem says what was wrong with the answer and what to check.
	Problem string

	class      error
	retryAfter time.Duration
	body       string // raw answer, truncated, for logs only
}

// Error says what failed, without the raw body.
func (e *APIError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("GET %s: %s", e.Path, e.Problem)
	}
	return fmt.Sprintf("GET %s: HTTP %d: %s", e.Path, e.Status, e.Problem)
}

// Unwrap returns the failure class.
func (e *APIError) Unwrap() error { return e.class }

// RawBody returns the raw answer, truncated, for adapters.RawBody: logs only.
func (e *APIError) RawBody() string { return e.body }

// RetryAfter returns how long the system asked to be left alone (its
// Retry-After header), or zero.
func (e *APIError) RetryAfter() time.Duration { return e.retryAfter }

// statusError builds the error of a non-2xx answer.
func statusError(u *url.URL, resp *http.Response, body []byte, fetch bool, now time.Time) *APIError {
	e := &APIError{Path: u.Path, Status: resp.StatusCode, body: adapters.TruncateBody(body)}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		e.class, e.Problem = adapters.ErrAuth, "credentials rejected; check auth"
	case s == http.StatusForbidden:
		e.class, e.Problem = adapters.ErrForbidden, "access denied; give the integration's account read access"
	case s == http.StatusNotFound && fetch:
		e.class, e.Problem = adapters.ErrNotFound, "record not found"
	case s == http.StatusNotFound:
		e.class, e.Problem = adapters.ErrBadRequest, "no such resource; check the endpoint's path"
	case s == http.StatusTooManyRequests:
		e.class, e.Problem = adapters.ErrUnavailable, "rate limited; retry later"
	case s == http.StatusRequestTimeout || s >= 500:
		e.class, e.Problem = adapters.ErrUnavailable, "failed on its side; retry later"
	case s >= 300 && s < 400:
		e.class, e.Problem = adapters.ErrBadResponse, "answered with a redirect that was not followed"
	default:
		e.class, e.Problem = adapters.ErrBadRequest, "rejected the request; check the endpoint's path and parameters"
	}
	if e.class == adapters.ErrUnavailable {
		e.retryAfter = adapters.ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	}
	return e
}

// badAnswer builds the error of a 2xx answer that cannot be used.
func badAnswer(u *url.URL, status int, body []byte, problem string) *APIError {
	return &APIError{Path: u.Path, Status: status, Problem: problem, class: adapters.ErrBadResponse, body: adapters.TruncateBody(body)}
}

// badShape builds the error of an answer the mapping at key cannot read; a
// context that ended is reported as such.
func badShape(u *url.URL, key string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("GET %s: %w: %w", u.Path, adapters.ErrUnavailable, err)
	}
	return &APIError{Path: u.Path, Problem: fmt.Sprintf("the answer does not fit %s: %v", key, err), class: adapters.ErrBadResponse}
}

// redirectError is a redirect the client refused to follow.
type redirectError struct{ host string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("redirected to another host (%s); not followed", e.host)
}

// transportError builds the error of a request that got no usable answer.
// The URL is left out: its query can hold the search text.
func transportError(u *url.URL, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var re *redirectError
	if errors.As(err, &re) {
		return &APIError{Path: u.Path, Problem: re.Error(), class: adapters.ErrBadResponse}
	}
	return fmt.Errorf("GET %s: %w: %w", u.Path, adapters.ErrUnavailable, err)
}
