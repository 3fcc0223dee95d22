package legacy

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/atrium-dev/atrium/legacy/assertion"
)

// identityPrefixes are request headers, by lower-case prefix, that a tool
// might take as proof of who the user is, or of where the request came
// from. None sent by the browser is ever forwarded.
var identityPrefixes = []string{"x-forwarded-", "forwarded", "x-atrium-", "x-auth-request-", "x-remote-",
	"remote-user", "x-webauth-", "x-real-ip"}

// neverForwarded reports whether a request header belongs to Atrium: its
// own credentials, and the cookie header (rebuilt without Atrium's cookies).
func neverForwarded(name string) bool {
	return strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") ||
		strings.EqualFold(name, "Cookie")
}

// rewrite is ReverseProxy's Rewrite: prepare, with what ServeHTTP decided
// taken from the request's context.
func (p *Proxy) rewrite(pt *proxiedTool) func(*httputil.ProxyRequest) {
	return func(pr *httputil.ProxyRequest) {
		fw, _ := pr.In.Context().Value(forwardKey{}).(forward)
		p.prepare(pt, pr, fw)
	}
}

// prepare builds the request to the tool, on either lane (forward or
// ReverseProxy): the path under the prefix on the tool's base URL, the
// browser's headers less any identity, and the signed-in user's identity in
// their place. pr.Out holds a copy of pr.In's URL and end-to-end headers.
func (p *Proxy) prepare(pt *proxiedTool, pr *httputil.ProxyRequest, fw forward) {
	pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, pt.prefix)
	pr.Out.URL.RawPath = strings.TrimPrefix(pr.In.URL.RawPath, pt.prefix)
	pr.SetURL(pt.upstream)

	cookies := p.toolCookies(pr.In.Header)
	for name := range pr.Out.Header {
		// Header keys are compared without regard to case: a map filled
		// by hand may hold a name in any case, and the transport sends
		// them all.
		if neverForwarded(name) || hasAnyPrefixFold(name, identityPrefixes) ||
			(len(pt.strip) > 0 && pt.strip[strings.ToLower(name)]) {
			delete(pr.Out.Header, name)
		}
	}
	if cookies != "" {
		pr.Out.Header.Set("Cookie", cookies)
	}
	pr.SetXForwarded()
	h := pr.Out.Header
	h.Set("X-Forwarded-Prefix", pt.prefix)
	h.Set("X-Forwarded-User", fw.user.Subject)
	h.Set("X-Forwarded-Email", fw.user.Email)
	h.Set("X-Forwarded-Groups", strings.Join(fw.user.Groups, ","))
	h.Set(assertion.Header, fw.assertion)
}

// toolCookies returns the browser's cookies less Atrium's, as they came:
// a tool's cookie value is not ours to parse or re-encode.
func (p *Proxy) toolCookies(h http.Header) string {
	var kept []string
	for name, values := range h {
		if !strings.EqualFold(name, "Cookie") {
			continue
		}
		for _, v := range values {
			for _, c := range strings.Split(v, ";") {
				c = strings.TrimSpace(c)
				n, _, _ := strings.Cut(c, "=")
				if c != "" && !p.atriumCookie(n) {
					kept = append(kept, c)
				}
			}
		}
	}
	return strings.Join(kept, "; ")
}

// atriumCookie reports whether a cookie is Atrium's: never sent to a tool,
// and never set by one.
func (p *Proxy) atriumCookie(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(strings.TrimPrefix(n, "__host-"), "__secure-")
	if strings.HasPrefix(n, "atrium") {
		return true
	}
	for _, c := range p.opts.Cookies {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// hasAnyPrefixFold reports whether s starts with one of prefixes, ignoring
// case.
func hasAnyPrefixFold(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// modifyResponse maps the tool's answer onto the prefix: redirects and
// cookie paths move under /tools/{id}/, and the tool's refusal to be framed
// gives way to Atrium's own policy for proxied pages, which allows framing
// by Atrium only and confines the page to the tool's sandbox.
func (p *Proxy) modifyResponse(pt *proxiedTool) func(*http.Response) error {
	policy := "sandbox " + pt.tool.FrameSandbox() + "; frame-ancestors 'self'"
	return func(res *http.Response) error {
		h := res.Header
		if loc := h.Get("Location"); loc != "" {
			h.Set("Location", pt.location(loc))
		}
		if lines := h.Values("Set-Cookie"); len(lines) > 0 {
			h.Del("Set-Cookie")
			for _, line := range lines {
				if c, ok := p.setCookie(pt, line); ok {
					h.Add("Set-Cookie", c)
				}
			}
		}
		h.Del("X-Frame-Options")
		for _, name := range []string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"} {
			values := h.Values(name)
			h.Del(name)
			for _, v := range values {
				if v = withoutFrameAncestors(v); v != "" {
					h.Add(name, v)
				}
			}
		}
		h.Add("Content-Security-Policy", policy)
		return nil
	}
}

// withoutFrameAncestors drops the frame-ancestors directive from a policy.
func withoutFrameAncestors(policy string) string {
	var kept []string
	for _, d := range strings.Split(policy, ";") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(d, " ")
		if d != "" && !strings.EqualFold(name, "frame-ancestors") {
			kept = append(kept, d)
		}
	}
	return strings.Join(kept, "; ")
}

// location maps a redirect on the tool (a path, or an absolute URL on the
// tool's host) under the prefix. Relative references already resolve under
// it, and a redirect to another host is the tool's business.
func (pt *proxiedTool) location(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Opaque != "" {
		return loc
	}
	if u.Host != "" {
		if !strings.EqualFold(u.Host, pt.upstream.Host) || (u.Scheme != "" && !strings.EqualFold(u.Scheme, pt.upstream.Scheme)) {
			return loc
		}
	} else if u.Scheme != "" || !strings.HasPrefix(u.Path, "/") {
		return loc
	}
	path, ok := pt.underPrefix(u.EscapedPath())
	if !ok {
		return loc
	}
	out := path
	if u.RawQuery != "" || u.ForceQuery {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out
}

// underPrefix maps a path on the tool (under its base path) to the same
// path under /tools/{id}/.
func (pt *proxiedTool) underPrefix(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, pt.base)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	if rest == "" {
		rest = "/"
	}
	return strings.TrimSuffix(pt.tool.Prefix(), "/") + rest, true
}

// setCookie rewrites one Set-Cookie line of the tool: its Path moves under
// the prefix (to the prefix itself when it is outside the tool's base path)
// and its Domain goes, so the cookie stays on Atrium's host and is sent only
// to this tool. A cookie named like Atrium's is dropped: a tool must not
// shadow Atrium's session.
func (p *Proxy) setCookie(pt *proxiedTool, line string) (string, bool) {
	attrs := strings.Split(line, ";")
	name, _, _ := strings.Cut(attrs[0], "=")
	if p.atriumCookie(name) {
		return "", false
	}
	out := []string{strings.TrimSpace(attrs[0])}
	for _, a := range attrs[1:] {
		a = strings.TrimSpace(a)
		k, v, _ := strings.Cut(a, "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "domain":
			continue
		case "path":
			path, ok := pt.underPrefix(strings.TrimSpace(v))
			if !ok || !strings.HasPrefix(strings.TrimSpace(v), "/") {
				path = pt.tool.Prefix()
			}
			a = "Path=" + path
		}
		if a != "" {
			out = append(out, a)
		}
	}
	return strings.Join(out, "; "), true
}
