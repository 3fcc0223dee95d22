package adapters

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

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

// MaxRawBody bounds the raw answer an error keeps for the logs: enough to
// diagnose a proxy page or a changed format, small enough not to flood them.
const MaxRawBody = 2 << 10

// truncatedMark ends a raw body that was cut.
const truncatedMark = "…(truncated)"

// RawBody returns the raw answer carried by the first error in err's chain that
// has one (an error with a RawBody() string method), cut to MaxRawBody bytes;
// "" when none does. It is for the logs only: an answer can quote record data,
// so it must never reach a user.
func RawBody(err error) string {
	var carrier interface{ RawBody() string }
	if !errors.As(err, &carrier) {
		return ""
	}
	return TruncateBody([]byte(carrier.RawBody()))
}

// TruncateBody keeps the start of a raw answer, at most MaxRawBody bytes with
// the mark saying it was cut, cut on a rune boundary.
func TruncateBody(body []byte) string {
	if len(body) <= MaxRawBody {
		return string(body)
	}
	cut := MaxRawBody - len(truncatedMark)
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return string(body[:cut]) + truncatedMark
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP date,
// as how long the system asked to be left alone from now; zero when there is
// none, it is malformed or it is past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}
