package legacy

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The proxy's guards: which paths, methods and origins reach a tool. Each
// refuses before anything is sent to the tool.

// errPath is a path the proxy refuses; its text is shown to the user.
type errPath string

func (e errPath) Error() string { return string(e) }

// checkRequestPath refuses a path that could lead out of the tool's prefix
// once a server behind the proxy decodes or normalizes it. The raw request
// line is checked too, as the URL's escaped path is a re-encoding.
func checkRequestPath(r *http.Request) error {
	if err := checkPath(r.URL.EscapedPath()); err != nil {
		return err
	}
	raw, _, _ := strings.Cut(r.RequestURI, "?")
	if strings.HasPrefix(raw, "/") {
		return checkPath(raw)
	}
	return nil
}

// checkPath refuses, in an escaped path, what some server reads as another
// path than the proxy does:
//
//   - double encoding (%25), and control characters (%00, %0a, …);
//   - a backslash, plain or encoded, and an encoded slash: a separator
//     inside a segment;
//   - a ';', plain or encoded: Tomcat, Jetty and Spring cut path parameters
//     at it (/app;jsessionid=x, and ..;/ which they read as ..), some after
//     decoding; no tool's own links need one in the path;
//   - a segment made only of dots (., .., ... and more, encoded or not) or
//     of dots and spaces: Windows drops trailing dots and spaces, so ... and
//     ".. " are .. there;
//   - an empty segment (//), but for the trailing one of a directory;
//   - bytes that do not decode to valid UTF-8, which includes the overlong
//     forms of . / and \ (%c0%ae, %e0%80%ae, %c0%af, %c1%9c) that lenient
//     decoders turn into the characters they spell;
//   - characters that Unicode compatibility normalization (NFKC) or
//     Windows' best-fit conversion turns into . / \ ; or % (fullwidth ．／＼,
//     U+2215 ∕, the one- and two-dot leaders, …).
func checkPath(escaped string) error {
	if strings.Contains(escaped, "%25") {
		return errPath("a double-encoded character (%25)")
	}
	rest, _ := strings.CutPrefix(escaped, "/")
	for rest != "" {
		seg, after, _ := strings.Cut(rest, "/")
		rest = after
		if seg == "" { // rest is not empty: a slash follows
			return errPath("an empty segment (//)")
		}
		if err := checkSegment(seg); err != nil {
			return err
		}
	}
	return nil
}

// checkSegment checks one segment of an escaped path (between slashes).
func checkSegment(seg string) error {
	decoded := seg
	if needsDecoding(seg) {
		var err error
		if decoded, err = url.PathUnescape(seg); err != nil {
			return errPath("a malformed percent-encoding")
		}
		if !utf8.ValidString(decoded) {
			return errPath("bytes that are not valid UTF-8 (an overlong encoding of . / or \\, or a broken character)")
		}
	}
	dots, onlyDotsAndSpaces := 0, true
	for _, c := range decoded {
		switch c {
		case '/', '\\':
			return errPath("an encoded slash or a backslash")
		case ';':
			return errPath("a ; (a path parameter, as in ..;/ or ;jsessionid=)")
		case '.':
			dots++
		case ' ':
		default:
			if c < 0x20 || c == 0x7f {
				return errPath("an encoded control character (such as %00 or %0a)")
			}
			if lookalike(c) {
				return errPath("a character that normalizes to . / \\ ; or %")
			}
			onlyDotsAndSpaces = false
		}
	}
	if onlyDotsAndSpaces {
		if dots > 0 {
			return errPath("a segment of dots (., .., ...)")
		}
		return errPath("a segment of spaces")
	}
	return nil
}

// needsDecoding reports whether a segment holds an escape or a byte beyond
// ASCII: most hold neither, and are checked as they are.
func needsDecoding(seg string) bool {
	for i := 0; i < len(seg); i++ {
		if seg[i] == '%' || seg[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// lookalike reports whether c becomes . / \ ; or % under NFKC (the full
// list, computed with golang.org/x/text/unicode/norm) or under Windows'
// best-fit conversion to a code page (the slashes ∕ ⁄).
func lookalike(c rune) bool {
	switch c {
	case '\u2024', '\u2025', '\u2026', '\uFE19', '\uFE30', '\uFE52', '\uFF0E', // . .. ...
		'\uFF0F', '\u2215', '\u2044', // /
		'\uFE68', '\uFF3C', // \
		'\u037E', '\uFE14', '\uFE54', '\uFF1B', // ;
		'\uFE6A', '\uFF05': // %
		return true
	}
	return false
}

// The methods every tool takes. Others (TRACE, WebDAV's PROPFIND, MKCOL,
// MOVE, …) reach a tool only when its configuration lists them.
var standardMethods = []string{http.MethodGet, http.MethodHead, http.MethodOptions,
	http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowsMethod reports whether the tool takes the method.
func (pt *proxiedTool) allowsMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions,
		http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	for _, m := range pt.tool.Methods {
		if m == method {
			return true
		}
	}
	return false
}

// safeMethod reports a method that changes nothing: every other one, the
// tool's extra methods included, must come from Atrium's own origin.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// sameOrigin is the one rule for requests that change things (every method
// but GET, HEAD and OPTIONS) and for WebSocket and other upgrades: they are
// forwarded only from a page of Atrium's own origin, or from no browser.
// Both carry the user's session cookie from any page of the same site
// (SameSite=Lax counts sites, not origins), so without the rule a page on
// another origin of the site could act on a tool as the user.
//
//   - Sec-Fetch-Site, set by the browser and out of a page's reach, decides
//     when present: only same-origin passes (same-site, cross-site and none
//     do not).
//   - Otherwise Origin must be Atrium's public origin (without PublicURL,
//     the request's host, as net/http's CrossOriginProtection compares).
//   - Origin "null" does not pass: it is an opaque origin, such as a tool
//     frame sandboxed without allow-same-origin. Its requests are cross-site
//     to the browser and carry no session cookie anyway. The default proxy
//     sandbox keeps allow-same-origin, so a form posted from a tool's own
//     proxied page is same-origin and passes.
//   - A request with neither header comes from no browser (every browser
//     Atrium supports sends one of them on such requests): it is not a
//     page acting on a user's behalf, and it passes. A program holding the
//     user's session cookie is the user already.
func (p *Proxy) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	origin := r.Header.Get("Origin")
	switch {
	case origin == "":
		return true
	case p.origin != "":
		return strings.EqualFold(origin, p.origin)
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// isNavigation reports whether the browser is loading a page (which can
// follow a redirect to the login page) rather than a script fetching data
// (which needs a status it can act on).
func isNavigation(r *http.Request) bool {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || isUpgrade(r) {
		return false
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	if r.Header.Get("X-Requested-With") != "" || r.Header.Get("HX-Request") != "" {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func isUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" && headerHasToken(r.Header, "Connection", "upgrade")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// publicOrigin returns the scheme://host[:port] of Atrium's public URL.
func publicOrigin(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, errors.New("legacy: proxy: PublicURL is not an absolute http(s) URL")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
