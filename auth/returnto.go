package auth

import (
	"net/url"
	"strings"
)

// MaxReturnTo is the longest return path kept: a longer one (no page of
// Atrium's has such an address) becomes "/", so that a pending login stays
// small whatever a visitor sends.
const MaxReturnTo = 2048

// SafeReturnTo returns target when it is a path on this site, and "/" otherwise.
// It is what stops the login flow from being an open redirect: absolute URLs,
// scheme-relative ("//evil.example") and backslash tricks ("/\evil.example") are
// all refused.
func SafeReturnTo(target string) string {
	if target == "" || len(target) > MaxReturnTo || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") ||
		strings.ContainsAny(target, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if strings.HasPrefix(u.Path, "/auth/") {
		return "/" // never return into the login flow itself
	}
	if p := u.RequestURI(); len(p) <= MaxReturnTo { // escaping may have made it longer
		return p
	}
	return "/"
}
