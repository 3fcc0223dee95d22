package adapters

import "errors"

// Classes of upstream failure. Adapters return errors that match one of these with
// errors.Is, so callers decide on retries and user-facing messages without knowing
// the system.
var (
	// ErrNotFound: the record does not exist (any more) in the system.
	ErrNotFound = errors.New("record not found")
	// ErrUnavailable: the system could not be reached or failed on its side (5xx,
	// timeouts, refused connections). Retrying later may help.
	ErrUnavailable = errors.New("system unavailable")
	// ErrLimitExceeded: the system's API allocation is spent.
	ErrLimitExceeded = errors.New("API limit exceeded")
	// ErrForbidden: the integration user may not read this.
	ErrForbidden = errors.New("access denied by the system")
	// ErrAuth: the integration could not authenticate (bad credentials or key).
	ErrAuth = errors.New("authentication with the system failed")
	// ErrBadRequest: the system rejected the request as malformed: a bug or a
	// configuration error (unknown field, malformed query).
	ErrBadRequest = errors.New("request rejected by the system")
	// ErrBadResponse: the answer did not have the documented shape.
	ErrBadResponse = errors.New("unexpected answer from the system")
)
