package stripe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/atrium-dev/atrium/adapters"
)

// APIError is a Stripe answer that was not a success, a success whose body was
// not the documented shape, or a request that got no answer. It matches one of
// the classes in package adapters with errors.Is.
type APIError struct {
	Op        string // what the adapter was doing, e.g. "search customers"
	Status    int    // HTTP status; zero when no answer came
	Type      string // Stripe's error type, e.g. "invalid_request_error"
	Code      string // Stripe's error code, e.g. "resource_missing"
	Message   string // Stripe's message, or what went wrong
	Param     string // the parameter Stripe names, if any
	RequestID string // Stripe's Request-Id, to quote to Stripe support
	// Body is the raw answer, truncated, for logs only: it can quote record
	// data and must never be shown to users.
	Body string

	class      error
	cause      error // the transport error, e.g. a deadline
	retryAfter time.Duration
}

// Error says what failed and what to do about it, without the raw body.
func (e *APIError) Error() string {
	var detail []string
	if e.Status != 0 {
		detail = append(detail, "HTTP "+strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		detail = append(detail, e.Code)
	} else if e.Type != "" {
		detail = append(detail, e.Type)
	}
	msg := strings.Join(detail, " ")
	if e.Message != "" {
		if msg != "" {
			msg += ": "
		}
		msg += oneLine(e.Message)
	}
	return fmt.Sprintf("stripe: %s: %s (%s): %s", e.Op, e.what(), msg, e.hint())
}

// Unwrap returns the failure class, so that errors.Is(err, adapters.ErrNotFound)
// and friends work without callers knowing Stripe's codes, and the transport
// error, so that a deadline still matches context.DeadlineExceeded.
func (e *APIError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.class, e.cause}
	}
	return []error{e.class}
}

// RawBody returns the raw answer, truncated, for adapters.RawBody: logs only.
func (e *APIError) RawBody() string { return e.Body }

// RetryAfter returns how long Stripe asked to be left alone, zero when it
// did not say.
func (e *APIError) RetryAfter() time.Duration { return e.retryAfter }

// LogValue lets a logger record the status, code, request id and raw body.
func (e *APIError) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("op", e.Op),
		slog.Int("status", e.Status),
		slog.String("type", e.Type),
		slog.String("code", e.Code),
		slog.String("message", e.Message),
		slog.String("request_id", e.RequestID),
		slog.String("body", e.Body),
	)
}

func (e *APIError) what() string {
	switch e.class {
	case adapters.ErrNotFound:
		return "not found"
	case adapters.ErrAuth:
		return "API key rejected"
	case adapters.ErrForbidden:
		return "access denied"
	case adapters.ErrBadRequest:
		return "request rejected"
	case adapters.ErrUnavailable:
		return "Stripe unavailable"
	}
	return "unexpected answer"
}

func (e *APIError) hint() string {
	switch e.class {
	case adapters.ErrNotFound:
		return "the record may have been deleted in Stripe, or belong to the other mode (live or test) than the key"
	case adapters.ErrAuth:
		return "check api_key: it may have been rolled or revoked"
	case adapters.ErrForbidden:
		return "give the restricted key read access to customers, invoices, subscriptions and products"
	case adapters.ErrBadRequest:
		return "a bug or a configuration error: retrying will not help"
	case adapters.ErrUnavailable:
		if e.Status == http.StatusTooManyRequests {
			return "Stripe's rate limit was reached; retry later"
		}
		return "a failure between Atrium and Stripe or on Stripe's side; retry later"
	}
	return "the body is not the documented shape; check base_url and that no proxy or login page sits between Atrium and Stripe"
}

// classOf maps Stripe's status, type and code to a failure class.
func classOf(status int, typ, code string) error {
	switch {
	case code == string(stripego.ErrorCodeResourceMissing):
		// Stripe answers 404 for a missing path object, and 400 for a missing
		// object named by a filter (invoices of an unknown customer).
		return adapters.ErrNotFound
	case status == http.StatusUnauthorized:
		return adapters.ErrAuth
	case status == http.StatusForbidden:
		return adapters.ErrForbidden
	case status == http.StatusNotFound:
		return adapters.ErrNotFound
	case status == http.StatusTooManyRequests, status >= 500, typ == string(stripego.ErrorTypeAPI):
		return adapters.ErrUnavailable
	case status >= 400:
		return adapters.ErrBadRequest
	}
	// A success status with an error body is not something Stripe documents.
	return adapters.ErrBadResponse
}

// failure turns what the SDK returned for one call into an error of the
// adapter: an *APIError, or the context's error when the caller gave up.
// ex is the last exchange of the call, which knows the status and body when
// the SDK reports only that it could not read them. key is scrubbed from every
// message, should anything quote it.
func failure(ctx context.Context, op string, err error, ex *exchange, key string) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		// The caller gave up: that, not what it did to the request, is the
		// error.
		return fmt.Errorf("stripe: %s: %w", op, ctx.Err())
	}
	e := &APIError{Op: op}
	status, header, body := ex.result()
	var se *stripego.Error
	switch {
	case errors.As(err, &se):
		e.Status, e.Type, e.Code = se.HTTPStatusCode, string(se.Type), string(se.Code)
		e.Message, e.Param, e.RequestID = se.Msg, se.Param, se.RequestID
		if se.LastResponse != nil {
			header = se.LastResponse.Header
			body = se.LastResponse.RawJSON
		}
		e.class = classOf(e.Status, e.Type, e.Code)
	case status != 0:
		// An answer came, but the SDK could not read it: not JSON, or not
		// the shape of an error or of the resource.
		e.Status = status
		e.Message = "the body is not a Stripe JSON object"
		switch {
		case status >= 500, status == http.StatusTooManyRequests:
			// A failing server or gateway often answers with an HTML page:
			// the status says enough.
			e.class = adapters.ErrUnavailable
		default:
			e.class = adapters.ErrBadResponse
		}
	default:
		// No answer: the connection failed or the deadline passed. The
		// URL is left out: it can carry a search text.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		e.Message, e.cause, e.class = err.Error(), err, adapters.ErrUnavailable
	}
	if header != nil {
		e.RequestID = cmp.Or(e.RequestID, header.Get("Request-Id"))
		if e.Status == http.StatusTooManyRequests {
			e.retryAfter = adapters.ParseRetryAfter(header.Get("Retry-After"), time.Now())
		}
	}
	e.Body = adapters.TruncateBody(body)
	if key != "" {
		e.Message = strings.ReplaceAll(e.Message, key, "[redacted]")
		e.Body = strings.ReplaceAll(e.Body, key, "[redacted]")
	}
	return e
}

// oneLine folds a multi-line message so that it fits a log line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
